/**
 * GroupCoordinator: the thin I/O shell around the pure transitions in transitions.ts.
 *
 * - One serial promise queue per group: every step of one group (transition, persist, the
 *   answer) runs in order, so no request slips in while another awaits LevelDB.
 * - Real timers for session and rebalance deadlines, driven by the schedule/cancel effects; a timer
 *   only enqueues an event, it never touches state. Clock and timer functions are injectable.
 * - Effects: notify -> deps.notify (push "heartbeat now"), persist -> deps.persist of the records
 *   that changed (awaited before the heartbeat is answered), log -> the pino logger.
 */
import type { Logger } from 'pino';
import { ErrorCode, JOIN_EPOCH, type ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatResponse, type DescribedGroup } from '@brook/protocol';
import * as A from './assignment.js';
import { DEFAULT_GROUP_CONFIG, newGroup, type Effect, type Group, type GroupConfig, type GroupEvent, type GroupState, type HeartbeatContext, type TimerKind, type TransitionResult } from './model.js';
import { changedRecords, groupRecords, restore, type GroupRecord, type StoredGroupRecord } from './persistence.js';
import { describeGroup, doubleHolders, groupState, validateOffsetCommit } from './queries.js';
import { compileRegex, matchTopics } from './targetAssignment.js';
import { transition } from './transitions.js';
import { SerialQueues } from './serialQueues.js';

export type TimerHandle = unknown;

export interface GroupCoordinatorDeps {
  /** Current non-internal topics and their partition counts. */
  topics(): Map<string, number>;
  /** Push "heartbeat now" to a member's connection. */
  notify(connectionId: string, push: { groupId: string; memberId: string; groupEpoch: number }): void;
  /** Whether a principal (null: auth off) may describe a topic; a regex subscription resolves only to those. Default: yes. */
  topicDescribable?(principal: string | null, topic: string): boolean;
  /** Writes records of a group (one batch); null = the group was deleted (tombstones for all its records). */
  persist(groupId: string, records: readonly GroupRecord[] | null): Promise<void>;
  logger: Logger;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  defaultSessionTimeoutMs?: number;
  defaultRebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxGroupSize?: number;
  /**
   * The classic side of the shared group-id namespace, asked before a heartbeat creates a group:
   * an error to answer with, or null to go ahead (see ClassicGroupCoordinator.claimForConsumerGroup).
   */
  claimGroupId?(groupId: string, joining: boolean): { errorCode: number; errorMessage: string } | null;
  now?(): number;
  setTimeout?(fn: () => void, ms: number): TimerHandle;
  clearTimeout?(handle: TimerHandle): void;
}

export interface PartitionOwner {
  topic: string;
  partition: number;
  memberId: string;
  clientId: string;
  clientHost: string;
}

export interface CoordinatorStats {
  groups: number;
  members: number;
  /** Group-epoch bumps since start (each one is a rebalance). */
  rebalances: number;
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  /**
   * The groups each connection heartbeated into, so a closed connection visits only those (not
   * every member of every group). It may name groups the connection's members have left since: the
   * transition itself finds no member of that connection then.
   */
  private readonly connectionGroups = new Map<string, Set<string>>();
  private readonly queues = new SerialQueues();
  /**
   * Resolved regex subscriptions, per group: `${principal}\0${regex}` -> topics. Filled on first use
   * (a join, a subscription change), dropped when topics change, so a rebalance does not match
   * every regex against every topic again (Kafka's resolvedRegularExpressions).
   */
  private readonly regexTopics = new Map<string, Map<string, readonly string[]>>();
  /** groupId -> when the group last became empty (its members all gone); for the cleanup of idle groups. */
  private readonly emptyAt = new Map<string, number>();
  /**
   * Armed timers, keyed `${groupId}\0${kind}\0${memberId}`. A heartbeat only moves `deadline`
   * later; the timer stays armed for `due` and, if the deadline moved meanwhile, re-arms itself for
   * the rest: one timer per session period instead of a clearTimeout + setTimeout per heartbeat.
   */
  private readonly timers = new Map<string, { handle: TimerHandle; due: number; deadline: number }>();
  private readonly cfg: GroupConfig;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => TimerHandle;
  private readonly clearTimer: (h: TimerHandle) => void;
  private rebalances = 0;
  private closed = false;
  /** Groups to write whole at their next persist: restored from a snapshot, or a write failed. */
  private readonly rewrite = new Set<string>();

