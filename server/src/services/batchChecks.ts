/**
 * Produce's batch checks without stalling the other clients. A compressed batch may inflate a
 * thousandfold before its records can be walked: a 61 KB gzip batch (one 60 MiB record) held the
 * event loop 630 ms here, eight of them in one 0.5 MB request 2.5 s. So a partition's records
 * with a compressed batch are checked on a worker thread (piscina); the rest, linear in the bytes
 * received and bounded by the request limits, inline. A partition's appends keep the order their
 * requests arrived in: one that arrives while an earlier one is still being checked waits for it.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import { BrookError, DEFAULT_MAX_DECOMPRESSED_BYTES, ErrorCode, type DecodeOptions } from '@brook/protocol';
import { anyCompressed, checkBatches, sliceBatches, splitBatches, type CheckedSpans, type SplitBatches } from './batchSplit.js';
import type { CheckOutcome, CheckTask } from './batchCheckWorker.js';

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

export class BatchChecks {
  private pool: Piscina<CheckTask, CheckOutcome> | null = null;
  /** The last turn taken per partition log, until it is finished. */
  private readonly last = new Map<object, Turn>();
  private closed = false;

  constructor(
    private readonly logger: Logger,
    /** Worker threads at most (started on first use, stopped when idle). */
    private readonly threads = Math.max(1, Math.min(2, availableParallelism() - 1)),
  ) {}

  /**
   * Checks `records` for the partition `key`, then calls `append` with the batches, in the order
   * the requests arrived; `append` must start its append before it first awaits. Throws the
   * check's BrookError (nothing appended). A request with nothing compressed and nothing ahead
   * of it is checked and appended at once (no await in between).
   */
  async run<T>(key: object, records: Uint8Array, decoding: DecodeOptions, append: (split: SplitBatches) => Promise<T>): Promise<T> {
    const compressed = anyCompressed(records);
    if (!compressed && !this.last.has(key)) return append(splitBatches(records, decoding));
    const turn = this.take(key);
    let appended: Promise<T>;
    try {
      const checked = compressed ? await this.onWorker(records, decoding) : checkBatches(records, decoding);
      await turn.ahead;
      appended = append(sliceBatches(records, checked));
    } finally {
      void turn.ahead.then(turn.finish);
    }
    return appended;
  }

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

  private async onWorker(records: Uint8Array, decoding: DecodeOptions): Promise<CheckedSpans> {
    if (this.closed) throw new BrookError(ErrorCode.BROKER_NOT_AVAILABLE, 'the broker is shutting down');
    this.pool ??= new Piscina<CheckTask, CheckOutcome>({ filename: WORKER.href, minThreads: 0, maxThreads: this.threads, idleTimeout: 30_000 });
    // Exactly its bytes, moved to the worker (a view would clone the whole request frame).
    const copy = records.slice();
    const task: CheckTask = { records: copy, maxDecompressedBytes: decoding.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES };
    const out = await this.pool.run(task, { transferList: [copy.buffer] });
    if (out.ok) return out.checked;
    if (out.unexpected) {
      this.logger.error({ err: out.message }, 'checking record batches failed');
      throw new BrookError(out.code, 'internal error while checking the record batches');
    }
    throw new BrookError(out.code, out.message);
  }
}
