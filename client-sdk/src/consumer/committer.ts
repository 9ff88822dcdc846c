/**
 * Offset commits: one OffsetCommit at a time (serialized), carrying the member id and epoch.
 * Auto-commit (interval, threshold, on revoke and stop) commits the resolved offsets; at-most-once
 * commits a buffered chunk's end before it is processed; manual commits are strict.
 */
import { BrookError, ErrorCode, type OffsetCommitRequest, type OffsetCommitResponse } from '@brook/protocol';
import type { Logger } from '../logger.js';
import { groupByTopic } from '../util/collections.js';
import { jitteredBackoff, sleep as realSleep } from '../util/time.js';
import type { EmitEvent } from './events.js';
import { keyOf, type OwnedPartitions, type PartitionKey, type PartitionState } from './partitions.js';
import { autoCommits, type RunState } from './settings.js';
import { ConsumerEvents, type OffsetsByTopicPartition } from './types.js';

/** Sends one OffsetCommit request to the broker. */
export type OffsetCommitSender = (request: OffsetCommitRequest) => Promise<OffsetCommitResponse>;

export interface CommitEntry {
  topic: string;
  partition: number;
  /** The next offset to read. */
  offset: number;
}

export interface CommitterDeps {
  groupId: string;
  sendOffsetCommit: OffsetCommitSender;
  /** The member's identity now: commits carry it while the member is in the group. */
  member(): { memberId: string; memberEpoch: number; inGroup: boolean };
  /** Resolves after the next successful heartbeat (or after `ms`): how a stale epoch is refreshed. */
  nextHeartbeat(ms: number): Promise<void>;
  /** Retriable request failures are retried only while connected. */
  connected(): boolean;
  /** Committed offsets are recorded on the owned partitions. */
  owned: Pick<OwnedPartitions, 'get' | 'values'>;
  run(): RunState | null;
  emit: EmitEvent;
  logger: Logger;
  /** Attempts per commit: at least 5. */
  retries: number;
  sessionTimeout: number;
  sleep?: (ms: number) => Promise<void>;
}

