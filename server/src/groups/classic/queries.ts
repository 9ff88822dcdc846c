// Read-only views of a classic group: offset-commit fencing (Kafka's ClassicGroup.validateOffsetCommit),
// its description for the shared group services, and the topics it subscribes to.
import { ErrorCode, type DescribedGroup, type TopicPartitions } from '@brook/protocol';
import { EMPTY_ASSIGNMENT, type ClassicGroup, type ClassicMember } from './model.js';
import { metadataFor, validateMember } from './rebalance.js';
import { assignmentPartitions, CONSUMER_PROTOCOL_TYPE, subscriptionTopics } from './consumerProtocol.js';

/**
 * Fencing of a commit to a classic group, as Kafka's ClassicGroup.validateOffsetCommit:
 * - an Empty group takes commits with a negative generation (admin tools, assign() consumers);
 * - a commit naming a member or a generation must come from a current member (instance id
 *   checked too: FENCED_INSTANCE_ID) of the current generation (else ILLEGAL_GENERATION);
 * - without member and generation (OffsetCommit v0), only while the group is Empty;
 * - while CompletingRebalance a member must wait for its assignment (REBALANCE_IN_PROGRESS).
 * The last two do not apply to transactional commits (TxnOffsetCommit does not enforce state).
 * Commits from the previous generation stay possible while PreparingRebalance, as in Kafka.
 */
export function validateClassicOffsetCommit(
  g: ClassicGroup,
  memberId: string,
  groupInstanceId: string | null,
  generationId: number,
  transactional: boolean,
): number {
  if (generationId < 0 && g.state === 'Empty') return 0;
  if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
    const code = validateMember(g, memberId, groupInstanceId);
    if (code !== 0) return code;
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
  } else if (!transactional && g.state !== 'Empty') {
    return ErrorCode.UNKNOWN_MEMBER_ID;
  }
  if (!transactional && g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
  return 0;
}

const usesConsumerProtocol = (g: ClassicGroup) => g.protocolType === CONSUMER_PROTOCOL_TYPE;

function memberTopics(g: ClassicGroup, m: ClassicMember): string[] {
  if (!usesConsumerProtocol(g)) return [];
  const metadata = g.protocolName !== null ? metadataFor(m, g.protocolName) : m.protocols[0]?.metadata;
  return metadata ? (subscriptionTopics(metadata) ?? []) : [];
}

function memberAssignment(g: ClassicGroup, m: ClassicMember): TopicPartitions[] {
  return usesConsumerProtocol(g) ? (assignmentPartitions(m.assignment) ?? []) : [];
}

/** Kafka's isSubscribedToTopic: a "consumer" group knows from the members' subscriptions; other types never block. */
export function classicSubscribesTo(g: ClassicGroup, topic: string): boolean {
  for (const m of g.members.values()) if (memberTopics(g, m).includes(topic)) return true;
  return false;
}

const memberState = (m: ClassicMember) => (m.awaitingJoin !== null ? 'awaiting_join' : m.awaitingSync !== null ? 'awaiting_sync' : 'stable');

/**
 * The group in the shared description shape: generation as epoch, the selected protocol as
 * assignor, and, for "consumer" groups, subscriptions and assignments decoded from the bytes.
 */
export function describeClassicGroup(g: ClassicGroup): DescribedGroup & { protocolType: string } {
  return {
    errorCode: 0,
    errorMessage: null,
    groupId: g.groupId,
    state: g.state,
    groupEpoch: g.generationId,
    assignmentEpoch: g.generationId,
    assignor: g.protocolName ?? '',
    protocolType: g.protocolType ?? '',
    members: [...g.members.values()]
      .sort((a, b) => (a.memberId < b.memberId ? -1 : 1))
      .map((m) => {
        const assignment = memberAssignment(g, m);
        return {
          memberId: m.memberId,
          instanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberEpoch: g.generationId,
          state: memberState(m),
          subscribedTopicNames: memberTopics(g, m),
          subscribedTopicRegex: null,
          assignment,
          targetAssignment: assignment,
        };
      }),
  };
}

/** A classic group as Kafka's DescribeGroups answers it: the bytes as the members sent them. */
export interface ClassicGroupWireDescription {
  state: string;
  protocolType: string;
  /** The selected protocol while Stable, else "". */
  protocolData: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; metadata: Uint8Array; assignment: Uint8Array }>;
}

/**
 * Kafka's GroupMetadataManager.describeGroups for a classic group: only a Stable group shows its
 * protocol and each member's metadata for it (ClassicGroupMember.describe); in any other state
 * both are empty (describeNoMetadata). Assignments are shown in every state.
 */
export function describeClassicGroupForWire(g: ClassicGroup): ClassicGroupWireDescription {
  const stable = g.state === 'Stable' && g.protocolName !== null;
  return {
    state: g.state,
    protocolType: g.protocolType ?? '',
    protocolData: stable ? g.protocolName! : '',
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: stable ? metadataFor(m, g.protocolName) : EMPTY_ASSIGNMENT,
      assignment: m.assignment,
    })),
  };
}
