/**
 * Hands buffered messages to the application: each partition in order, by one worker at a time,
 * up to partitionsConsumedConcurrently partitions in parallel (round robin). Runs eachMessage or
 * eachBatch, resolves offsets, retries a failed handler after a backoff (at-least-once) or skips
 * the failed messages (at-most-once, whose chunks are committed before they are handed out).
 */
import type { Logger } from '../logger.js';
import type { Committer } from './committer.js';
import type { EmitEvent } from './events.js';
import { parseOffset, type OwnedPartitions, type PartitionState } from './partitions.js';
import type { PauseState } from './pauseState.js';
import type { RunState } from './settings.js';
import {
  ConsumerEvents,
  type Batch,
  type EachBatchPayload,
  type EachMessagePayload,
  type OffsetsByTopicPartition,
  type TopicPartitionsSelector,
} from './types.js';

/** Handler failures are retried from the failed message after this backoff (doubling, capped). */
const HANDLER_RETRY_MS = 300;
const HANDLER_RETRY_MAX_MS = 10_000;

export interface ProcessorDeps {
  owned: OwnedPartitions;
  paused: Pick<PauseState, 'isPaused'>;
  committer: Pick<Committer, 'preCommit' | 'commit' | 'commitResolved' | 'maybeCommitThreshold' | 'uncommittedOffsets'>;
  run(): RunState | null;
  isRunning(): boolean;
  /** The consumer's pause and resume (the handler payload's `pause()`). */
  pause(selectors: TopicPartitionsSelector[]): void;
  resume(selectors: TopicPartitionsSelector[]): void;
  /** A worker finished: its partition may be fetched again. */
  wakeFetch(): void;
  emit: EmitEvent;
  logger: Logger;
}

