/**
 * Produce's batch checks without stalling the other clients. A compressed batch may inflate a
 * thousandfold before its records can be walked: a 61 KB gzip batch (one 60 MiB record) held the
 * event loop 630 ms here, eight of them in one 0.5 MB request 2.5 s. And the walk costs by record
 * and header, not by byte: 16 MiB of empty records held it 150 ms, 2 MiB of one record's empty
 * headers 107 ms. So a turn of the event loop checks at most INLINE_BYTES_PER_TURN decompressed
 * bytes and STEPS_PER_TURN records, headers and 256-byte blocks; records that say (in their
 * framing) or turn out to pass what is left are checked on a worker thread (piscina), as a whole
 * partition's. A hop to the worker for every compressed request cost Java's lz4 producer 25-70%
 * more broker CPU and 6-20% of its rate, hence the inline share. A partition's appends keep the
 * order their requests arrived in: one that arrives while an earlier one is still being checked
 * waits for it.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import { BrookError, DEFAULT_MAX_DECOMPRESSED_BYTES, DecompressedTooLargeError, ErrorCode, WalkStepsSpent, batchSteps, readBatchHeader, type DecodeOptions, type DecodedBatch, type WalkSteps } from '@brook/protocol';
import { firstRecordAtOrAfter, type RecordPosition, type RecordSeek } from '../log/recordSeek.js';
import { InlineBudgetSpent, checkBatches, declaredInflation, sliceBatches, type CheckedSpans, type SplitBatches } from './batchSplit.js';
import type { BatchTask, CheckTask, DecodeTask, Outcome, RewriteTask, SeekTask } from './batchCheckWorker.js';
import { decodePicked, type RecordPick } from '../log/recordPage.js';
import { rewriteBatch, summarizeBatch, type BatchSummary, type CleanerWork, type RewrittenBatch } from '../log/batchRewrite.js';
import type { BrokerMetrics } from '../metrics.js';

// Workers run JavaScript: under vitest (the TypeScript sources) the built file (`npm test` builds first).
const WORKER = new URL(import.meta.url.endsWith('.ts') ? '../../dist/services/batchCheckWorker.js' : './batchCheckWorker.js', import.meta.url);

/** A request's place in a partition's order. */
interface Turn {
  /** Resolves once every earlier request of the partition has appended (or failed). */
  readonly ahead: Promise<void>;
  /** Resolves once this one and every earlier one are done. */
  readonly finished: Promise<void>;
  finish(): void;
}

const NOTHING_AHEAD = Promise.resolve();

type WorkerTask = CheckTask | SeekTask | BatchTask | DecodeTask | RewriteTask;

/**
 * Decompressed bytes checked on the event loop per turn: 2 MiB of the smallest records took 28 ms
 * (gzip) and 16 ms (lz4) here, and kept Java's lz4 producer (6 partitions, 64 KiB batches) off the
 * worker; with 1 MiB, 8% of its checks took the hop.
 */
const INLINE_BYTES_PER_TURN = 2 << 20;

/**
 * Records, headers and 256-byte blocks walked on the event loop per turn: 65,536 of the smallest
 * records take about 5 ms here; a 16 MiB batch's CRC alone is as many steps.
 */
const STEPS_PER_TURN = 1 << 16;

export class BatchChecks {
  private pool: Piscina<WorkerTask, Outcome<unknown>> | null = null;
  /** The last turn taken per partition log, until it is finished. */
  private readonly last = new Map<object, Turn>();
  private closed = false;
  /** What this turn of the event loop may still decompress inline (refilled at its end). */
  private readonly budget = { bytes: INLINE_BYTES_PER_TURN, steps: { left: STEPS_PER_TURN } };
  private refillScheduled = false;

  constructor(
    private readonly logger: Logger,
    /** brook_compressed_decodes_total and brook_plain_batch_checks_on_worker_total. */
    private readonly counted: Pick<BrokerMetrics, 'compressedDecodes' | 'plainChecksOnWorker'>,
    /** Worker threads at most (started on first use, stopped when idle). */
    private readonly threads = Math.max(1, Math.min(2, availableParallelism() - 1)),
  ) {}

