/**
 * Where each owned partition is read from: its committed offset, else the reset policy
 * (autoOffsetReset / fromBeginning, via ListOffsets); seeks, applied at once or, for a partition
 * not owned yet, when it is assigned; and resets after OFFSET_OUT_OF_RANGE. A position that cannot
 * be looked up fails loudly (the consumer crashes) after retries, never silently guessed.
 */
import {
  BrookError,
  ErrorCode,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
} from '@brook/protocol';
import type { Logger } from '../logger.js';
import { groupByTopic } from '../util/collections.js';
import { jitteredBackoff, sleep as realSleep } from '../util/time.js';
import { errorName, keyOf, type OwnedPartitions, type PartitionKey, type PartitionState } from './partitions.js';
import type { AutoOffsetReset } from './types.js';

/** The broker lookups positions need. */
export interface OffsetLookups {
  offsetFetch(request: OffsetFetchRequest): Promise<OffsetFetchResponse>;
  listOffsets(request: ListOffsetsRequest): Promise<ListOffsetsResponse>;
}

export interface PositionsDeps {
  groupId: string;
  lookups: OffsetLookups;
  resetPolicy(topic: string): AutoOffsetReset;
  /** Wire isolation level for ListOffsets (1 read_committed). */
  isolationLevel: number;
  owned: Pick<OwnedPartitions, 'get' | 'dropQueue'>;
  /** A position changed: the fetch loop should look again. */
  wakeFetch(): void;
  /**
   * Retriable lookup failures (of the request or of a partition) are retried with backoff (up to
   * `retries` times, at least 5) while the consumer runs; then, or at once for other errors, the
   * lookup throws (a reset after OFFSET_OUT_OF_RANGE crashes the consumer with the error).
   */
  isRunning(): boolean;
  retries: number;
  crash(error: Error): void;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

export class Positions {
  private readonly pendingSeeks = new Map<PartitionKey, number>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: PositionsDeps) {
    this.sleep = deps.sleep ?? realSleep;
  }

  /** Moves a partition's position; kept for later if the partition is not owned (or its position not known) yet. */
  seek(topic: string, partition: number, offset: number): void {
    const k = keyOf(topic, partition);
    const ps = this.deps.owned.get(k);
    if (ps && !ps.gone && (ps.ready || ps.fetchOffset >= 0)) {
      this.applySeek(ps, offset);
    } else {
      this.pendingSeeks.set(k, offset);
    }
  }

  /** Newly assigned partitions: a pending seek, else the committed offset, else the reset policy. */
  async initialize(states: PartitionState[]): Promise<void> {
    const committed = await this.fetchCommitted(states);
    const toReset: PartitionState[] = [];
    for (const ps of states) {
      const c = committed.get(ps.key) ?? -1;
      ps.committed = c;
      const seek = this.pendingSeeks.get(ps.key);
      if (seek !== undefined) {
        this.pendingSeeks.delete(ps.key);
        ps.fetchOffset = seek;
        ps.resolved = seek;
      } else if (c >= 0) {
        ps.fetchOffset = c;
        ps.resolved = c;
      } else toReset.push(ps);
    }
    if (toReset.length > 0) await this.reset(toReset);
  }

  /** Applies a seek made while the partition was being assigned (e.g. in onPartitionsAssigned). */
  applyPendingSeek(ps: PartitionState): void {
    const seek = this.pendingSeeks.get(ps.key);
    if (seek === undefined) return;
    this.pendingSeeks.delete(ps.key);
    this.applySeek(ps, seek);
  }

