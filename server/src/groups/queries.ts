// Read-only views of a group: its state, offset-commit fencing, its description, double holders.
import { ErrorCode, type DescribedGroup } from '@brook/protocol';
import * as A from './assignment.js';
import type { Group, GroupState } from './model.js';

export function groupState(g: Group | undefined): GroupState {
  if (!g) return 'dead';
  if (g.members.size === 0) return 'empty';
  if (g.groupEpoch > g.assignmentEpoch) return 'assigning';
  for (const m of g.members.values()) if (m.memberEpoch !== g.assignmentEpoch || m.state !== 'stable') return 'reconciling';
  return 'stable';
}

/**
 * Fencing of offset commits. Without a member id, only while the group has no members (admin
 * tools, offset resets). A member commits with its current epoch, or the one just before it (a
 * commit can race the heartbeat response that moved it on; ownership is still checked), and only
 * for partitions it holds: assigned, or pending revocation (its final commit before giving them up).
 */
export function validateOffsetCommit(g: Group | undefined, memberId: string | null, memberEpoch: number, topic: string, partition: number): number {
  const noMember = memberId === null || memberId === '';
  if (!g || g.members.size === 0) return noMember ? 0 : ErrorCode.UNKNOWN_MEMBER_ID;
  if (noMember) return ErrorCode.UNKNOWN_MEMBER_ID;
  const m = g.members.get(memberId);
  if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (memberEpoch !== m.memberEpoch && memberEpoch !== m.previousMemberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
  if (!A.has(m.assigned, topic, partition) && !A.has(m.pendingRevocation, topic, partition)) return ErrorCode.NOT_PARTITION_OWNER;
  return 0;
}

export function describeGroup(g: Group): DescribedGroup {
  return {
    errorCode: 0,
    errorMessage: null,
    groupId: g.groupId,
    state: groupState(g),
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    assignor: g.assignor,
    members: [...g.members.values()]
      .sort((a, b) => (a.memberId < b.memberId ? -1 : 1))
      .map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberEpoch: m.memberEpoch,
        state: m.state,
        subscribedTopicNames: [...m.subscribedTopicNames],
        subscribedTopicRegex: m.subscribedTopicRegex,
        // What the member holds now: its assignment plus what it is still revoking.
        assignment: A.toWire(A.union(m.assigned, m.pendingRevocation)),
        targetAssignment: A.toWire(g.target.get(m.memberId) ?? A.EMPTY),
      })),
  };
}

/** Partitions held by more than one member (must always be empty). */
export function doubleHolders(g: Group): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const m of g.members.values()) {
    for (const [t, p] of [...A.pairs(m.assigned), ...A.pairs(m.pendingRevocation)]) {
      const k = A.tpKey(t, p);
      const other = seen.get(k);
      if (other !== undefined && other !== m.memberId) out.push(`${A.tpLabel(t, p)} (${other}, ${m.memberId})`);
      seen.set(k, m.memberId);
    }
    if (A.size(A.intersect(m.assigned, m.pendingRevocation)) > 0) out.push(`${m.memberId}: assigned and pending overlap`);
  }
  return out;
}