export class Processor {
  private activeWorkers = 0;
  private rr = 0;
  private scheduleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly deps: ProcessorDeps) {}

  /** No new workers are scheduled by timer (in-flight ones finish). */
  stop(): void {
    if (this.scheduleTimer) clearTimeout(this.scheduleTimer);
    this.scheduleTimer = null;
  }

  /** Starts workers for partitions with buffered messages, up to partitionsConsumedConcurrently. */
  schedule(): void {
    const { deps } = this;
    const run = deps.run();
    if (!run || !deps.isRunning()) return;
    const now = Date.now();
    const list = [...deps.owned.values()];
    let soonest = Infinity;
    const start = this.rr;
    for (let i = 0; i < list.length && this.activeWorkers < run.concurrency; i++) {
      const ps = list[(start + i) % list.length]!;
      if (ps.worker || ps.gone || !ps.ready || ps.qi >= ps.queue.length || deps.paused.isPaused(ps)) continue;
      if (ps.retryAt > now) {
        soonest = Math.min(soonest, ps.retryAt);
        continue;
      }
      this.rr = (start + i + 1) % list.length;
      this.activeWorkers++;
      const w = this.work(ps, run)
        .catch((e: unknown) => deps.logger.error('partition worker failed', { topic: ps.topic, partition: ps.partition, error: (e as Error).message }))
        .finally(() => {
          ps.worker = null;
          this.activeWorkers--;
          this.schedule();
          deps.wakeFetch();
        });
      ps.worker = w;
    }
    if (soonest !== Infinity && !this.scheduleTimer) {
      this.scheduleTimer = setTimeout(() => {
        this.scheduleTimer = null;
        this.schedule();
        deps.wakeFetch();
      }, Math.max(0, soonest - now));
    }
  }

  private live(ps: PartitionState, gen: number): boolean {
    return this.deps.isRunning() && !ps.gone && ps.gen === gen && this.deps.owned.get(ps.key) === ps;
  }

  private async work(ps: PartitionState, run: RunState): Promise<void> {
    const gen = ps.gen;
    if (run.guarantee === 'at-most-once') {
      const end = ps.queue[ps.queue.length - 1]!.offset + 1;
      if (ps.preCommitted < end) {
        const ok = await this.deps.committer.preCommit(ps, end);
        if (!ok || !this.live(ps, gen)) return;
      }
    }
    if (run.config.eachBatch) await this.workBatch(ps, run, gen, run.config.eachBatch);
    else if (run.config.eachMessage) await this.workMessages(ps, run, gen, run.config.eachMessage);
  }

  /**
   * At-most-once: records at or past this offset were not committed before processing. They were
   * fetched while the worker ran (the next Fetch includes a busy partition), and wait for the next
   * worker, which commits them first.
   */
  private processLimit(ps: PartitionState, run: RunState): number {
    return run.guarantee === 'at-most-once' ? ps.preCommitted : Infinity;
  }

  private pauseFn(ps: PartitionState): () => () => void {
    return () => {
      this.deps.pause([{ topic: ps.topic, partitions: [ps.partition] }]);
      return () => this.deps.resume([{ topic: ps.topic, partitions: [ps.partition] }]);
    };
  }

  private async workMessages(ps: PartitionState, run: RunState, gen: number, handler: (p: EachMessagePayload) => Promise<void> | void): Promise<void> {
    const { owned, paused, committer } = this.deps;
    const pause = this.pauseFn(ps);
    const heartbeat = () => Promise.resolve();
    const limit = this.processLimit(ps, run);
    while (this.live(ps, gen) && ps.qi < ps.queue.length && !paused.isPaused(ps)) {
      const m = ps.queue[ps.qi]!;
      if (m.offset >= limit) return;
      try {
        await handler({ topic: ps.topic, partition: ps.partition, message: m.message, heartbeat, pause });
      } catch (e) {
        if (!this.live(ps, gen)) return;
        this.onHandlerError(ps, run, e, m.offset);
        if (run.guarantee === 'at-most-once') {
          // Never process twice: skip the failed message.
          owned.consume(ps, 1);
          continue;
        }
        return;
      }
      ps.handlerFailures = 0;
      // Processed: count it unless a seek moved the position meanwhile (a revocation still commits it).
      if (ps.gen === gen && owned.get(ps.key) === ps) {
        ps.resolved = m.offset + 1;
        ps.uncommittedCount++;
      }
      if (!this.live(ps, gen)) return;
      owned.consume(ps, 1);
      committer.maybeCommitThreshold(run);
    }
  }

  private async workBatch(ps: PartitionState, run: RunState, gen: number, handler: (p: EachBatchPayload) => Promise<void> | void): Promise<void> {
    const { owned, paused, committer, emit } = this.deps;
    if (paused.isPaused(ps)) return;
    const limit = this.processLimit(ps, run);
    let n = ps.qi;
    while (n < ps.queue.length && ps.queue[n]!.offset < limit) n++;
    const msgs = ps.queue.slice(ps.qi, n);
    if (msgs.length === 0) return;
    const hw = ps.highWatermark;
    const messages = msgs.map((m) => m.message);
    const first = msgs[0]!.offset;
    const last = msgs[msgs.length - 1]!.offset;
    const batch: Batch = {
      topic: ps.topic,
      partition: ps.partition,
      highWatermark: String(hw),
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => (messages.length > 0 ? String(first) : null),
      lastOffset: () => (messages.length > 0 ? String(last) : String(hw - 1)),
      offsetLag: () => String(Math.max(0, hw - 1 - last)),
      offsetLagLow: () => String(Math.max(0, hw - 1 - first)),
    };
    const startResolved = ps.resolved;
    const resolveOffset = (offset: string) => {
      const o = parseOffset(offset);
      if (ps.gen !== gen || owned.get(ps.key) !== ps) return;
      if (o + 1 > ps.resolved) {
        ps.uncommittedCount += o + 1 - Math.max(ps.resolved, first);
        ps.resolved = o + 1;
      }
    };
    const payload: EachBatchPayload = {
      batch,
      resolveOffset,
      heartbeat: () => Promise.resolve(),
      commitOffsetsIfNecessary: async (offsets?: OffsetsByTopicPartition) => {
        if (offsets) {
          const entries = offsets.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: parseOffset(p.offset) })));
          await committer.commit(entries, true);
          return;
        }
        if (run.autoCommit) await committer.commitResolved([...owned.values()]);
      },
      uncommittedOffsets: () => committer.uncommittedOffsets(),
      isRunning: () => this.deps.isRunning(),
      isStale: () => !this.live(ps, gen),
      pause: this.pauseFn(ps),
    };
    emit(ConsumerEvents.START_BATCH_PROCESS, { topic: ps.topic, partition: ps.partition, highWatermark: batch.highWatermark, offsetLag: batch.offsetLag(), batchSize: messages.length, firstOffset: batch.firstOffset(), lastOffset: batch.lastOffset() });
    const started = Date.now();
    try {
      await handler(payload);
    } catch (e) {
      if (!this.live(ps, gen)) return;
      this.onHandlerError(ps, run, e, Math.max(ps.resolved, first));
      // Keep unresolved messages buffered: the retry starts from the first unprocessed one.
      const done = ps.resolved - startResolved > 0 ? msgs.filter((m) => m.offset < ps.resolved).length : 0;
      owned.consume(ps, run.guarantee === 'at-most-once' ? msgs.length : done);
      return;
    }
    ps.handlerFailures = 0;
    if (run.config.eachBatchAutoResolve ?? true) resolveOffset(String(last));
    if (!this.live(ps, gen)) return;
    // As in KafkaJS, the position moves past the batch; resolved offsets only decide what is committed.
    owned.consume(ps, msgs.length);
    emit(ConsumerEvents.END_BATCH_PROCESS, { topic: ps.topic, partition: ps.partition, highWatermark: batch.highWatermark, offsetLag: batch.offsetLag(), batchSize: messages.length, firstOffset: batch.firstOffset(), lastOffset: batch.lastOffset(), duration: Date.now() - started });
    committer.maybeCommitThreshold(run);
  }

  private onHandlerError(ps: PartitionState, run: RunState, e: unknown, offset: number): void {
    const err = e instanceof Error ? e : new Error(String(e));
    const delay = Math.min(HANDLER_RETRY_MS * 2 ** Math.min(ps.handlerFailures, 10), HANDLER_RETRY_MAX_MS);
    ps.handlerFailures++;
    this.deps.logger.error(run.guarantee === 'at-most-once' ? 'handler failed; skipping (at-most-once)' : `handler failed; retrying in ${delay} ms`, {
      topic: ps.topic,
      partition: ps.partition,
      offset: String(offset),
      error: err.message,
    });
    if (run.guarantee === 'at-least-once') ps.retryAt = Date.now() + delay;
  }
}
