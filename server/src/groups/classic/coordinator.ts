/**
 * ClassicGroupCoordinator: the I/O shell around the pure classic transitions, shaped like the
 * KIP-848 GroupCoordinator (../coordinator.ts).
 *
 * - One serial promise queue per group; a step never awaits an answer, only its own persistence.
 * - JoinGroup and SyncGroup answers are delayed: the request is parked under a request id and its
 *   promise resolves when a later step emits the answer (the join phase completes, the leader
 *   syncs, the member is fenced or removed), after that step's snapshot is written.
 * - Timers (join phase, pending sync, member heartbeats) only enqueue events. Clock, timers and
 *   member-id UUIDs are injectable.
 * - One namespace of group ids with the KIP-848 coordinator (`consumerGroups`): see joinGroup and
 *   claimForConsumerGroup for the answers Kafka 4 gives across protocols.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, type DescribedGroup } from '@brook/protocol';
import { DEFAULT_CLASSIC_CONFIG, EMPTY_ASSIGNMENT, type ClassicEffect, type ClassicEvent, type ClassicGroup, type ClassicGroupConfig, type ClassicGroupState } from './model.js';
import { classicTransition } from './transitions.js';
import { classicSnapshot, isClassicSnapshot, restoreClassic, type PersistedClassicGroup } from './persistence.js';
import { classicSubscribesTo, describeClassicGroup, describeClassicGroupForWire, validateClassicOffsetCommit, type ClassicGroupWireDescription } from './queries.js';
import type {
  ClassicRequestContext,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from './types.js';
import { SerialQueues } from '../serialQueues.js';

export type TimerHandle = unknown;

/** The KIP-848 side of the shared group-id namespace. */
export interface ConsumerGroupLookup {
  has(groupId: string): boolean;
  hasMembers(groupId: string): boolean;
  /** Removes the group from memory at once; the returned promise is its tombstone's write. */
  deleteGroup(groupId: string): number | Promise<number>;
}

export interface ClassicGroupCoordinatorDeps {
  /** Saves a group's snapshot; null = the group was deleted (tombstone). */
  persist(groupId: string, snapshot: PersistedClassicGroup | null): Promise<void>;
  logger: Logger;
  consumerGroups?: ConsumerGroupLookup;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  initialRebalanceDelayMs?: number;
  newMemberJoinTimeoutMs?: number;
  maxGroupSize?: number;
  now?(): number;
  setTimeout?(fn: () => void, ms: number): TimerHandle;
  clearTimeout?(handle: TimerHandle): void;
  randomUUID?(): string;
}

type Parked = { join: (r: JoinGroupResponse) => void } | { sync: (r: SyncGroupResponse) => void };

export class ClassicGroupCoordinator {
  private readonly groups = new Map<string, ClassicGroup>();
  private readonly queues = new SerialQueues();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly parked = new Map<number, Parked>();
  private readonly cfg: ClassicGroupConfig;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => TimerHandle;
  private readonly clearTimer: (h: TimerHandle) => void;
  private readonly uuid: () => string;
  private nextRequestId = 1;
  private rebalances = 0;
  private closed = false;

  constructor(private readonly deps: ClassicGroupCoordinatorDeps) {
    this.cfg = {
      minSessionTimeoutMs: deps.minSessionTimeoutMs ?? DEFAULT_CLASSIC_CONFIG.minSessionTimeoutMs,
      maxSessionTimeoutMs: deps.maxSessionTimeoutMs ?? DEFAULT_CLASSIC_CONFIG.maxSessionTimeoutMs,
      initialRebalanceDelayMs: deps.initialRebalanceDelayMs ?? DEFAULT_CLASSIC_CONFIG.initialRebalanceDelayMs,
      newMemberJoinTimeoutMs: deps.newMemberJoinTimeoutMs ?? DEFAULT_CLASSIC_CONFIG.newMemberJoinTimeoutMs,
      maxGroupSize: deps.maxGroupSize ?? DEFAULT_CLASSIC_CONFIG.maxGroupSize,
    };
    this.now = deps.now ? () => deps.now!() : Date.now;
    this.uuid = deps.randomUUID ? () => deps.randomUUID!() : randomUUID;
    if (deps.setTimeout) {
      this.setTimer = (fn, ms) => deps.setTimeout!(fn, ms);
      this.clearTimer = (h) => deps.clearTimeout?.(h);
    } else {
      this.setTimer = (fn, ms) => setTimeout(fn, ms).unref();
      this.clearTimer = (h) => clearTimeout(h as ReturnType<typeof setTimeout>);
    }
  }

