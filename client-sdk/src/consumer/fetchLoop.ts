/**
 * The fetch loop: one long-poll Fetch per leader over its fetchable owned partitions, decoded
 * messages appended to the partitions' buffers, then the processor is told. Responses for a
 * partition that was revoked, seeked or reset meanwhile are dropped.
 */
import { BrookError, ErrorCode, type FetchRequest, type FetchResponse } from '@brook/protocol';
import type { Logger } from '../logger.js';
import { groupByTopic } from '../util/collections.js';
import { jitteredBackoff, sleep } from '../util/time.js';
import type { EmitEvent } from './events.js';
import { decodeFetched } from './fetched.js';
import { errorName, keyOf, type OwnedPartitions, type PartitionState } from './partitions.js';
import type { PauseState } from './pauseState.js';
import type { Positions } from './positions.js';
import { DEFAULTS } from './settings.js';
import { ConsumerEvents, type ConsumerConfig } from './types.js';

/** Sends one Fetch request to the broker. */
export type FetchSender = (request: FetchRequest, timeoutMs: number) => Promise<FetchResponse>;

export interface FetchLoopDeps {
  config: ConsumerConfig;
  /** Wire isolation level (1 read_committed: aborted transactions are dropped). */
  isolationLevel: number;
  requestTimeout: number;
  sendFetch: FetchSender;
  /** The node leading a partition: partitions are fetched per leader (absent: one node). */
  leaderOf?(topic: string, partition: number): number;
  owned: OwnedPartitions;
  paused: Pick<PauseState, 'isPaused'>;
  positions: Pick<Positions, 'outOfRange'>;
  /** New messages are buffered: start handlers. */
  schedule(): void;
  crash(error: Error): void;
  emit: EmitEvent;
  logger: Logger;
}

export class FetchLoop {
  private wakeUp: (() => void) | null = null;

  constructor(private readonly deps: FetchLoopDeps) {}

  /** Something fetchable changed (assignment, position, resume, buffer drained): stop waiting. */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  /**
   * Fetches while `active()` holds: one long poll per leader at a time (over WebSocket, one for
   * the one broker), so data on one broker never waits for another's poll to time out.
   */
  async run(active: () => boolean): Promise<void> {
    const { deps } = this;
    const maxBytes = deps.config.maxBytes ?? DEFAULTS.maxBytes;
    const inFlight = new Map<number, Promise<void>>();
    const fetching = new Set<PartitionState>();
    const failures = new Map<number, number>();
    while (active()) {
      const parts = deps.owned.bufferedBytes >= maxBytes ? [] : this.fetchable(Date.now()).filter((ps) => !fetching.has(ps));
      const byNode = new Map<number, PartitionState[]>();
      for (const ps of parts) {
        const node = deps.leaderOf?.(ps.topic, ps.partition) ?? 0;
        if (inFlight.has(node)) continue;
        let list = byNode.get(node);
        if (!list) byNode.set(node, (list = []));
        list.push(ps);
      }
      for (const [node, list] of byNode) {
        for (const ps of list) fetching.add(ps);
        const job = this.fetchOnce(list, active, failures.get(node) ?? 0)
          .then((ok) => {
            failures.set(node, ok ? 0 : (failures.get(node) ?? 0) + 1);
          })
          .finally(() => {
            for (const ps of list) fetching.delete(ps);
            inFlight.delete(node);
            this.wake();
          });
        inFlight.set(node, job);
      }
      await this.waitForWake(100);
    }
    await Promise.allSettled(inFlight.values());
  }