  constructor(private readonly deps: GroupCoordinatorDeps) {
    this.cfg = {
      minSessionTimeoutMs: deps.minSessionTimeoutMs ?? DEFAULT_GROUP_CONFIG.minSessionTimeoutMs,
      maxSessionTimeoutMs: deps.maxSessionTimeoutMs ?? DEFAULT_GROUP_CONFIG.maxSessionTimeoutMs,
      defaultSessionTimeoutMs: deps.defaultSessionTimeoutMs ?? DEFAULT_GROUP_CONFIG.defaultSessionTimeoutMs,
      defaultRebalanceTimeoutMs: deps.defaultRebalanceTimeoutMs ?? DEFAULT_GROUP_CONFIG.defaultRebalanceTimeoutMs,
      heartbeatIntervalMs: deps.heartbeatIntervalMs ?? DEFAULT_GROUP_CONFIG.heartbeatIntervalMs,
      maxGroupSize: deps.maxGroupSize ?? DEFAULT_GROUP_CONFIG.maxGroupSize,
    };
    this.now = deps.now ? () => deps.now!() : Date.now;
    if (deps.setTimeout) {
      this.setTimer = (fn, ms) => deps.setTimeout!(fn, ms);
      this.clearTimer = (h) => deps.clearTimeout?.(h);
    } else {
      this.setTimer = (fn, ms) => {
        const t = setTimeout(fn, ms);
        t.unref();
        return t;
      };
      this.clearTimer = (h) => clearTimeout(h as ReturnType<typeof setTimeout>);
    }
  }

  // ---- the per-group queue

  /** Runs `fn` after everything queued before it for this group; errors do not break the chain. */
  private enqueue<T>(groupId: string, fn: () => Promise<T>): Promise<T> {
    return this.queues.run(groupId, fn);
  }

  /** Applies one event to the group's current state and carries out the effects. */
  private async step(groupId: string, event: GroupEvent, create: boolean): Promise<TransitionResult | null> {
    const existing = this.groups.get(groupId);
    if (!existing && !create) return null;
    const before = existing ?? newGroup(groupId);
    // The topic map is built only if the transition asks for it (a steady heartbeat does not).
    const deps = this.deps;
    let topics: Map<string, number> | undefined;
    const env = {
      now: this.now(),
      config: this.cfg,
      get topics(): Map<string, number> {
        return (topics ??= deps.topics());
      },
      regexTopics: (regex: string, principal: string | null) => this.resolveRegex(groupId, regex, principal, env.topics),
    };
    const result = transition(before, event, env);
    // A heartbeat that failed on an unknown group leaves no trace.
    if (existing || result.group.members.size > 0) {
      this.groups.set(groupId, result.group);
      this.trackEmpty(result.group, env.now);
    }
    this.rebalances += Math.max(0, result.group.groupEpoch - before.groupEpoch);
    await this.apply(result.group, result.effects);
    return result;
  }

  private resolveRegex(groupId: string, regex: string, principal: string | null, topics: ReadonlyMap<string, number>): readonly string[] {
    let cache = this.regexTopics.get(groupId);
    if (!cache) this.regexTopics.set(groupId, (cache = new Map()));
    const key = `${principal ?? ''}\0${regex}`;
    let resolved = cache.get(key);
    if (resolved === undefined) {
      const describable = this.deps.topicDescribable;
      resolved = describable ? matchTopics(regex, topics).filter((t) => describable(principal, t)) : matchTopics(regex, topics);
      // Entries of members that changed their regex are left behind; bound them.
      if (cache.size >= 64 + (this.groups.get(groupId)?.members.size ?? 0)) cache.clear();
      cache.set(key, resolved);
    }
    return resolved;
  }

  private trackEmpty(g: Group, now: number): void {
    if (g.members.size > 0) this.emptyAt.delete(g.groupId);
    else if (!this.emptyAt.has(g.groupId)) this.emptyAt.set(g.groupId, now);
  }

  private async apply(g: Group, effects: Effect[]): Promise<void> {
    let persist: Extract<Effect, { type: 'persist' }> | null = null;
    const notify: Array<{ memberId: string; connectionId: string }> = [];
    for (const e of effects) {
      switch (e.type) {
        case 'schedule':
          this.schedule(g.groupId, e.kind, e.memberId, e.deadline);
          break;
        case 'cancel':
          this.cancel(g.groupId, e.kind, e.memberId);
          break;
        case 'notify':
          notify.push(e);
          break;
        case 'persist':
          persist = e;
          break;
        case 'log':
          this.deps.logger[e.level](e.fields, e.msg);
          break;
      }
    }
    if (persist !== null || this.rewrite.has(g.groupId)) await this.persist(g, persist);
    for (const n of notify) {
      try {
        this.deps.notify(n.connectionId, { groupId: g.groupId, memberId: n.memberId, groupEpoch: g.groupEpoch });
      } catch (err) {
        this.deps.logger.warn({ err, groupId: g.groupId, memberId: n.memberId }, 'push to member failed');
      }
    }
  }