  // ---- the per-group queue

  private enqueue<T>(groupId: string, fn: () => Promise<T>): Promise<T> {
    return this.queues.run(groupId, fn);
  }

  private async step(groupId: string, event: ClassicEvent): Promise<ReturnType<typeof classicTransition>> {
    const before = this.groups.get(groupId) ?? null;
    const result = classicTransition(before, event, { now: this.now(), config: this.cfg });
    if (result.group) {
      this.groups.set(groupId, result.group);
      if (result.group.generationId > (before?.generationId ?? 0) && result.group.state !== 'Empty') this.rebalances++;
    }
    await this.apply(groupId, result.group, result.effects);
    return result;
  }

  private async apply(groupId: string, g: ClassicGroup | null, effects: ClassicEffect[]): Promise<void> {
    let persist = false;
    const answers: Array<() => void> = [];
    for (const e of effects) {
      switch (e.type) {
        case 'schedule':
          this.schedule(groupId, e.timer, e.memberId, e.deadline);
          break;
        case 'cancel':
          this.cancel(this.timerKey(groupId, e.timer, e.memberId));
          break;
        case 'joinResponse':
        case 'syncResponse':
          answers.push(() => this.answer(e.requestId, e));
          break;
        case 'persist':
          persist = true;
          break;
        case 'log':
          this.deps.logger[e.level](e.fields, e.msg);
          break;
      }
    }
    if (persist && g) {
      try {
        await this.deps.persist(groupId, classicSnapshot(g));
      } catch (err) {
        // In-memory state stays the truth; the next snapshot writes it all again.
        this.deps.logger.error({ err, groupId }, 'persisting classic group metadata failed');
      }
    }
    for (const a of answers) a();
  }

  private answer(requestId: number, e: Extract<ClassicEffect, { type: 'joinResponse' | 'syncResponse' }>): void {
    const p = this.parked.get(requestId);
    if (!p) return;
    this.parked.delete(requestId);
    if (e.type === 'joinResponse' && 'join' in p) p.join(e.response);
    else if (e.type === 'syncResponse' && 'sync' in p) p.sync(e.response);
  }

  private timerKey(groupId: string, timer: string, memberId: string | null): string {
    return `${groupId}\0${timer}\0${memberId ?? ''}`;
  }

  private schedule(groupId: string, timer: 'join' | 'sync' | 'heartbeat', memberId: string | null, deadline: number): void {
    if (this.closed) return;
    const k = this.timerKey(groupId, timer, memberId);
    this.cancel(k);
    const handle = this.setTimer(
      () => {
        if (this.timers.get(k) !== handle) return;
        this.timers.delete(k);
        void this.enqueue(groupId, () => this.step(groupId, { type: 'timer', timer, memberId, deadline })).catch((err: unknown) =>
          this.deps.logger.error({ err, groupId, timer, memberId }, 'classic group timer failed'),
        );
      },
      Math.max(0, deadline - this.now()),
    );
    this.timers.set(k, handle);
  }

  private cancel(key: string): void {
    const h = this.timers.get(key);
    if (h === undefined) return;
    this.clearTimer(h);
    this.timers.delete(key);
  }

  /** Runs a step whose answer arrives through a joinResponse/syncResponse effect, now or later. */
  private parkedStep<R>(groupId: string, wrap: (resolve: (r: R) => void) => Parked, run: (requestId: number) => Promise<unknown>, refuse: (err: unknown) => R): Promise<R> {
    return new Promise<R>((resolve) => {
      const requestId = this.nextRequestId++;
      this.parked.set(requestId, wrap(resolve));
      this.enqueue(groupId, () => run(requestId)).catch((err: unknown) => {
        this.deps.logger.error({ err, groupId }, 'classic group request failed');
        if (this.parked.delete(requestId)) resolve(refuse(err));
      });
    });
  }