  /** One Fetch of these partitions (all on one leader); false if it failed (after backing off). */
  private async fetchOnce(parts: PartitionState[], active: () => boolean, failures: number): Promise<boolean> {
    const { deps } = this;
    const req = this.fetchRequest(parts);
    const gens = new Map(parts.map((ps) => [ps.key, { gen: ps.gen, offset: ps.fetchOffset, ps }]));
    deps.emit(ConsumerEvents.FETCH_START, {});
    const started = Date.now();
    let res: FetchResponse;
    try {
      res = await deps.sendFetch(req, deps.requestTimeout + req.maxWaitMs);
    } catch (e) {
      if (!active()) return false;
      const err = e as BrookError;
      deps.logger.debug('fetch failed', { error: err.message });
      if (err instanceof BrookError && !err.retriable && err.code !== ErrorCode.NETWORK_EXCEPTION) {
        deps.logger.warn('fetch failed', { error: err.message, code: err.code });
      }
      await sleep(jitteredBackoff(failures, 2000));
      return false;
    }
    if (!active()) return true;
    let batches = 0;
    for (const t of res.topics) {
      for (const p of t.partitions) {
        const k = keyOf(t.topic, p.partition);
        const g = gens.get(k);
        if (!g) continue;
        const ps = g.ps;
        if (deps.owned.get(k) !== ps || ps.gone || ps.gen !== g.gen || ps.fetchOffset !== g.offset) continue;
        if (p.errorCode !== 0) {
          this.onFetchError(ps, p.errorCode, p.errorMessage);
          continue;
        }
        ps.highWatermark = p.highWatermark;
        if (p.records.length === 0) continue;
        let decoded;
        try {
          decoded = decodeFetched(p.records, ps.fetchOffset, deps.isolationLevel === 1, p.abortedTransactions);
        } catch (e) {
          deps.logger.error('corrupt fetch data', { topic: t.topic, partition: p.partition, error: (e as Error).message });
          ps.retryAt = Date.now() + 1000;
          continue;
        }
        ps.fetchOffset = decoded.nextOffset;
        if (decoded.messages.length > 0) {
          batches++;
          deps.owned.append(ps, decoded.messages);
        }
      }
    }
    deps.emit(ConsumerEvents.FETCH, { numberOfBatches: batches, duration: Date.now() - started });
    deps.schedule();
    return true;
  }

  private waitForWake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /**
   * Partitions to put in the next Fetch. One with records still queued for its handler is fetched
   * too (from after them) while its queue is under maxBytesPerPartition: left out, its next records
   * would wait for a long poll on the other partitions (up to maxWaitTimeInMs) when only it gets
   * traffic. Like Kafka's consumer, which drains its buffer before sending the next fetch.
   */
  private fetchable(now: number): PartitionState[] {
    const out: PartitionState[] = [];
    const queueLimit = this.deps.config.maxBytesPerPartition ?? DEFAULTS.maxBytesPerPartition;
    for (const ps of this.deps.owned.values()) {
      if (!ps.ready || ps.gone || ps.fetchOffset < 0 || this.deps.paused.isPaused(ps)) continue;
      if ((ps.qi < ps.queue.length && ps.queueBytes >= queueLimit) || ps.retryAt > now) continue;
      out.push(ps);
    }
    return out;
  }

  private fetchRequest(parts: PartitionState[]): FetchRequest {
    const { config } = this.deps;
    const perPartition = config.maxBytesPerPartition ?? DEFAULTS.maxBytesPerPartition;
    return {
      maxWaitMs: config.maxWaitTimeInMs ?? DEFAULTS.maxWaitTimeInMs,
      minBytes: config.minBytes ?? DEFAULTS.minBytes,
      maxBytes: config.maxBytes ?? DEFAULTS.maxBytes,
      isolationLevel: this.deps.isolationLevel,
      topics: groupByTopic(parts, (ps) => ({ partition: ps.partition, fetchOffset: ps.fetchOffset, partitionMaxBytes: perPartition })),
    };
  }

  private onFetchError(ps: PartitionState, code: number, message: string | null): void {
    if (code === ErrorCode.OFFSET_OUT_OF_RANGE) {
      const fatal = this.deps.positions.outOfRange(ps, code);
      if (fatal) this.deps.crash(fatal);
      return;
    }
    this.deps.logger.debug('fetch partition error', { topic: ps.topic, partition: ps.partition, error: errorName(code), message });
    ps.retryAt = Date.now() + (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? 1000 : 300);
  }
}
