/**
 * Reconciles the owned partitions with the assignment the broker sends, revoke before assign:
 * revoked partitions stop fetching, their in-flight handlers finish, their offsets are committed,
 * then onPartitionsRevoked; assigned ones get a position, then onPartitionsAssigned, then are
 * fetched. Partitions lost (fenced, expelled) are dropped at once and reported by onPartitionsLost.
 */
import type { Logger } from '../logger.js';
import { sameElements } from '../util/collections.js';
import type { EmitEvent } from './events.js';
import { newPartitionState, type OwnedPartitions, type PartitionKey, type PartitionState } from './partitions.js';
import type { Positions } from './positions.js';
import { ConsumerEvents, type GroupJoinPayload, type PartitionsListener, type TopicPartition } from './types.js';

export type RebalanceListenerName = 'onPartitionsAssigned' | 'onPartitionsRevoked' | 'onPartitionsLost';

export interface ReconcilerDeps {
  groupId: string;
  /** The assignor name reported in GROUP_JOIN events. */
  groupProtocol: string;
  owned: OwnedPartitions;
  /** The member's identity, and the number of the last heartbeat the broker accepted. */
  member(): { memberId: string; memberEpoch: number; heartbeatsAccepted: number };
  /** The owned partitions changed: report them to the broker at once; returns the number of the heartbeat that does. */
  heartbeatNow(): number;
  positions: Pick<Positions, 'initialize' | 'applyPendingSeek'>;
  /** Commits what was processed of partitions being revoked (when the run auto-commits). */
  commitRevoked(states: PartitionState[]): Promise<void>;
  /** The application's listeners of one kind, in call order. */
  listeners(name: RebalanceListenerName): PartitionsListener[];
  isRunning(): boolean;
  wakeFetch(): void;
  /** The member holds its first assignment of this run (its first GROUP_JOIN). */
  onJoined(): void;
  crash(error: Error): void;
  emit: EmitEvent;
  logger: Logger;
}

export class Reconciler {
  /** Latest assignment from the broker. */
  private target = new Set<PartitionKey>();
  private reconciling: Promise<void> | null = null;
  private reconcileAgain = false;
  private pendingLost: TopicPartition[] = [];
  /** Handlers still running for partitions that were lost; a re-assigned partition waits for them. */
  private readonly draining = new Map<PartitionKey, Promise<void>>();
  /**
   * A join or a changed assignment is announced (GROUP_JOIN) once the member holds its target
   * and the broker accepted the heartbeat that reported it (number `announceAfter`): the epoch
   * it then answered is the one the member commits with.
   */
  private announcePending = false;
  private announceAfter = 0;
  private joinedOnce = false;
  /** When the join or rebalance being reconciled began (0: none); GROUP_JOIN's duration. */
  private rebalanceStartedAt = 0;

  constructor(private readonly deps: ReconcilerDeps) {}

  /** A run starts joining. */
  begin(): void {
    this.joinedOnce = false;
    this.announcePending = false;
    this.rebalanceStartedAt = Date.now();
  }

  /** A heartbeat was accepted: a join is announced (GROUP_JOIN) once reconciled; a new target replaces the old. */
  accept(joined: boolean, assignment: Set<PartitionKey> | null): void {
    if (joined) this.announcePending = true;
    if (assignment === null) return;
    if (this.rebalanceStartedAt === 0 && !sameElements(assignment, this.target)) this.rebalanceStartedAt = Date.now();
    this.target = assignment;
  }

  /** Forgets the assignment (the member left). */
  clearTarget(): void {
    this.target.clear();
  }

  /** Resolves when no reconciliation runs. */
  async idle(): Promise<void> {
    if (this.reconciling) await this.reconciling.catch(() => {});
  }