  // ---- requests (the handlers of JoinGroup, SyncGroup, Heartbeat and LeaveGroup call these)

  joinGroup(req: JoinGroupRequest, ctx: ClassicRequestContext): Promise<JoinGroupResponse> {
    const error = (errorCode: number): JoinGroupResponse => ({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId: req.memberId, members: [] });
    if (this.closed) return Promise.resolve(error(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    return this.parkedStep<JoinGroupResponse>(
      req.groupId,
      (join) => ({ join }),
      (requestId) => {
        // Checked in the same tick as the step that may create the group: no KIP-848 group can slip in between.
        if (this.refusedByConsumerGroup(req.groupId)) {
          this.answer(requestId, { type: 'joinResponse', requestId, response: error(ErrorCode.INCONSISTENT_GROUP_PROTOCOL) });
          return Promise.resolve();
        }
        return this.step(req.groupId, { type: 'join', requestId, request: req, context: ctx, uuid: this.uuid() });
      },
      () => error(ErrorCode.UNKNOWN_SERVER_ERROR),
    );
  }

  /**
   * Kafka 4 (GroupMetadataManager.classicGroupJoin): an empty consumer group is deleted and
   * replaced by a classic one (maybeDeleteEmptyConsumerGroup). A non-empty one takes classic
   * members into the consumer group itself (classicGroupJoinToConsumerGroup, "mixed mode") when
   * the protocol type is "consumer", and answers INCONSISTENT_GROUP_PROTOCOL otherwise
   * (throwIfClassicProtocolIsNotSupported -> ConsumerGroup.supportsClassicProtocols). Brook has no
   * mixed groups, so every classic join to a consumer group with members is INCONSISTENT_GROUP_PROTOCOL.
   */
  private refusedByConsumerGroup(groupId: string): boolean {
    const consumer = this.deps.consumerGroups;
    if (this.groups.has(groupId) || !consumer?.has(groupId)) return false;
    if (consumer.hasMembers(groupId)) return true;
    void Promise.resolve(consumer.deleteGroup(groupId)).catch((err: unknown) => this.deps.logger.error({ err, groupId }, 'deleting the replaced consumer group failed'));
    this.deps.logger.info({ groupId }, 'empty consumer group replaced by a classic group');
    return false;
  }

  syncGroup(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    const error = (errorCode: number): SyncGroupResponse => ({ errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT });
    if (this.closed) return Promise.resolve(error(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    return this.parkedStep<SyncGroupResponse>(
      req.groupId,
      (sync) => ({ sync }),
      (requestId) => this.step(req.groupId, { type: 'sync', requestId, request: req }),
      () => error(ErrorCode.UNKNOWN_SERVER_ERROR),
    );
  }

  async heartbeat(req: HeartbeatRequest): Promise<HeartbeatResponse> {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    return this.enqueue(req.groupId, async () => (await this.step(req.groupId, { type: 'heartbeat', request: req })).heartbeat!);
  }

  async leaveGroup(req: LeaveGroupRequest): Promise<LeaveGroupResponse> {
    if (this.closed) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    return this.enqueue(req.groupId, async () => (await this.step(req.groupId, { type: 'leave', request: req })).leave!);
  }

  /**
   * Called by the KIP-848 coordinator before it creates a group (ConsumerGroupHeartbeat), as
   * Kafka 4's getOrMaybeCreateConsumerGroup with group.consumer.migration.policy=disabled: a join
   * (epoch 0) replaces an empty classic group (maybeDeleteEmptyClassicGroup); any other classic
   * group is GROUP_ID_NOT_FOUND ("Group %s is not a consumer group"; validateOnlineUpgrade refuses).
   */
  claimForConsumerGroup(groupId: string, joining: boolean): { errorCode: number; errorMessage: string } | null {
    const g = this.groups.get(groupId);
    if (!g) return null;
    if (joining && g.state === 'Empty') {
      this.removeGroup(groupId);
      this.deps.logger.info({ groupId }, 'empty classic group replaced by a consumer group');
      return null;
    }
    return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a consumer group (it is a classic group)` };
  }

  // ---- queries

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  hasMembers(groupId: string): boolean {
    return (this.groups.get(groupId)?.members.size ?? 0) > 0;
  }

  state(groupId: string): ClassicGroupState {
    return this.groups.get(groupId)?.state ?? 'Dead';
  }

  /** The protocol type its members joined with ("" before the first join); null if unknown. */
  protocolType(groupId: string): string | null {
    const g = this.groups.get(groupId);
    return g ? (g.protocolType ?? '') : null;
  }

  /** 0 if the commit may proceed, else the error code (see queries.ts validateClassicOffsetCommit). */
  validateOffsetCommit(groupId: string, memberId: string | null, groupInstanceId: string | null, generationId: number, transactional: boolean): number {
    const g = this.groups.get(groupId);
    if (!g) return generationId < 0 && !memberId ? 0 : ErrorCode.UNKNOWN_MEMBER_ID;
    return validateClassicOffsetCommit(g, memberId ?? '', groupInstanceId, generationId, transactional);
  }

  subscribesTo(groupId: string, topic: string): boolean {
    const g = this.groups.get(groupId);
    return g ? classicSubscribesTo(g, topic) : false;
  }

  describe(groupId: string): (DescribedGroup & { protocolType: string }) | null {
    const g = this.groups.get(groupId);
    return g ? describeClassicGroup(g) : null;
  }

  /** As Kafka's DescribeGroups shows it (metadata and assignment bytes as sent); null if unknown. */
  describeForWire(groupId: string): ClassicGroupWireDescription | null {
    const g = this.groups.get(groupId);
    return g ? describeClassicGroupForWire(g) : null;
  }

  list(): Array<{ groupId: string; state: ClassicGroupState; members: number; protocolType: string }> {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, state: g.state, members: g.members.size, protocolType: g.protocolType ?? '' }));
  }

  /** Removes an Empty group (Kafka's validateDeleteGroup); returns 0, NON_EMPTY_GROUP or GROUP_ID_NOT_FOUND. */
  deleteGroup(groupId: string): number {
    const g = this.groups.get(groupId);
    if (!g) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (g.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    this.removeGroup(groupId);
    this.deps.logger.info({ groupId }, 'classic group deleted');
    return 0;
  }

  private removeGroup(groupId: string): void {
    this.groups.delete(groupId);
    for (const k of [...this.timers.keys()]) if (k.startsWith(`${groupId}\0`)) this.cancel(k);
    // Behind any snapshot still being written for this group, so the tombstone lands last.
    void this.enqueue(groupId, () => this.deps.persist(groupId, null)).catch((err: unknown) =>
      this.deps.logger.error({ err, groupId }, 'deleting classic group metadata failed'),
    );
  }

  /** Restores groups at start-up from their snapshots (other kinds of snapshot are skipped). */
  load(snapshots: readonly unknown[]): void {
    for (const raw of snapshots) {
      if (!isClassicSnapshot(raw)) {
        this.deps.logger.warn({ snapshot: raw }, 'skipping a classic group snapshot of an unknown format');
        continue;
      }
      const { group, effects } = restoreClassic(raw, this.now());
      this.groups.set(group.groupId, group);
      void this.apply(group.groupId, group, effects);
      this.deps.logger.info({ groupId: group.groupId, generationId: group.generationId, members: group.members.size }, 'classic group restored');
    }
  }

  stats(): { groups: number; members: number; rebalances: number } {
    let members = 0;
    for (const g of this.groups.values()) members += g.members.size;
    return { groups: this.groups.size, members, rebalances: this.rebalances };
  }

  /** Resolves once every queued step of every group is done (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queues.idle();
  }

  /** Stops the timers and answers every parked request, so no client waits on a closed broker. */
  close(): void {
    this.closed = true;
    for (const h of this.timers.values()) this.clearTimer(h);
    this.timers.clear();
    for (const p of this.parked.values()) {
      if ('join' in p) p.join({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId: '', members: [] });
      else p.sync({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT });
    }
    this.parked.clear();
  }
}
