/**
 * Group membership (KIP-848): the member's identity and epoch, and the heartbeat loop that runs on
 * its own timer (a slow handler never delays it). A heartbeat joins, keeps the member alive, sends
 * the subscription and owned partitions, and brings back the target assignment; its errors decide
 * between retrying, rejoining with every partition lost, and crashing.
 */
import {
  BrookError,
  ErrorCode,
  JOIN_EPOCH,
  LEAVE_EPOCH,
  STATIC_LEAVE_EPOCH,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
} from '@brook/protocol';
import type { Logger } from '../logger.js';
import { jitteredBackoff } from '../util/time.js';
import type { EmitEvent } from './events.js';
import { errorName, keyOf, type PartitionKey } from './partitions.js';
import { DEFAULTS, sessionTimeoutOf } from './settings.js';
import type { Subscription } from './subscription.js';
import { ConsumerEvents, type ConsumerConfig } from './types.js';

/** Sends one ConsumerGroupHeartbeat request to the broker. */
export type HeartbeatSender = (request: ConsumerGroupHeartbeatRequest, timeoutMs: number) => Promise<ConsumerGroupHeartbeatResponse>;

export interface MembershipDeps {
  groupId: string;
  config: ConsumerConfig;
  sendHeartbeat: HeartbeatSender;
  /** The leave heartbeat is only sent while connected. */
  connected(): boolean;
  requestTimeout: number;
  subscription: Subscription;
  /** The partitions the member holds, reported on every heartbeat. */
  ownedTopicPartitions(): Array<{ topic: string; partitions: number[] }>;
  emit: EmitEvent;
  logger: Logger;
  /** The broker accepted a heartbeat; `joined` if it was a join, `assignment` if it sent one. */
  onAccepted(joined: boolean, assignment: Set<PartitionKey> | null): void;
  /** The broker accepted a heartbeat that carried the subscription (its topic names). */
  onSubscriptionAccepted(names: string[]): void;
  /** After an accepted heartbeat: reconcile the owned partitions with the assignment. */
  requestReconcile(): void;
  /** The member was fenced or expelled: its partitions are lost. */
  loseAll(): void;
  crash(error: Error): void;
}

export class Membership {
  memberId: string = newMemberId();
  memberEpoch = JOIN_EPOCH;
  /** Set while the member is in the group (joined or joining). */
  inGroup = false;
  /** Heartbeats sent and the number of the last the broker accepted: what the broker has heard of. */
  private heartbeatsSent = 0;
  heartbeatsAccepted = 0;
  readonly instanceId: string | null;

  private heartbeatIntervalMs: number;
  private hbTimer: ReturnType<typeof setTimeout> | null = null;
  private hbInFlight: Promise<void> | null = null;
  private hbAgain = false;
  private hbFailures = 0;
  private lastHeartbeatOkAt = 0;
  private unreleasedSince = 0;
  private hbWaiters: Array<() => void> = [];
  /** Bumped by join and leave: answers to heartbeats of an earlier membership are ignored. */
  private generation = 0;

  constructor(private readonly deps: MembershipDeps) {
    this.instanceId = deps.config.groupInstanceId ?? null;
    this.heartbeatIntervalMs = deps.config.heartbeatInterval ?? DEFAULTS.heartbeatInterval;
  }

  private get sessionTimeout(): number {
    return sessionTimeoutOf(this.deps.config);
  }

  /** Starts joining (the first heartbeat is sent by `heartbeatNow`). */
  join(): void {
    this.generation++;
    this.inGroup = true;
    this.memberEpoch = JOIN_EPOCH;
    this.deps.subscription.dirty = true;
    this.hbFailures = 0;
    this.unreleasedSince = 0;
    this.lastHeartbeatOkAt = Date.now();
  }

