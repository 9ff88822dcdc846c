// Consumer-group operations shared by the wire handlers, the admin API and metrics: describe, list, delete, exists, lag.
import { ErrorCode, type DescribedGroup } from '@brook/protocol';
import type { BrokerContext } from '../api/types.js';
import { CONSUMER_PROTOCOL_TYPE, type ClassicGroupWireDescription } from '../groups/classic/index.js';

/** What these operations read: the live groups, and the offsets that keep a member-less group alive. */
type GroupsContext = Pick<BrokerContext, 'groups' | 'classicGroups' | 'offsets' | 'logger'>;
type CleanupContext = GroupsContext & Pick<BrokerContext, 'txns'>;

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
 * A group's type as Kafka names it (ListGroups v5, the DescribeGroups/ConsumerGroupDescribe
 * split): KIP-848 groups are "consumer"; classic groups, and groups that only have committed
 * offsets (Kafka creates a "simple" classic group for those), are "classic" with their protocol
 * type ("" for the simple ones). Null: no such group.
 */
export function groupType(ctx: GroupsContext, groupId: string): { type: 'consumer' | 'classic'; protocolType: string } | null {
  if (ctx.groups.has(groupId)) return { type: 'consumer', protocolType: 'consumer' };
  const protocolType = ctx.classicGroups.protocolType(groupId);
  if (protocolType !== null) return { type: 'classic', protocolType };
  return ctx.offsets.hasGroup(groupId) ? { type: 'classic', protocolType: '' } : null;
}

/**
 * A classic group as Kafka's DescribeGroups shows it (member metadata and assignment bytes as the
 * members sent them; an offsets-only group as Kafka's empty simple group); null for KIP-848 groups
 * and unknown ids, which Kafka answers as Dead / GROUP_ID_NOT_FOUND.
 */
export function describeClassicForWire(ctx: GroupsContext, groupId: string): ClassicGroupWireDescription | null {
  const classic = ctx.classicGroups.describeForWire(groupId);
  if (classic) return classic;
  return groupType(ctx, groupId)?.type === 'classic' ? { state: 'Empty', protocolType: '', protocolData: '', members: [] } : null;
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

/**
 * Only groups without members; writes tombstones for offsets and group metadata. Runs in the
 * group's queue: a join queued before it lands first (and the delete is refused), one queued
 * after it creates the group anew.
 */
export function deleteGroup(ctx: GroupsContext, groupId: string): Promise<{ errorCode: number; errorMessage: string | null }> {
  return ctx.groups.inGroupQueue(groupId, async () => {
    if (groupHasMembers(ctx, groupId) || (ctx.classicGroups.has(groupId) && ctx.classicGroups.state(groupId) !== 'Empty')) {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: `group ${groupId} still has members` };
    }
    if (!groupExists(ctx, groupId)) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `group ${groupId} does not exist` };
    await ctx.groups.deleteGroup(groupId);
    ctx.classicGroups.deleteGroup(groupId);
    await ctx.offsets.deleteGroup(groupId);
    ctx.logger.info({ groupId }, 'group deleted');
    return { errorCode: 0, errorMessage: null };
  });
}

/**
 * The periodic cleanup (Kafka's cleanupGroupMetadata): offsets of empty groups expire (see
 * OffsetStore.expire), then an empty group is deleted once it has no offsets left: at once if its
 * last offsets just expired, else after `retentionMs` without members (it never committed, or its
 * offsets were deleted). Each deletion runs in the group's queue and checks again there.
 */
export async function cleanupGroups(ctx: CleanupContext, now: number, retentionMs: number): Promise<{ expiredOffsets: number; deletedGroups: number }> {
  const hadOffsets = new Map(ctx.groups.emptyGroups().filter((g) => ctx.offsets.hasOffsets(g.groupId)).map((g) => [g.groupId, g.emptySince]));
  // Offsets a transaction holds a newer commit for stay (Kafka keeps them too).
  const expiredOffsets = await ctx.offsets.expire(
    now,
    retentionMs,
    (g) => !groupHasMembers(ctx, g),
    (g, t, p) => ctx.txns.hasPendingOffset(g, t, p),
  );
  const deleted = await Promise.all(
    ctx.groups.emptyGroups().map(({ groupId }) =>
      ctx.groups.inGroupQueue(groupId, async () => {
        const since = ctx.groups.emptySince(groupId);
        if (since === undefined || ctx.offsets.hasOffsets(groupId)) return false;
        // Still the same empty spell in which its offsets expired, or empty for the whole retention.
        if (hadOffsets.get(groupId) !== since && since + retentionMs > now) return false;
        if ((await ctx.groups.deleteGroup(groupId)) !== 0) return false;
        ctx.logger.info({ groupId, emptySince: new Date(since).toISOString() }, 'empty group deleted: no members and no offsets left');
        return true;
      }),
    ),
  );
  return { expiredOffsets, deletedGroups: deleted.filter(Boolean).length };
}

export interface OffsetDeleteResult {
  errorCode: number;
  errorMessage: string | null;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; errorCode: number }> }>;
}

/**
 * OffsetDelete (wire and admin API): drops the group's offsets of topics no member subscribes to
 * (GROUP_SUBSCRIBED_TO_TOPIC for the others; a non-empty classic group of another protocol type
 * than "consumer" is NON_EMPTY_GROUP); `partitions` null = every committed partition of the
 * topic. In the group's queue, so no member subscribes between the check and the tombstones.
 */
export function deleteOffsets(ctx: GroupsContext, groupId: string, topics: ReadonlyArray<{ topic: string; partitions: readonly number[] | null }>): Promise<OffsetDeleteResult> {
  return ctx.groups.inGroupQueue(groupId, async () => {
    if (!groupExists(ctx, groupId)) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `group ${groupId} does not exist`, topics: [] };
    // Kafka's ClassicGroup.validateOffsetDelete: without the consumer protocol, the subscriptions are unknown.
    const classicType = ctx.classicGroups.protocolType(groupId);
    if (classicType !== null && classicType !== CONSUMER_PROTOCOL_TYPE && ctx.classicGroups.state(groupId) !== 'Empty') {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: `group ${groupId} has members of protocol type ${classicType}`, topics: [] };
    }
    const doomed: Array<{ topic: string; partition: number }> = [];
    const results = topics.map((t) => {
      const parts = t.partitions ?? ctx.offsets.list(groupId).filter((o) => o.topic === t.topic).map((o) => o.partition);
      const code = groupSubscribesTo(ctx, groupId, t.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : 0;
      if (code === 0) for (const partition of parts) doomed.push({ topic: t.topic, partition });
      return { topic: t.topic, partitions: parts.map((partition) => ({ partition, errorCode: code })) };
    });
    await ctx.offsets.deleteOffsets(groupId, doomed);
    return { errorCode: 0, errorMessage: null, topics: results };
  });
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
        // A negative committed offset (Kafka clients may commit one) means "nothing committed" to them.
        lag: c && c.offset >= 0 ? String(Math.max(0, end - c.offset)) : null,
        memberId: owner?.memberId ?? null,
        clientId: owner?.clientId ?? null,
        host: owner?.host ?? null,
      });
    });
  }
  return rows;
}