  /** Positions from autoOffsetReset (ListOffsets earliest/latest); 'none' throws a clear error. */
  async reset(states: PartitionState[]): Promise<void> {
    const { deps } = this;
    const none = states.filter((ps) => deps.resetPolicy(ps.topic) === 'none');
    if (none.length > 0) {
      const list = none.map((ps) => `${ps.topic}-${ps.partition}`).join(', ');
      throw new BrookError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `group ${deps.groupId} has no valid committed offset for ${list} and autoOffsetReset is 'none'`,
      );
    }
    // Partition errors are retried like request errors; a partition is never positioned by guess
    // (reading from 0 would make a 'latest' consumer reprocess and commit the whole log).
    let pending = states;
    for (let attempt = 0; ; attempt++) {
      const topics = groupByTopic(pending, (ps) => ({
        partition: ps.partition,
        timestamp: deps.resetPolicy(ps.topic) === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP,
      }));
      const res = await this.withRetry('ListOffsets', () => deps.lookups.listOffsets({ isolationLevel: deps.isolationLevel, topics }));
      const failed = new Map<PartitionState, number>(pending.map((ps) => [ps, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]));
      for (const t of res.topics) {
        for (const p of t.partitions) {
          const ps = pending.find((s) => s.topic === t.topic && s.partition === p.partition);
          if (!ps) continue;
          if (p.errorCode !== 0) {
            failed.set(ps, p.errorCode);
            continue;
          }
          failed.delete(ps);
          ps.fetchOffset = p.offset;
          ps.resolved = p.offset;
        }
      }
      // A partition revoked or lost meanwhile needs no position.
      pending = [...failed.keys()].filter((ps) => !ps.gone && deps.owned.get(ps.key) === ps);
      if (pending.length === 0) return;
      const errors = pending.map((ps) => ({ topic: ps.topic, partition: ps.partition, error: errorName(failed.get(ps)!) }));
      const fatal = pending.find((ps) => !new BrookError(failed.get(ps)!).retriable);
      if (fatal || attempt + 1 >= this.maxAttempts || !deps.isRunning()) {
        const list = errors.map((e) => `${e.topic}-${e.partition} (${e.error})`).join(', ');
        throw new BrookError(
          failed.get(fatal ?? pending[0]!)!,
          `group ${deps.groupId} cannot tell where to start reading ${list}: ListOffsets failed${fatal ? '' : ` ${attempt + 1} times`}`,
        );
      }
      deps.logger.warn('list offsets failed; retrying', { errors, attempt: attempt + 1 });
      await this.sleep(jitteredBackoff(attempt, 2000));
    }
  }

  /**
   * The broker answered OFFSET_OUT_OF_RANGE for the fetch position: reset it by the policy (the
   * partition is not fetched meanwhile). Returns the error to crash with when the policy is 'none'.
   */
  outOfRange(ps: PartitionState, code: number): BrookError | null {
    const policy = this.deps.resetPolicy(ps.topic);
    this.deps.logger.warn('offset out of range; resetting', { topic: ps.topic, partition: ps.partition, offset: ps.fetchOffset, policy });
    if (policy === 'none') {
      return new BrookError(code, `offset ${ps.fetchOffset} is out of range for ${ps.topic}-${ps.partition} and autoOffsetReset is 'none'`);
    }
    ps.ready = false;
    const gen = ++ps.gen;
    this.reset([ps])
      .catch((e: unknown) => this.deps.crash(e instanceof Error ? e : new Error(String(e))))
      .finally(() => {
        if (ps.gen === gen && !ps.gone) ps.ready = true;
        this.deps.wakeFetch();
      });
    return null;
  }

  /** Moves the position now: buffered messages and in-flight fetches of the old position are dropped. */
  applySeek(ps: PartitionState, offset: number): void {
    this.deps.owned.dropQueue(ps);
    ps.gen++;
    ps.fetchOffset = offset;
    ps.resolved = offset;
    ps.preCommitted = -1;
    ps.retryAt = 0;
    ps.handlerFailures = 0;
    this.deps.wakeFetch();
  }

  private async fetchCommitted(states: PartitionState[]): Promise<Map<PartitionKey, number>> {
    // UNSTABLE_OFFSET_COMMIT: a transaction holds a newer offset of the partition. Like Kafka's
    // consumer, ask again (while running) until that transaction commits, aborts or times out.
    const res = await this.withRetry('OffsetFetch', async () => {
      for (let attempt = 0; ; attempt++) {
        const r = await this.deps.lookups.offsetFetch({
          groupId: this.deps.groupId,
          topics: groupByTopic(states, (ps) => ps.partition),
          requireStable: true,
        });
        const unstable = r.topics.some((t) => t.partitions.some((p) => p.errorCode === ErrorCode.UNSTABLE_OFFSET_COMMIT));
        if (!unstable || !this.deps.isRunning()) return r;
        await this.sleep(jitteredBackoff(attempt, 1000));
      }
    });
    if (res.errorCode !== 0) throw new BrookError(res.errorCode, res.errorMessage);
    const out = new Map<PartitionKey, number>();
    for (const t of res.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0) throw new BrookError(p.errorCode, `offset fetch ${t.topic}-${p.partition}`);
        out.set(keyOf(t.topic, p.partition), p.offset);
      }
    }
    return out;
  }

  /** Tries of one lookup before giving up: `retries` (KafkaJS's retry.retries), at least 5. */
  private get maxAttempts(): number {
    return Math.max(5, this.deps.retries) + 1;
  }

  private async withRetry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof BrookError) || !e.retriable || attempt + 1 >= this.maxAttempts || !this.deps.isRunning()) throw e;
        this.deps.logger.debug(`${what} failed; retrying`, { error: e.message });
        await this.sleep(jitteredBackoff(attempt, 2000));
      }
    }
  }
}