  /**
   * Stops heartbeating and, if `sendLeave`, tells the broker the member leaves (static members:
   * temporarily). The next join starts from scratch.
   */
  async leave(sendLeave: boolean): Promise<void> {
    this.clearTimer();
    if (this.hbInFlight) await this.hbInFlight.catch(() => {});
    const wasMember = this.inGroup && this.memberEpoch > 0;
    this.inGroup = false;
    this.generation++;
    this.clearTimer();
    if (sendLeave && wasMember && this.deps.connected()) {
      const epoch = this.instanceId !== null ? STATIC_LEAVE_EPOCH : LEAVE_EPOCH;
      try {
        await this.deps.sendHeartbeat(this.heartbeatBody(epoch), 5000);
      } catch (e) {
        this.deps.logger.debug('leave heartbeat failed', { error: (e as Error).message });
      }
    }
    this.memberEpoch = JOIN_EPOCH;
  }

  /** After leaving: whoever waits for a heartbeat stops waiting. */
  releaseWaiters(): void {
    for (const w of this.hbWaiters.splice(0)) w();
  }

  /**
   * Heartbeats at once (or right after the one in flight). Returns the number of the first
   * heartbeat that carries the member's state as it is now (compare with `heartbeatsAccepted`).
   */
  heartbeatNow(): number {
    const next = this.heartbeatsSent + 1;
    if (!this.inGroup) return next;
    if (this.hbInFlight) {
      this.hbAgain = true;
      return next;
    }
    this.clearTimer();
    this.startHeartbeat();
    return next;
  }