  private async persist(g: Group, changes: Extract<Effect, { type: 'persist' }> | null): Promise<void> {
    const whole = this.rewrite.has(g.groupId);
    try {
      await this.deps.persist(g.groupId, whole || changes === null ? groupRecords(g) : changedRecords(g, changes));
      if (whole) this.rewrite.delete(g.groupId);
    } catch (err) {
      // In-memory state stays the truth; the group's next write writes it whole again.
      this.rewrite.add(g.groupId);
      this.deps.logger.error({ err, groupId: g.groupId }, 'persisting group metadata failed');
    }
  }

  private schedule(groupId: string, kind: TimerKind, memberId: string, deadline: number): void {
    if (this.closed) return;
    const k = `${groupId}\0${kind}\0${memberId}`;
    const t = this.timers.get(k);
    if (t && t.due <= deadline) {
      t.deadline = deadline;
      return;
    }
    if (t) this.clearTimer(t.handle);
    this.arm(k, groupId, kind, memberId, deadline);
  }

  private arm(k: string, groupId: string, kind: TimerKind, memberId: string, deadline: number): void {
    const entry = { handle: undefined as unknown as TimerHandle, due: deadline, deadline };
    entry.handle = this.setTimer(
      () => {
        if (this.timers.get(k) !== entry) return;
        this.timers.delete(k);
        if (entry.deadline > entry.due) return this.arm(k, groupId, kind, memberId, entry.deadline);
        const event: GroupEvent =
          kind === 'session' ? { type: 'sessionTimeout', memberId, deadline: entry.deadline } : { type: 'rebalanceTimeout', memberId, deadline: entry.deadline };
        void this.enqueue(groupId, () => this.step(groupId, event, false)).catch((err: unknown) =>
          this.deps.logger.error({ err, groupId, memberId }, 'group timer failed'),
        );
      },
      Math.max(0, deadline - this.now()),
    );
    this.timers.set(k, entry);
  }

  private cancel(groupId: string, kind: TimerKind, memberId: string): void {
    const k = `${groupId}\0${kind}\0${memberId}`;
    const t = this.timers.get(k);
    if (t === undefined) return;
    this.clearTimer(t.handle);
    this.timers.delete(k);
  }

  private cancelGroupTimers(groupId: string): void {
    for (const [k, t] of this.timers) {
      if (k.startsWith(`${groupId}\0`)) {
        this.clearTimer(t.handle);
        this.timers.delete(k);
      }
    }
  }

  // ---- requests

  async heartbeat(req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext): Promise<ConsumerGroupHeartbeatResponse> {
    return this.enqueue(req.groupId, async () => {
      // Same tick as the step that may create the group, so no classic group can slip in between.
      const refused = this.groups.has(req.groupId) ? null : (this.deps.claimGroupId?.(req.groupId, req.memberEpoch === JOIN_EPOCH) ?? null);
      if (refused) return { ...refused, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: this.cfg.heartbeatIntervalMs, assignment: null };
      let joined = this.connectionGroups.get(ctx.connectionId);
      if (!joined) this.connectionGroups.set(ctx.connectionId, (joined = new Set()));
      joined.add(req.groupId);
      const r = await this.step(req.groupId, { type: 'heartbeat', request: req, context: ctx }, true);
      return r!.response!;
    });
  }

  /** The connection is gone: its members become replaceable (static takeover); their sessions keep running. */
  connectionClosed(connectionId: string): void {
    const joined = this.connectionGroups.get(connectionId);
    if (!joined) return;
    this.connectionGroups.delete(connectionId);
    for (const groupId of joined) {
      if (!this.groups.has(groupId)) continue;
      void this.enqueue(groupId, () => this.step(groupId, { type: 'connectionClosed', connectionId }, false)).catch((err: unknown) =>
        this.deps.logger.error({ err, groupId }, 'group connectionClosed failed'),
      );
    }
  }

  /** Topics were created, deleted or grew: groups whose subscriptions are affected get a new target. */
  topicsChanged(): void {
    this.regexTopics.clear();
    for (const groupId of this.groups.keys()) {
      void this.enqueue(groupId, () => this.step(groupId, { type: 'topicsChanged' }, false)).catch((err: unknown) =>
        this.deps.logger.error({ err, groupId }, 'group topicsChanged failed'),
      );
    }
  }

  /** 0 if the commit may proceed, else the error code (see queries.ts validateOffsetCommit). */
  validateOffsetCommit(groupId: string, memberId: string | null, memberEpoch: number, topic: string, partition: number): number {
    return validateOffsetCommit(this.groups.get(groupId), memberId, memberEpoch, topic, partition);
  }

