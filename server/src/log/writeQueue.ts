/**
 * Group commit. Every LevelDB write of the log layer goes through one queue: while a write is in
 * flight, new entries wait; the next flush puts ALL waiting entries into one chained batch and
 * writes it with one `write({ sync })` (sync if any entry asked for it). LevelDB applies a batch
 * atomically, so an entry (which may touch several partitions and other modules' keys) is
 * all-or-nothing.
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import { ErrorReport, type StorageErrorListener } from './errorReport.js';
import type { Db, DbBatch } from './storage.js';

export interface WriteEntry {
  readonly sync: boolean;
  /**
   * Called at flush time, in queue order, to add this entry's ops. It may throw to refuse the
   * entry (only that entry rejects), but must then throw BEFORE adding any op: ops cannot be
   * taken back out of a chained batch.
   */
  prepare(batch: DbBatch): void;
  /** The batch is written (durable if sync): make the in-memory state match. */
  commit?(): void;
  /** The batch failed: undo whatever prepare reserved in memory. */
  abort?(err: BrookError): void;
}

interface Pending {
  entry: WriteEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class WriteQueue {
  private pending: Pending[] = [];
  private flushing = false;
  private scheduled = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** LevelDB batch writes issued (for tests and metrics). */
  writes = 0;
  /** Entries written (for tests and metrics). */
  entries = 0;
  private readonly writeErrors = new ErrorReport();
  /** Failed LevelDB reads of the log layer (PartitionLog reports them here: it holds the queue, not the Storage). */
  readonly readErrors = new ErrorReport();

  constructor(private readonly db: Db) {}

  /** Told about failed LevelDB writes (the broker logs them), at most once a second, with the count since the last call. */
  get onWriteError(): StorageErrorListener | null {
    return this.writeErrors.listener;
  }

  set onWriteError(listener: StorageErrorListener | null) {
    this.writeErrors.listener = listener;
  }

  /** Told about failed LevelDB reads (the broker logs them), rate-limited like onWriteError. */
  get onReadError(): StorageErrorListener | null {
    return this.readErrors.listener;
  }

  set onReadError(listener: StorageErrorListener | null) {
    this.readErrors.listener = listener;
  }

  enqueue(entry: WriteEntry): Promise<void> {
    if (this.closed) return Promise.reject(new BrookError(ErrorCode.BROKER_SHUTTING_DOWN, 'storage is closing'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (!this.flushing && !this.scheduled) {
        // A microtask lets entries enqueued in the same tick share the first write.
        this.scheduled = true;
        queueMicrotask(() => {
          this.scheduled = false;
          void this.flush();
        });
      }
    });
  }

  /** Resolves once nothing is queued or in flight. */
  drain(): Promise<void> {
    if (!this.flushing && !this.scheduled && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses new entries and waits for the queued ones. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const items = this.pending;
        this.pending = [];
        await this.writeGroup(items);
      }
    } finally {
      this.flushing = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async writeGroup(items: Pending[]): Promise<void> {
    const batch = this.db.batch();
    const ok: Pending[] = [];
    let sync = false;
    for (const it of items) {
      try {
        it.entry.prepare(batch);
      } catch (err) {
        it.reject(err);
        continue;
      }
      ok.push(it);
      if (it.entry.sync) sync = true;
    }
    if (ok.length === 0 || batch.length === 0) {
      await batch.close();
      this.settle(ok);
      return;
    }
    this.writes++;
    try {
      await batch.write({ sync });
    } catch (err) {
      this.writeErrors.record(err);
      const e = new BrookError(ErrorCode.STORAGE_ERROR, `LevelDB write failed: ${err instanceof Error ? err.message : String(err)}`);
      // Undo in reverse so each undo sees the state its prepare left.
      for (let i = ok.length - 1; i >= 0; i--) {
        try {
          ok[i]!.entry.abort?.(e);
        } catch {
          // an undo must not keep the others from running
        }
      }
      for (const it of ok) it.reject(e);
      return;
    }
    this.settle(ok);
  }

  private settle(ok: Pending[]): void {
    this.entries += ok.length;
    for (const it of ok) {
      try {
        it.entry.commit?.();
      } catch (err) {
        it.reject(err);
        continue;
      }
      it.resolve();
    }
  }
}
