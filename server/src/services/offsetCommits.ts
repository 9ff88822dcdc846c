// The checks of an offset commit, partition by partition, shared by OffsetCommit and TxnOffsetCommit.
import { BrookError, ErrorCode, utf8Encode, validateName } from '@brook/protocol';
import type { OffsetCommitRequest, OffsetCommitResponse } from '@brook/protocol';
import type { BrokerContext, ConnectionInfo } from '../api/types.js';
import { allowed } from '../api/acl.js';
import type { OffsetEntry } from '../offsets/offsetStore.js';

export const MAX_OFFSET_METADATA_BYTES = 4096;

type PartitionResult = OffsetCommitResponse['topics'][number]['partitions'][number];

/**
 * A commit as the checks see it: Brook's request, plus what only Kafka clients send or expect:
 * the group instance id (KIP-345: a classic static member replaced by a newer instance is
 * FENCED_INSTANCE_ID), and `acceptNegativeOffsets`: Kafka stores any offset (a negative one reads
 * back as "nothing committed"; KafkaJS's resetOffsets commits -1 and -2), Brook refuses them.
 */
export type GroupCommit = Pick<OffsetCommitRequest, 'groupId' | 'memberId' | 'memberEpoch' | 'topics'> & {
  groupInstanceId?: string | null;
  acceptNegativeOffsets?: boolean;
};

/**
 * The checks of a commit, partition by partition (also for TxnOffsetCommit): ACLs, topic,
 * offset, metadata size, and the group's fencing. Returns the answers and the accepted entries.
 */
export function checkCommits(
  ctx: BrokerContext,
  conn: ConnectionInfo,
  req: GroupCommit,
  transactional = false,
): { topics: OffsetCommitResponse['topics']; accepted: OffsetEntry[] } {
  const bad = validateName('group', req.groupId);
  if (bad) throw new BrookError(ErrorCode.INVALID_GROUP_ID, bad);
  const groupAllowed = allowed(ctx, conn, 'group', req.groupId, 'use');
  const accepted: OffsetEntry[] = [];
  const topics = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p): PartitionResult => {
      const refuse = (errorCode: number, errorMessage: string) => ({ partition: p.partition, errorCode, errorMessage });
      if (!groupAllowed) return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED, `not allowed to use group ${req.groupId}`);
      if (!allowed(ctx, conn, 'topic', t.topic, 'consume')) return refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `not allowed to consume ${t.topic}`);
      const topic = ctx.topics.get(t.topic);
      if (!topic || p.partition < 0 || p.partition >= topic.numPartitions) {
        return refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic-partition ${t.topic}-${p.partition}`);
      }
      if (p.offset < 0 && !req.acceptNegativeOffsets) return refuse(ErrorCode.INVALID_REQUEST, `offset must be >= 0, got ${p.offset}`);
      if (p.metadata !== null && utf8Encode(p.metadata).length > MAX_OFFSET_METADATA_BYTES) {
        return refuse(ErrorCode.OFFSET_METADATA_TOO_LARGE, `metadata exceeds ${MAX_OFFSET_METADATA_BYTES} bytes`);
      }
      const code = validateGroupCommit(ctx, req.groupId, req.memberId, req.memberEpoch, t.topic, p.partition, transactional, req.groupInstanceId ?? null);
      if (code !== 0) return refuse(code, fencingMessage(code, req.memberId, t.topic, p.partition));
      accepted.push({ topic: t.topic, partition: p.partition, offset: p.offset, metadata: p.metadata });
      return { partition: p.partition, errorCode: 0, errorMessage: null };
    }),
  }));
  return { topics, accepted };
}

/**
 * OffsetCommit: the checks and the write, in the group's queue (a heartbeat queued before the
 * commit is applied before it is checked, as in kfake). The write is issued there, in queue order,
 * but awaited outside it, so the group's heartbeats do not wait for the fsync.
 */
export async function commitOffsets(
  ctx: BrokerContext,
  conn: ConnectionInfo,
  req: GroupCommit,
): Promise<{ topics: OffsetCommitResponse['topics'] }> {
  const { topics, written } = await ctx.groups.inGroupQueue(req.groupId, () => {
    const { topics, accepted } = checkCommits(ctx, conn, req);
    return { topics, written: ctx.offsets.commit(req.groupId, accepted) };
  });
  await written;
  return { topics };
}

/** Admin offset resets: commits without a member id, only while the group has no members (false otherwise); in the group's queue. */
export async function commitWhileEmpty(ctx: Pick<BrokerContext, 'groups' | 'classicGroups' | 'offsets'>, groupId: string, entries: OffsetEntry[]): Promise<boolean> {
  const hasMembers = () => ctx.groups.hasMembers(groupId) || ctx.classicGroups.hasMembers(groupId);
  const written = await ctx.groups.inGroupQueue(groupId, () => (hasMembers() ? null : ctx.offsets.commit(groupId, entries)));
  if (written === null) return false;
  await written;
  return true;
}

/**
 * A commit's fencing, by the kind of group: a classic group by generation and member (Kafka's
 * ClassicGroup.validateOffsetCommit; `transactional` for TxnOffsetCommit, which skips the state
 * checks; `groupInstanceId` from Kafka clients), a KIP-848 group by member epoch and partition ownership.
 */
export function validateGroupCommit(
  ctx: Pick<BrokerContext, 'groups' | 'classicGroups'>,
  groupId: string,
  memberId: string | null,
  epoch: number,
  topic: string,
  partition: number,
  transactional = false,
  groupInstanceId: string | null = null,
): number {
  if (ctx.classicGroups.has(groupId)) return ctx.classicGroups.validateOffsetCommit(groupId, memberId, groupInstanceId, epoch, transactional);
  return ctx.groups.validateOffsetCommit(groupId, memberId, epoch, topic, partition);
}

function fencingMessage(code: number, memberId: string | null, topic: string, partition: number): string {
  switch (code) {
    case ErrorCode.UNKNOWN_MEMBER_ID:
      return memberId === null
        ? 'the group has active members: commits without a member id are accepted only while it is empty'
        : `member ${memberId} is not in the group (expelled or never joined)`;
    case ErrorCode.STALE_MEMBER_EPOCH:
      return `member ${memberId} sent a stale epoch`;
    case ErrorCode.NOT_PARTITION_OWNER:
      return `member ${memberId} does not own ${topic}-${partition}`;
    case ErrorCode.ILLEGAL_GENERATION:
      return `member ${memberId} committed for a generation that is not the group's current one`;
    case ErrorCode.REBALANCE_IN_PROGRESS:
      return 'the group is rebalancing: rejoin, then commit';
    case ErrorCode.FENCED_INSTANCE_ID:
      return `member ${memberId} was replaced by another instance with its group instance id`;
    default:
      return 'commit refused';
  }
}

/**
 * OffsetFetch v9+ from a KIP-848 member (Kafka's ConsumerGroup.validateOffsetFetch): the member
 * must be in the group at its current epoch (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH). Requests
 * without a member (null or "" with epoch -1), and groups of any other kind, are not checked
 * (Kafka does not check classic groups either).
 */
export function validateGroupFetch(ctx: Pick<BrokerContext, 'groups'>, groupId: string, memberId: string | null, memberEpoch: number): number {
  if ((memberId === null || memberId === '') && memberEpoch < 0) return 0;
  if (!ctx.groups.has(groupId)) return 0;
  const member = ctx.groups.describe(groupId).members.find((m) => m.memberId === memberId);
  if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
  return member.memberEpoch === memberEpoch ? 0 : ErrorCode.STALE_MEMBER_EPOCH;
}