  /** Resolves after the next successful heartbeat (or after `ms`). */
  nextHeartbeat(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.hbWaiters.push(done);
      this.heartbeatNow();
    });
  }

  private clearTimer(): void {
    if (this.hbTimer) clearTimeout(this.hbTimer);
    this.hbTimer = null;
  }

  private heartbeatBody(epoch: number): ConsumerGroupHeartbeatRequest {
    const { config, subscription } = this.deps;
    const joining = epoch === JOIN_EPOCH;
    const sendSub = joining || subscription.dirty;
    const assignor = config.serverAssignor ?? config.assignor ?? null;
    return {
      groupId: this.deps.groupId,
      memberId: this.memberId,
      memberEpoch: epoch,
      instanceId: this.instanceId,
      rackId: config.rackId ?? null,
      rebalanceTimeoutMs: joining ? (config.rebalanceTimeout ?? DEFAULTS.rebalanceTimeout) : -1,
      sessionTimeoutMs: joining ? this.sessionTimeout : -1,
      subscribedTopicNames: sendSub ? [...subscription.names] : null,
      subscribedTopicRegex: sendSub ? subscription.regexSource() : null,
      serverAssignor: joining ? assignor : null,
      topicPartitions: epoch < 0 ? null : this.deps.ownedTopicPartitions(),
    };
  }

  private scheduleHeartbeat(ms: number): void {
    if (!this.inGroup) return;
    this.clearTimer();
    this.hbTimer = setTimeout(() => {
      this.hbTimer = null;
      if (this.hbInFlight) {
        this.hbAgain = true;
        return;
      }
      this.startHeartbeat();
    }, ms);
  }

  private startHeartbeat(): void {
    const p = this.doHeartbeat().then(
      (next) => {
        this.hbInFlight = null;
        if (!this.inGroup) return;
        if (this.hbAgain) {
          this.hbAgain = false;
          this.scheduleHeartbeat(0);
        } else this.scheduleHeartbeat(next);
      },
      (e: unknown) => {
        this.hbInFlight = null;
        this.deps.logger.error('heartbeat loop error', { error: (e as Error).message });
        if (this.inGroup) this.scheduleHeartbeat(1000);
      },
    );
    this.hbInFlight = p;
  }

  /** One heartbeat; returns the delay to the next one. */
  private async doHeartbeat(): Promise<number> {
    const { deps } = this;
    const epoch = this.memberEpoch;
    const body = this.heartbeatBody(epoch);
    const number = ++this.heartbeatsSent;
    const membership = this.memberId;
    const generation = this.generation;
    let errorCode = 0;
    let errorMessage: string | null = null;
    let res: ConsumerGroupHeartbeatResponse | null = null;
    try {
      const timeoutMs = Math.max(1000, Math.min(deps.requestTimeout, this.sessionTimeout));
      const r = await deps.sendHeartbeat(body, timeoutMs);
      res = r;
      errorCode = r.errorCode;
      errorMessage = r.errorMessage;
    } catch (e) {
      if (e instanceof BrookError) {
        errorCode = e.code;
        errorMessage = e.message;
      } else {
        errorCode = ErrorCode.UNKNOWN_SERVER_ERROR;
        errorMessage = (e as Error).message;
      }
    }
    if (!this.inGroup || membership !== this.memberId || generation !== this.generation) return this.heartbeatIntervalMs;
    if (errorCode === 0 && res) {
      const r = res;
      this.lastHeartbeatOkAt = Date.now();
      this.heartbeatsAccepted = number;
      this.hbFailures = 0;
      this.unreleasedSince = 0;
      if (body.subscribedTopicNames !== null) deps.subscription.dirty = false;
      if (r.memberId && r.memberId !== this.memberId) this.memberId = r.memberId;
      this.memberEpoch = r.memberEpoch;
      if (r.heartbeatIntervalMs > 0) this.heartbeatIntervalMs = r.heartbeatIntervalMs;
      deps.emit(ConsumerEvents.HEARTBEAT, { groupId: deps.groupId, memberId: this.memberId, groupGenerationId: this.memberEpoch });
      let target: Set<PartitionKey> | null = null;
      if (r.assignment !== null) {
        target = new Set<PartitionKey>();
        for (const tp of r.assignment) for (const p of tp.partitions) target.add(keyOf(tp.topic, p));
      }
      deps.onAccepted(epoch === JOIN_EPOCH, target);
      if (body.subscribedTopicNames !== null) deps.onSubscriptionAccepted(body.subscribedTopicNames);
      for (const w of this.hbWaiters.splice(0)) w();
      deps.requestReconcile();
      return this.heartbeatIntervalMs;
    }
    const name = errorName(errorCode);
    switch (errorCode) {
      case ErrorCode.FENCED_MEMBER_EPOCH:
      case ErrorCode.UNKNOWN_MEMBER_ID: {
        deps.logger.warn('member fenced by the broker; dropping partitions and rejoining', { groupId: deps.groupId, memberId: this.memberId, error: name, reason: errorMessage });
        this.lose();
        // Rejoin at once, unless the refused heartbeat was already a join.
        return epoch === JOIN_EPOCH ? jitteredBackoff(this.hbFailures++, 2000) : 0;
      }
      case ErrorCode.UNRELEASED_INSTANCE_ID: {
        const now = Date.now();
        if (this.unreleasedSince === 0) this.unreleasedSince = now;
        if (now - this.unreleasedSince > this.sessionTimeout) {
          deps.crash(new BrookError(errorCode, `instance id ${this.instanceId} is still used by another member of group ${deps.groupId} (after ${this.sessionTimeout} ms): ${errorMessage ?? ''}`));
          return this.heartbeatIntervalMs;
        }
        deps.logger.info('instance id not released yet; retrying', { groupId: deps.groupId, instanceId: this.instanceId });
        return jitteredBackoff(this.hbFailures++, 1000);
      }
      case ErrorCode.STALE_MEMBER_EPOCH:
        return jitteredBackoff(this.hbFailures++, this.heartbeatIntervalMs);
      default: {
        const info = new BrookError(errorCode, errorMessage);
        if (info.retriable || errorCode === ErrorCode.REBALANCE_IN_PROGRESS) {
          deps.logger.debug('heartbeat failed; retrying', { error: name, reason: errorMessage });
          if (this.memberEpoch > 0 && Date.now() - this.lastHeartbeatOkAt > this.sessionTimeout) {
            // The broker has expelled us by now: stop processing what others may own, rejoin when it answers.
            deps.logger.warn('no heartbeat for a session timeout; partitions lost', { groupId: deps.groupId });
            this.lose();
          }
          return jitteredBackoff(this.hbFailures++, this.heartbeatIntervalMs);
        }
        deps.crash(info);
        return this.heartbeatIntervalMs;
      }
    }
  }

  /** Fenced or expelled: every partition is lost and the member rejoins. */
  private lose(): void {
    this.deps.loseAll();
    this.memberEpoch = JOIN_EPOCH;
    this.deps.subscription.dirty = true;
  }
}

function newMemberId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  // Fallback for old runtimes: a random v4-shaped id.
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(Math.random() * 4)).toString(16)}${hex(3)}-${hex(12)}`;
}
