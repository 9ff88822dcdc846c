// Consumer-group operations shared by the wire handlers, the admin API and metrics: describe, list, delete, exists, lag.
import { ErrorCode, type DescribedGroup } from '@brook/protocol';
import type { BrokerContext } from '../api/types.js';

/** What these operations read: the live groups, and the offsets that keep a member-less group alive. */
type GroupsContext = Pick<BrokerContext, 'groups' | 'classicGroups' | 'offsets' | 'logger'>;

export interface GroupSummary {
  groupId: string;
  state: string;
  members: number;
  /** Classic groups only: their protocol type ("consumer", "connect", ...) and Kafka's group type. */
  protocolType?: string;
  groupType?: 'classic';
}

/** A group exists while a coordinator knows it or it has committed offsets (an "offsets-only" group). O(1). */
export function groupExists(ctx: GroupsContext, groupId: string): boolean {
  return ctx.groups.has(groupId) || ctx.classicGroups.has(groupId) || ctx.offsets.hasGroup(groupId);
}

/** Whether the group has live members, whichever protocol it speaks. */
export function groupHasMembers(ctx: Pick<BrokerContext, 'groups' | 'classicGroups'>, groupId: string): boolean {
  return ctx.groups.hasMembers(groupId) || ctx.classicGroups.hasMembers(groupId);
}

/** Whether a member subscribes to the topic (OffsetDelete's GROUP_SUBSCRIBED_TO_TOPIC). */
export function groupSubscribesTo(ctx: Pick<BrokerContext, 'groups' | 'classicGroups'>, groupId: string, topic: string): boolean {
  return ctx.groups.subscribesTo(groupId, topic) || ctx.classicGroups.subscribesTo(groupId, topic);
}

/**
 * Groups known to a coordinator, and offsets-only groups (shown empty). Classic groups carry
 * Kafka's state names (Stable, PreparingRebalance, ...), the generation as epoch, the selected
 * protocol as assignor, and their protocol type.
 */
export function describeGroup(ctx: GroupsContext, groupId: string): DescribedGroup {
  const classic = ctx.classicGroups.describe(groupId);
  if (classic) return classic;
  const g = ctx.groups.describe(groupId);
  if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND && ctx.offsets.hasGroup(groupId)) {
    return { errorCode: 0, errorMessage: null, groupId, state: 'empty', groupEpoch: 0, assignmentEpoch: 0, assignor: 'uniform', members: [] };
  }
  return g;
}

/** Live groups plus groups that only have committed offsets (state "empty"), sorted by id. */
export function listAllGroups(ctx: GroupsContext): GroupSummary[] {
  const groups = new Map<string, GroupSummary>(ctx.groups.list().map((g) => [g.groupId, g]));
  for (const g of ctx.classicGroups.list()) groups.set(g.groupId, { ...g, groupType: 'classic' });
  for (const id of ctx.offsets.groupIds()) if (!groups.has(id)) groups.set(id, { groupId: id, state: 'empty', members: 0 });
  return [...groups.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
}

/** Only groups without members; writes tombstones for offsets and group metadata. */
export async function deleteGroup(ctx: GroupsContext, groupId: string): Promise<{ errorCode: number; errorMessage: string | null }> {
  if (ctx.groups.hasMembers(groupId) || (ctx.classicGroups.has(groupId) && ctx.classicGroups.state(groupId) !== 'Empty')) {
    return { errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: `group ${groupId} still has members` };
  }
  if (!groupExists(ctx, groupId)) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `group ${groupId} does not exist` };
  ctx.groups.deleteGroup(groupId);
  ctx.classicGroups.deleteGroup(groupId);
  await ctx.offsets.deleteGroup(groupId);
  ctx.logger.info({ groupId }, 'group deleted');
  return { errorCode: 0, errorMessage: null };
}

export interface PartitionLagRow {
  topic: string;
  partition: number;
  committedOffset: string | null;
  endOffset: string;
  lag: string | null;
  memberId: string | null;
  clientId: string | null;
  host: string | null;
}

/** Per-partition rows for every topic the group has commits for or is assigned/subscribed to. */
export function groupLagRows(ctx: GroupsContext & Pick<BrokerContext, 'topics'>, groupId: string): PartitionLagRow[] {
  const g = describeGroup(ctx, groupId);
  const owners = new Map<string, { memberId: string; clientId: string; host: string }>();
  const topics = new Set<string>();
  for (const m of g.members) {
    for (const t of m.subscribedTopicNames) topics.add(t);
    for (const a of m.assignment) {
      topics.add(a.topic);
      for (const p of a.partitions) owners.set(`${a.topic}\0${p}`, { memberId: m.memberId, clientId: m.clientId, host: m.clientHost });
    }
  }
  for (const o of ctx.offsets.list(groupId)) topics.add(o.topic);
  const rows: PartitionLagRow[] = [];
  for (const topic of [...topics].sort()) {
    const t = ctx.topics.get(topic);
    if (!t) continue;
    t.partitions.forEach((log, partition) => {
      const c = ctx.offsets.get(groupId, topic, partition);
      const end = log.highWatermark;
      const owner = owners.get(`${topic}\0${partition}`);
      rows.push({
        topic,
        partition,
        committedOffset: c ? String(c.offset) : null,
        endOffset: String(end),
        lag: c ? String(Math.max(0, end - c.offset)) : null,
        memberId: owner?.memberId ?? null,
        clientId: owner?.clientId ?? null,
        host: owner?.host ?? null,
      });
    });
  }
  return rows;
}