  describe(groupId: string): DescribedGroup {
    const g = this.groups.get(groupId);
    if (!g) {
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `group ${groupId} does not exist`, groupId, state: 'dead', groupEpoch: -1, assignmentEpoch: -1, assignor: '', members: [] };
    }
    return describeGroup(g);
  }

  list(): Array<{ groupId: string; state: GroupState; members: number }> {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, state: groupState(g), members: g.members.size }));
  }

  /** Groups without members, and since when (restored empty groups count from the restart). */
  emptyGroups(): Array<{ groupId: string; emptySince: number }> {
    return [...this.emptyAt].map(([groupId, emptySince]) => ({ groupId, emptySince }));
  }

  /** When the group last became empty; undefined while it has members or is unknown. */
  emptySince(groupId: string): number | undefined {
    return this.emptyAt.get(groupId);
  }

  /** Whether the coordinator knows the group (with or without members); offsets-only groups are the OffsetStore's. */
  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  hasMembers(groupId: string): boolean {
    return (this.groups.get(groupId)?.members.size ?? 0) > 0;
  }

  /** Whether a member subscribes to the topic, by name or by regex (matched as the assignor does). */
  subscribesTo(groupId: string, topic: string): boolean {
    for (const m of this.groups.get(groupId)?.members.values() ?? []) {
      if (m.subscribedTopicNames.includes(topic)) return true;
      if (m.subscribedTopicRegex !== null && compileRegex(m.subscribedTopicRegex)?.testExact(topic)) return true;
    }
    return false;
  }

  /** Who holds each partition (assigned or still revoking), for the admin API. */
  owners(groupId: string): PartitionOwner[] {
    const g = this.groups.get(groupId);
    if (!g) return [];
    const out: PartitionOwner[] = [];
    for (const m of g.members.values()) {
      for (const [topic, partition] of A.pairs(A.union(m.assigned, m.pendingRevocation))) {
        out.push({ topic, partition, memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost });
      }
    }
    return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /** Partitions with more than one holder in the group: always empty (tests assert it). */
  doubleOwners(groupId: string): string[] {
    const g = this.groups.get(groupId);
    return g ? doubleHolders(g) : [];
  }

  /**
   * Runs `fn` in the group's queue: after every step queued before it, before any queued after, as
   * kfake runs commits and deletes in the group's goroutine. The services run OffsetCommit,
   * OffsetDelete and DeleteGroups through it, so what they check cannot change under them.
   */
  inGroupQueue<T>(groupId: string, fn: () => T | Promise<T>): Promise<T> {
    return this.enqueue(groupId, async () => fn());
  }

  /**
   * Removes an empty group and writes its tombstone; returns 0, NON_EMPTY_GROUP or
   * GROUP_ID_NOT_FOUND. Call it inside the group's queue (inGroupQueue), so no join slips in
   * between; the caller deletes the group's offsets.
   */
  async deleteGroup(groupId: string): Promise<number> {
    const g = this.groups.get(groupId);
    if (!g) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (g.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
    this.groups.delete(groupId);
    this.rewrite.delete(groupId);
    this.emptyAt.delete(groupId);
    this.regexTopics.delete(groupId);
    this.cancelGroupTimers(groupId);
    try {
      await this.deps.persist(groupId, null);
    } catch (err) {
      this.deps.logger.error({ err, groupId }, 'deleting group metadata failed');
    }
    return 0;
  }

  /**
   * Restores groups at startup from their records. Restored members have no live connection and
   * a fresh session deadline, so members that do not come back are expelled normally; a static
   * member's new instance takes its slot at once. A group found as a whole-group snapshot (a data
   * dir written before per-member records) is rewritten as records at once.
   */
  load(stored: ReadonlyArray<{ groupId: string; records: readonly StoredGroupRecord[] }>): void {
    for (const { groupId, records } of stored) {
      try {
        const r = restore(groupId, records, this.now());
        if (!r) {
          this.deps.logger.warn({ groupId, records: records.length }, 'skipping group records without group metadata, or a snapshot of an unknown format');
          continue;
        }
        this.groups.set(groupId, r.group);
        this.trackEmpty(r.group, this.now());
        void this.apply(r.group, r.effects);
        if (r.upgraded) {
          this.rewrite.add(groupId);
          void this.enqueue(groupId, () => this.persist(this.groups.get(groupId) ?? r.group, null));
        }
        this.deps.logger.info({ groupId, groupEpoch: r.group.groupEpoch, members: r.group.members.size, upgraded: r.upgraded }, 'group restored');
      } catch (err) {
        this.deps.logger.error({ err, groupId }, 'restoring a group failed');
      }
    }
    // Topics may have changed while the broker was down.
    this.topicsChanged();
  }

  stats(): CoordinatorStats {
    let members = 0;
    for (const g of this.groups.values()) members += g.members.size;
    return { groups: this.groups.size, members, rebalances: this.rebalances };
  }

  /** Resolves once every queued step of every group is done (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queues.idle();
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) this.clearTimer(t.handle);
    this.timers.clear();
  }
}