export class Committer {
  private chain: Promise<unknown> = Promise.resolve();
  private autoCommitTimer: ReturnType<typeof setInterval> | null = null;
  private lastCommitAt = 0;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: CommitterDeps) {
    this.sleep = deps.sleep ?? realSleep;
  }

  /** A run starts: the auto-commit interval counts from now. */
  start(): void {
    this.lastCommitAt = Date.now();
    const run = this.deps.run();
    if (run && autoCommits(run) && run.autoCommitInterval !== null) {
      this.autoCommitTimer = setInterval(() => void this.autoCommit(false), Math.min(run.autoCommitInterval, 1000));
    }
  }

  stopTimer(): void {
    if (this.autoCommitTimer) clearInterval(this.autoCommitTimer);
    this.autoCommitTimer = null;
  }

  /** Resolves once the commits sent so far are done (whatever their outcome). */
  settled(): Promise<void> {
    return this.chain.then(
      () => {},
      () => {},
    );
  }

  /** autoCommitThreshold: commits once that many messages were processed since the last commit. */
  maybeCommitThreshold(run: RunState): void {
    if (!autoCommits(run) || run.autoCommitThreshold === null) return;
    let n = 0;
    for (const ps of this.deps.owned.values()) n += ps.uncommittedCount;
    if (n >= run.autoCommitThreshold) void this.autoCommit(true);
  }

  /** Commits the resolved offsets of every owned partition; unless `force`, only when the interval has passed. */
  async autoCommit(force: boolean): Promise<void> {
    const run = this.deps.run();
    if (!run || !autoCommits(run)) return;
    if (!force && (run.autoCommitInterval === null || Date.now() - this.lastCommitAt < run.autoCommitInterval)) return;
    this.lastCommitAt = Date.now();
    try {
      await this.commitResolved([...this.deps.owned.values()]);
    } catch (e) {
      this.deps.logger.warn('auto commit failed', { error: (e as Error).message });
    }
  }

  /** Commits the partitions' resolved offsets that are past what they committed. */
  async commitResolved(states: PartitionState[]): Promise<void> {
    const entries = states
      .filter((ps) => ps.resolved >= 0 && ps.resolved > ps.committed)
      .map((ps) => ({ topic: ps.topic, partition: ps.partition, offset: ps.resolved }));
    for (const ps of states) ps.uncommittedCount = 0;
    if (entries.length === 0) return;
    await this.commit(entries, false);
  }

  /** At-most-once: commit a buffered chunk's end before handing it out. False: do not process it. */
  async preCommit(ps: PartitionState, end: number): Promise<boolean> {
    try {
      const ok = await this.commit([{ topic: ps.topic, partition: ps.partition, offset: end }], false);
      if (ok.has(ps.key)) {
        ps.preCommitted = end;
        return true;
      }
    } catch (e) {
      this.deps.logger.warn('at-most-once commit failed', { error: (e as Error).message });
    }
    // Not committed: do not process (that could process twice); retry later unless the partition is gone.
    ps.retryAt = Date.now() + 500;
    return false;
  }

  /** The resolved offsets not committed yet (eachBatch's `uncommittedOffsets`). */
  uncommittedOffsets(): OffsetsByTopicPartition {
    const pending = [...this.deps.owned.values()].filter((ps) => ps.resolved >= 0 && ps.resolved > ps.committed);
    return { topics: groupByTopic(pending, (ps) => ({ partition: ps.partition, offset: String(ps.resolved) })) };
  }

  /**
   * Serialized OffsetCommit with member id and epoch. STALE_MEMBER_EPOCH waits for the next
   * heartbeat and retries; partitions no longer owned are dropped. `strict` (manual commits)
   * throws on refusals. Resolves with the keys that were committed.
   */
  commit(entries: CommitEntry[], strict: boolean): Promise<Set<PartitionKey>> {
    const p = this.chain.catch(() => {}).then(() => this.commitNow(entries, strict));
    this.chain = p;
    return p;
  }

  private async commitNow(entries: CommitEntry[], strict: boolean): Promise<Set<PartitionKey>> {
    const { deps } = this;
    const done = new Set<PartitionKey>();
    let pending = entries;
    let refusal: BrookError | null = null;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > Math.max(5, deps.retries)) {
        throw refusal ?? new BrookError(ErrorCode.REQUEST_TIMED_OUT, `commit of ${pending.length} offsets did not succeed after ${attempt} attempts`);
      }
      const m = deps.member();
      const member = m.inGroup && m.memberEpoch > 0;
      let res;
      try {
        res = await deps.sendOffsetCommit({
          groupId: deps.groupId,
          memberId: member ? m.memberId : null,
          memberEpoch: member ? m.memberEpoch : -1,
          topics: groupByTopic(pending, (e) => ({ partition: e.partition, offset: e.offset, metadata: null })),
        });
      } catch (e) {
        if (e instanceof BrookError && e.retriable && deps.connected()) {
          await this.sleep(jitteredBackoff(attempt, 2000));
          continue;
        }
        throw e;
      }
      const retry: CommitEntry[] = [];
      let stale = false;
      const committed: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> = [];
      for (const t of res.topics) {
        const ok: Array<{ partition: number; offset: string }> = [];
        for (const p of t.partitions) {
          const e = pending.find((x) => x.topic === t.topic && x.partition === p.partition);
          if (!e) continue;
          const k = keyOf(t.topic, p.partition);
          if (p.errorCode === 0) {
            done.add(k);
            ok.push({ partition: p.partition, offset: String(e.offset) });
            const ps = deps.owned.get(k);
            if (ps && e.offset > ps.committed) ps.committed = e.offset;
            continue;
          }
          const err = new BrookError(p.errorCode, p.errorMessage);
          if (p.errorCode === ErrorCode.STALE_MEMBER_EPOCH) {
            stale = true;
            retry.push(e);
          } else if (
            p.errorCode === ErrorCode.NOT_PARTITION_OWNER ||
            p.errorCode === ErrorCode.UNKNOWN_MEMBER_ID ||
            p.errorCode === ErrorCode.FENCED_MEMBER_EPOCH ||
            p.errorCode === ErrorCode.ILLEGAL_GENERATION
          ) {
            deps.logger.warn('commit refused: partition no longer owned', { topic: t.topic, partition: p.partition, error: err.type, reason: err.message });
            refusal ??= err;
          } else if (err.retriable) {
            retry.push(e);
          } else {
            deps.logger.error('commit failed', { topic: t.topic, partition: p.partition, error: err.type, reason: err.message });
            refusal ??= err;
          }
        }
        if (ok.length > 0) committed.push({ topic: t.topic, partitions: ok });
      }
      if (committed.length > 0) {
        const now = deps.member();
        deps.emit(ConsumerEvents.COMMIT_OFFSETS, { groupId: deps.groupId, memberId: now.memberId, groupGenerationId: now.memberEpoch, topics: committed });
      }
      pending = retry;
      if (pending.length === 0) break;
      if (stale && deps.member().inGroup) await deps.nextHeartbeat(Math.min(deps.sessionTimeout, 5000));
      else await this.sleep(jitteredBackoff(attempt, 1000));
    }
    if (strict && refusal) throw refusal;
    return done;
  }
}