  requestReconcile(): void {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return;
    }
    this.reconciling = this.reconcileLoop().finally(() => {
      this.reconciling = null;
    });
  }

  /** Partitions lost without a chance to commit (fenced / expelled): drop them now. */
  loseAll(): void {
    const { owned } = this.deps;
    const lost: TopicPartition[] = [];
    for (const ps of owned.values()) {
      ps.gone = true;
      ps.ready = false;
      ps.gen++;
      owned.dropQueue(ps);
      if (ps.worker) {
        const w = ps.worker;
        this.draining.set(ps.key, w);
        void w.finally(() => {
          if (this.draining.get(ps.key) === w) this.draining.delete(ps.key);
        });
      }
      lost.push({ topic: ps.topic, partition: ps.partition });
    }
    owned.clear();
    this.target = new Set();
    // The member rejoins: a new join begins now.
    this.rebalanceStartedAt = Date.now();
    if (lost.length > 0) {
      this.pendingLost.push(...lost);
      this.requestReconcile();
    }
  }

  /** Calls the application's listeners of one kind; a throwing listener is logged. */
  async callListener(name: RebalanceListenerName, parts: TopicPartition[]): Promise<void> {
    if (parts.length === 0) return;
    for (const fn of this.deps.listeners(name)) {
      try {
        await fn(parts.map((p) => ({ ...p })));
      } catch (e) {
        this.deps.logger.error(`${name} listener threw`, { error: (e as Error).message });
      }
    }
  }

  private async reconcileLoop(): Promise<void> {
    do {
      this.reconcileAgain = false;
      try {
        await this.reconcileOnce();
      } catch (e) {
        this.deps.crash(e instanceof Error ? e : new Error(String(e)));
        return;
      }
    } while (this.reconcileAgain && this.deps.isRunning());
  }

  private async reconcileOnce(): Promise<void> {
    const { deps } = this;
    const { owned } = deps;
    if (!deps.isRunning()) return;
    if (this.pendingLost.length > 0) {
      const lost = this.pendingLost.splice(0);
      deps.emit(ConsumerEvents.REBALANCING, { groupId: deps.groupId, memberId: deps.member().memberId, lost });
      await this.callListener('onPartitionsLost', lost);
    }
    if (deps.member().memberEpoch <= 0) return;
    const target = this.target;
    const revoked = [...owned.keys()].filter((k) => !target.has(k));
    const added = [...target].filter((k) => !owned.has(k));
    if (revoked.length > 0) {
      await this.revoke(revoked);
      this.announceAfter = deps.heartbeatNow();
    }
    if (added.length > 0 && deps.isRunning() && deps.member().memberEpoch > 0) {
      await this.assign(added.filter((k) => this.target.has(k) && !owned.has(k)));
      this.announceAfter = deps.heartbeatNow();
    }
    if (revoked.length > 0 || added.length > 0) {
      this.announcePending = true;
      this.reconcileAgain = true;
    }
    this.maybeAnnounce();
  }

  /** GROUP_JOIN (and, the first time in a run, `onJoined`) once the broker heard of the reconciled assignment. */
  private maybeAnnounce(): void {
    const { deps } = this;
    const { memberId, memberEpoch, heartbeatsAccepted } = deps.member();
    if (!this.announcePending || !deps.isRunning() || memberEpoch <= 0 || heartbeatsAccepted < this.announceAfter) return;
    this.announcePending = false;
    const memberAssignment: { [topic: string]: number[] } = {};
    for (const tp of deps.owned.assignment()) (memberAssignment[tp.topic] ??= []).push(tp.partition);
    const now = Date.now();
    const payload: GroupJoinPayload = {
      groupId: deps.groupId,
      memberId,
      memberEpoch,
      leaderId: null,
      isLeader: false,
      groupProtocol: deps.groupProtocol,
      memberAssignment,
      duration: this.rebalanceStartedAt > 0 ? now - this.rebalanceStartedAt : 0,
    };
    this.rebalanceStartedAt = 0;
    deps.emit(ConsumerEvents.GROUP_JOIN, payload);
    if (!this.joinedOnce) {
      this.joinedOnce = true;
      deps.onJoined();
    }
  }

  /** Revocation: stop fetching, drop buffered messages, wait for handlers, commit, callback. */
  private async revoke(keys: PartitionKey[]): Promise<void> {
    const { owned } = this.deps;
    const states = keys.map((k) => owned.get(k)).filter((ps): ps is PartitionState => ps !== undefined);
    for (const ps of states) {
      ps.gone = true;
      ps.ready = false;
      owned.dropQueue(ps);
    }
    await Promise.allSettled(states.map((ps) => ps.worker ?? Promise.resolve()));
    await this.deps.commitRevoked(states);
    const tps = states.map((ps) => ({ topic: ps.topic, partition: ps.partition }));
    await this.callListener('onPartitionsRevoked', tps);
    for (const ps of states) if (owned.get(ps.key) === ps) owned.delete(ps.key);
    this.deps.emit(ConsumerEvents.REBALANCING, { groupId: this.deps.groupId, memberId: this.deps.member().memberId, revoked: tps });
  }

  /** Newly assigned partitions: committed offset (or reset), pending seeks, callback, then fetch. */
  private async assign(keys: PartitionKey[]): Promise<void> {
    if (keys.length === 0) return;
    const { owned, positions } = this.deps;
    const states = keys.map((k) => {
      const ps = newPartitionState(k);
      owned.set(ps);
      return ps;
    });
    await Promise.allSettled(states.map((ps) => this.draining.get(ps.key) ?? Promise.resolve()));
    await positions.initialize(states);
    const live = states.filter((ps) => !ps.gone && owned.get(ps.key) === ps);
    if (live.length === 0) return;
    await this.callListener(
      'onPartitionsAssigned',
      live.map((ps) => ({ topic: ps.topic, partition: ps.partition })),
    );
    for (const ps of live) {
      if (ps.gone) continue;
      positions.applyPendingSeek(ps);
      ps.ready = true;
    }
    this.deps.wakeFetch();
  }
}
