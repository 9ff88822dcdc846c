/**
 * GroupCoordinator: the thin I/O shell around group.ts. It owns the groups, applies effects
 * (push "heartbeat now" to members, persist snapshots to __consumer_offsets, log), and runs one
 * sweep timer that expires sessions and revocation deadlines. Transitions are synchronous, so
 * each one sees and leaves a consistent group; persists are enqueued in transition order.
 */
import type { Logger } from 'pino';
import { ErrorCode, type ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatResponse, type DescribedGroup } from '@brook/protocol';
import {
  connectionClosed,
  groupState,
  heartbeat,
  holders,
  newGroup,
  restore,
  snapshot,
  tick,
  toWire,
  topicsChanged,
  validateOffsetCommit,
  type ConnectionContext,
  type Effect,
  type Group,
  type GroupConfig,
  type PersistedGroup,
} from './group.js';

export type { PersistedGroup } from './group.js';

export interface GroupCoordinatorDeps {
  /** Current non-internal topics and their partition counts. */
  topics(): Map<string, number>;
  notify(connectionId: string, push: { groupId: string; memberId: string; groupEpoch: number }): void;
  persist(groupId: string, snapshot: PersistedGroup | null): Promise<void>;
  logger: Logger;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxGroupSize?: number;
  /** Sweep interval for session/rebalance deadlines (ms); 0 disables the timer (tests call tick()). */
  sweepIntervalMs?: number;
  now?: () => number;
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly cfg: GroupConfig;
  private readonly now: () => number;
  private readonly timer: ReturnType<typeof setInterval> | null;
  private rebalances = 0;

  constructor(private readonly deps: GroupCoordinatorDeps) {
    this.cfg = {
      minSessionTimeoutMs: deps.minSessionTimeoutMs ?? 6000,
      maxSessionTimeoutMs: deps.maxSessionTimeoutMs ?? 1_800_000,
      defaultSessionTimeoutMs: 45_000,
      defaultRebalanceTimeoutMs: 60_000,
      heartbeatIntervalMs: deps.heartbeatIntervalMs ?? 3000,
      maxGroupSize: deps.maxGroupSize ?? 1000,
    };
    this.now = deps.now ?? Date.now;
    const every = deps.sweepIntervalMs ?? 100;
    this.timer = every > 0 ? setInterval(() => this.tick(), every) : null;
    this.timer?.unref();
  }

  private apply(g: Group, effects: Effect[]): Promise<void> {
    let persist = false;
    for (const e of effects) {
      if (e.type === 'notify') this.deps.notify(e.connectionId, { groupId: g.groupId, memberId: e.memberId, groupEpoch: g.groupEpoch });
      else if (e.type === 'persist') persist = true;
      else if (e.type === 'rebalance') this.rebalances++;
      else this.deps.logger.info(e.fields, e.msg);
    }
    if (!persist) return Promise.resolve();
    // Snapshot now, synchronously, so writes land in transition order.
    return this.deps.persist(g.groupId, snapshot(g));
  }

  async heartbeat(req: ConsumerGroupHeartbeatRequest, ctx: ConnectionContext): Promise<ConsumerGroupHeartbeatResponse> {
    let g = this.groups.get(req.groupId);
    if (!g) {
      if (req.memberEpoch !== 0) {
        return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, errorMessage: `group ${req.groupId} has no member ${req.memberId}`, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: this.cfg.heartbeatIntervalMs, assignment: null };
      }
      g = newGroup(req.groupId);
      this.groups.set(req.groupId, g);
    }
    const { response, effects } = heartbeat(g, req, ctx, this.deps.topics(), this.cfg, this.now());
    await this.apply(g, effects);
    return response;
  }

  /** Expires sessions and revocation deadlines (the timer calls this; tests call it with a fake clock). */
  tick(now = this.now()): void {
    for (const g of this.groups.values()) {
      const effects = tick(g, this.deps.topics(), now);
      if (effects.length) void this.apply(g, effects).catch((err: unknown) => this.deps.logger.error({ err }, 'persisting group failed'));
    }
  }

  connectionClosed(connectionId: string): void {
    for (const g of this.groups.values()) connectionClosed(g, connectionId);
  }

  topicsChanged(): void {
    const topics = this.deps.topics();
    for (const g of this.groups.values()) {
      const effects = topicsChanged(g, topics);
      if (effects.length) void this.apply(g, effects).catch((err: unknown) => this.deps.logger.error({ err }, 'persisting group failed'));
    }
  }

  validateOffsetCommit(groupId: string, memberId: string | null, memberEpoch: number, topic: string, partition: number): number {
    return validateOffsetCommit(this.groups.get(groupId), memberId, memberEpoch, topic, partition);
  }

  describe(groupId: string): DescribedGroup {
    const g = this.groups.get(groupId);
    if (!g) {
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `group ${groupId} does not exist`, groupId, state: 'dead', groupEpoch: -1, assignmentEpoch: -1, assignor: '', members: [] };
    }
    return {
      errorCode: 0,
      errorMessage: null,
      groupId,
      state: groupState(g),
      groupEpoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      assignor: g.assignor,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberEpoch: m.memberEpoch,
        state: m.state,
        subscribedTopicNames: m.subscribedTopicNames,
        subscribedTopicRegex: m.subscribedTopicRegex,
        // What the member holds: its assignment plus what it is still revoking.
        assignment: toWire(mergeAssignments(m.assigned, m.pendingRevocation)),
        targetAssignment: toWire(g.target.get(m.memberId) ?? {}),
      })),
    };
  }

  list(): Array<{ groupId: string; state: string; members: number }> {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, state: groupState(g), members: g.members.size }));
  }

  hasMembers(groupId: string): boolean {
    return (this.groups.get(groupId)?.members.size ?? 0) > 0;
  }

  /** Removes an empty group's metadata; the caller deletes its offsets. */
  deleteGroup(groupId: string): void {
    if (this.groups.delete(groupId)) void this.deps.persist(groupId, null).catch((err: unknown) => this.deps.logger.error({ err }, 'deleting group failed'));
  }

  load(snapshots: PersistedGroup[]): void {
    const now = this.now();
    for (const s of snapshots) if (s && s.version === 1) this.groups.set(s.groupId, restore(s, now));
  }

  /** Partitions held by more than one member of a group (must always be empty; tests assert it). */
  doubleOwners(groupId: string): string[] {
    const g = this.groups.get(groupId);
    if (!g) return [];
    return [...holders(g)].filter(([, ms]) => ms.length > 1).map(([k]) => k.replace('\0', '-'));
  }

  stats(): { groups: number; members: number; rebalances: number } {
    let members = 0;
    for (const g of this.groups.values()) members += g.members.size;
    return { groups: this.groups.size, members, rebalances: this.rebalances };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

function mergeAssignments(a: Record<string, number[]>, b: Record<string, number[]>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const t of new Set([...Object.keys(a), ...Object.keys(b)])) out[t] = [...new Set([...(a[t] ?? []), ...(b[t] ?? [])])].sort((x, y) => x - y);
  return out;
}