  /**
   * Checks `records` for the partition `key`, then calls `append` with the batches, in the order
   * the requests arrived; `append` must start its append before it first awaits. Throws the
   * check's BrookError (nothing appended). A request checked inline with nothing ahead of it is
   * appended at once (no await in between).
   */
  async run<T>(key: object, records: Uint8Array, decoding: DecodeOptions, append: (split: SplitBatches) => Promise<T>): Promise<T> {
    // A refused request needs no place in the order: nothing of it is appended.
    const inflation = declaredInflation(records);
    const inline = this.checkInline(records, decoding, inflation);
    if (inline && !this.last.has(key)) return append(sliceBatches(records, inline));
    const turn = this.take(key);
    let appended: Promise<T>;
    try {
      const checked = inline ?? (await this.checkOnWorker(records, decoding, inflation !== null));
      await turn.ahead;
      appended = append(sliceBatches(records, checked));
    } finally {
      void turn.ahead.then(turn.finish);
    }
    return appended;
  }

  /**
   * PartitionLog.findOffsetForTimestamp's seek for callers that serve clients: a stored batch is
   * decoded on the event loop within this turn's budget (as Produce's checks), a larger one on
   * the worker.
   */
  readonly seek: RecordSeek = (batch, ts, fromOffset, decoding) =>
    this.withinBudget(batch, decoding, (d, steps) => firstRecordAtOrAfter(batch, ts, fromOffset, d, steps), (copy, maxDecompressedBytes) =>
      this.onWorker<RecordPosition | null>('seek', { batch: copy, timestamp: ts, fromOffset, maxDecompressedBytes }, copy.buffer),
    );

  /**
   * The records `pick` takes from a stored batch, for the admin API's record pages and tail,
   * budgeted the same way (and from the worker only those come back). Headers are not counted:
   * the picked records come back with all of theirs, and cloning 500k headers back from the
   * worker held the loop 526 ms where decoding them here took 150.
   */
  readonly decode = (batch: Uint8Array, decoding: DecodeOptions, pick: RecordPick): Promise<DecodedBatch> =>
    this.withinBudget(
      batch,
      decoding,
      (d, steps) => {
        steps.left -= Math.min(steps.left, declaredSteps(batch));
        return decodePicked(batch, d, pick);
      },
      (copy, maxDecompressedBytes) => this.onWorker<DecodedBatch>('decode', { batch: copy, maxDecompressedBytes, pick }, copy.buffer),
    );

  /**
   * The cleaner's decoding and re-encoding, budgeted the same way: a 60 MiB gzip batch on a
   * compacted topic held the event loop for the whole of a compaction pass's decode of it.
   */
  readonly cleanerWork: CleanerWork = {
    summarize: (batch, decoding) =>
      this.withinBudget(batch, decoding, (d, steps) => summarizeBatch(batch, d, steps), (copy, maxDecompressedBytes) =>
        this.onWorker<BatchSummary>('summarize', { batch: copy, maxDecompressedBytes }, copy.buffer),
      ),
    rewrite: (batch, keep, decoding, summary) => {
      // Summarized here: decoded already (and budgeted then); what is left is linear in what is kept.
      if (summary.decoded) return rewriteBatch(batch, keep, decoding, summary);
      return this.withinBudget(batch, decoding, (d, steps) => rewriteBatch(batch, keep, d, undefined, steps), (copy, maxDecompressedBytes) =>
        this.onWorker<RewrittenBatch>('rewrite', { batch: copy, keep: [...keep], maxDecompressedBytes }, copy.buffer),
      );
    },
  };

  /** Partitions with a request still being checked (tests). */
  get waiting(): number {
    return this.last.size;
  }

  /** Stops the worker threads; later compressed batches are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }

  /** The check on the event loop, or null if it would pass this turn's budget (then: the worker). */
  private checkInline(records: Uint8Array, decoding: DecodeOptions, inflation: number | null): CheckedSpans | null {
    this.refillAfterThisTurn();
    // Said to pass what is left: to the worker at once (a wrong word costs at most the budget).
    if (inflation !== null && inflation > this.budget.bytes) return null;
    try {
      const checked = checkBatches(records, decoding, this.budget);
      if (inflation !== null) this.counted.compressedDecodes.inc({ where: 'inline' });
      return checked;
    } catch (e) {
      if (e instanceof InlineBudgetSpent) return null;
      throw e;
    }
  }

  /**
   * `inline` on the event loop if the batch fits this turn's budget, else `onWorker` with a copy
   * of it: a compressed batch that passes what is left, a plain one that passes a whole turn's
   * steps (one that passes only what is left waits for the next turn), and either once its
   * headers, found only by decoding, pass the steps left (at most a turn's decoding thrown away).
   */
  private async withinBudget<T>(batch: Uint8Array, decoding: DecodeOptions, inline: (d: DecodeOptions, steps: WalkSteps) => T, onWorker: (copy: Uint8Array<ArrayBuffer>, maxDecompressedBytes: number) => Promise<T>): Promise<T> {
    this.refillAfterThisTurn();
    const inflation = declaredInflation(batch);
    const bound = boundOf(decoding);
    if (inflation === null) {
      const steps = declaredSteps(batch);
      if (steps <= STEPS_PER_TURN) {
        // Scheduled after the refill (immediates run in order): the budget is full again by then.
        if (steps > this.budget.steps.left) await new Promise((r) => setImmediate(r));
        this.refillAfterThisTurn();
        try {
          return inline(decoding, this.budget.steps);
        } catch (e) {
          if (!(e instanceof WalkStepsSpent)) throw e;
        }
      }
      this.counted.plainChecksOnWorker.inc();
      return onWorker(copyOf(batch), bound);
    }
    if (inflation <= this.budget.bytes) {
      const limit = Math.min(bound, this.budget.bytes);
      try {
        const done = inline({ maxDecompressedBytes: limit }, this.budget.steps);
        // What it said: a batch that lied decoded within `limit` still, so at most one budget more.
        this.budget.bytes -= inflation;
        this.counted.compressedDecodes.inc({ where: 'inline' });
        return done;
      } catch (e) {
        if (!(e instanceof WalkStepsSpent || (e instanceof DecompressedTooLargeError && limit < bound))) throw e;
        this.budget.bytes = 0;
      }
    }
    this.counted.compressedDecodes.inc({ where: 'worker' });
    return onWorker(copyOf(batch), bound);
  }

  private refillAfterThisTurn(): void {
    if (this.refillScheduled) return;
    this.refillScheduled = true;
    setImmediate(() => {
      this.refillScheduled = false;
      this.budget.bytes = INLINE_BYTES_PER_TURN;
      this.budget.steps.left = STEPS_PER_TURN;
    });
  }

  private take(key: object): Turn {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const turn: Turn = { ahead: this.last.get(key)?.finished ?? NOTHING_AHEAD, finished, finish };
    this.last.set(key, turn);
    // Forgotten only once finished: a request arriving before that must still queue behind it.
    void finished.then(() => {
      if (this.last.get(key) === turn) this.last.delete(key);
    });
    return turn;
  }

  private checkOnWorker(records: Uint8Array, decoding: DecodeOptions, compressed: boolean): Promise<CheckedSpans> {
    if (compressed) this.counted.compressedDecodes.inc({ where: 'worker' });
    else this.counted.plainChecksOnWorker.inc();
    // Exactly its bytes, moved to the worker (a view would clone the whole request frame).
    const copy = copyOf(records);
    const task: CheckTask = { records: copy, maxDecompressedBytes: boundOf(decoding) };
    return this.onWorker<CheckedSpans>('default', task, copy.buffer);
  }

  private async onWorker<T>(name: 'default' | 'seek' | 'decode' | 'summarize' | 'rewrite', task: WorkerTask, moved: ArrayBuffer): Promise<T> {
    if (this.closed) throw new BrookError(ErrorCode.BROKER_NOT_AVAILABLE, 'the broker is shutting down');
    this.pool ??= new Piscina({ filename: WORKER.href, minThreads: 0, maxThreads: this.threads, idleTimeout: 60_000 });
    const out = (await this.pool.run(task, { name, transferList: [moved] })) as Outcome<T>;
    if (out.ok) return out.value;
    if (out.unexpected) {
      this.logger.error({ err: out.message }, 'a record batch task failed on the worker');
      throw new BrookError(out.code, 'internal error while reading the record batches');
    }
    throw new BrookError(out.code, out.message);
  }
}

const boundOf = (decoding: DecodeOptions): number => decoding.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;

/** A stored batch's steps as its header says: its records and 256-byte blocks (headers are found by decoding). */
const declaredSteps = (batch: Uint8Array): number => Math.max(0, readBatchHeader(batch).recordCount) + batchSteps(batch.length);

/**
 * A copy in an ArrayBuffer of its own, to move to the worker. Not `slice()`: a Buffer's (LevelDB
 * hands out Buffers) is a view, and moving its ArrayBuffer would detach the original.
 */
const copyOf = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);
