/**
 * Group commit. Every LevelDB write of the log layer goes through one queue: while a write is in
 * flight, new entries wait; the next flush puts ALL waiting entries into one chained batch and
 * writes it with one `write({ sync })` (sync if any entry asked for it). LevelDB applies a batch
 * atomically, so an entry (which may touch several partitions and other modules' keys) is
 * all-or-nothing.
 *
 * Durability: a synced write fsyncs LevelDB's write-ahead log, which holds every earlier write too.
 * Unsynced writes (acks=1, maintenance, topics with flush.* set) are made durable by the next
 * synced write: each says how long it may wait (`syncWithinMs`, default `flushIntervalMs`); the
 * next group is written with sync once the earliest such deadline passed, and an idle queue with
 * unsynced writes writes the sync marker (0x07) at that deadline. `afterSync` callbacks run when a
 * synced write completes; PartitionLog moves its high watermark there (readers never see what a
 * power loss could take back, unless the topic's flush.* config says otherwise).
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import { ErrorReport, type StorageErrorListener } from './errorReport.js';
import { SYNC_MARKER_KEY } from './keys.js';
import type { Db, DbBatch } from './storage.js';

export interface WriteEntry {
  /** fsync this write. Read after `prepare`, so prepare may decide (flush.messages). */
  readonly sync: boolean;
  /** If not synced: the longest this write may wait for an fsync (default: the queue's flushIntervalMs; Infinity: no deadline). */
  readonly syncWithinMs?: number;
  /**
   * Called at flush time, in queue order, to add this entry's ops. It may throw to refuse the
   * entry (only that entry rejects), but must then throw BEFORE adding any op: ops cannot be
   * taken back out of a chained batch.
   */
  prepare(batch: DbBatch): void;
  /** The batch is written (durable if `WriteQueue.writeSynced`): make the in-memory state match. */
  commit?(): void;
  /** The batch failed: undo whatever prepare reserved in memory. */
  abort?(err: BrookError): void;
}

interface Pending {
  entry: WriteEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
  /** performance.now() at enqueue, for `onWrite`'s wait times. */
  at: number;
}

/** One LevelDB write of the queue, as `onWrite` reports it. */
export interface WriteTiming {
  /** The LevelDB write, with its fsync if synced. */
  writeMs: number;
  synced: boolean;
  /** How long each entry of the group waited in the queue (mostly for the write before). */
  waitsMs: number[];
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

  /** True while the commits of a synced write run: everything written so far is durable. */
  writeSynced = false;
  /** Told the timing of every successful write (the broker's metrics); null: not measured. */
  onWrite: ((t: WriteTiming) => void) | null = null;
  /** Some completed write is not yet covered by an fsync. */
  private unsynced = false;
  /** When the earliest deadline of those writes runs out (Infinity: none has one). */
  private syncDueAt = Infinity;
  private readonly syncWaiters = new Set<() => void>();
  private syncTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly db: Db,
    /** Longest an unsynced write waits for the fsync that makes it durable (and visible to readers). */
    readonly flushIntervalMs = 10,
  ) {}

  /** Calls `fn` once, after the next synced write completed (it covers every write before it). */
  afterSync(fn: () => void): void {
    this.syncWaiters.add(fn);
  }

  /** Whether some completed write is not yet covered by an fsync. */
  get hasUnsyncedWrites(): boolean {
    return this.unsynced;
  }

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
      this.pending.push({ entry, resolve, reject, at: performance.now() });
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

  /** Refuses new entries, waits for the queued ones, then fsyncs what is still unsynced. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
    this.clearSyncTimer();
    if (this.unsynced) await new Promise<void>((resolve) => void this.writeGroup([{ entry: syncMarker(), resolve, reject: () => resolve(), at: performance.now() }]));
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
      this.scheduleSync();
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async writeGroup(items: Pending[]): Promise<void> {
    const batch = this.db.batch();
    const ok: Pending[] = [];
    // Unsynced writes waited long enough: this write fsyncs them.
    let sync = this.unsynced && Date.now() >= this.syncDueAt;
    let syncWithinMs = Infinity;
    for (const it of items) {
      try {
        it.entry.prepare(batch);
      } catch (err) {
        it.reject(err);
        continue;
      }
      ok.push(it);
      if (it.entry.sync) sync = true;
      syncWithinMs = Math.min(syncWithinMs, it.entry.syncWithinMs ?? this.flushIntervalMs);
    }
    // Nothing to write, but a sync was asked for (e.g. a retried batch already written unsynced).
    if (ok.length > 0 && batch.length === 0 && sync && this.unsynced) batch.put(SYNC_MARKER_KEY, EMPTY);
    if (ok.length === 0 || batch.length === 0) {
      await batch.close();
      this.settle(ok, false);
      return;
    }
    this.writes++;
    const started = performance.now();
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
    this.onWrite?.({ writeMs: performance.now() - started, synced: sync, waitsMs: ok.map((it) => started - it.at) });
    if (sync) this.synced();
    else {
      this.unsynced = true;
      this.syncDueAt = Math.min(this.syncDueAt, Date.now() + syncWithinMs);
    }
    this.settle(ok, sync);
  }

  /** A synced write completed: every earlier write is durable now. */
  private synced(): void {
    this.unsynced = false;
    this.syncDueAt = Infinity;
    this.clearSyncTimer();
    const waiters = [...this.syncWaiters];
    this.syncWaiters.clear();
    for (const w of waiters) {
      try {
        w();
      } catch {
        // one waiter's failure must not keep the others from running
      }
    }
  }

  /** The queue went idle with unsynced writes: write the sync marker when the earliest is due. */
  private scheduleSync(): void {
    if (!this.unsynced || this.syncDueAt === Infinity || this.syncTimer || this.closed) return;
    const delay = Math.max(0, this.syncDueAt - Date.now());
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      if (!this.unsynced || this.closed) return;
      // A timer cannot wait longer than MAX_TIMER_MS: a later deadline just re-arms it.
      if (Date.now() < this.syncDueAt) this.scheduleSync();
      // A failed marker write leaves the writes unsynced; the next idle moment tries again.
      else this.enqueue(syncMarker()).catch(() => {});
    }, Math.min(delay, MAX_TIMER_MS));
  }

  private clearSyncTimer(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
  }

  private settle(ok: Pending[], synced: boolean): void {
    this.entries += ok.length;
    this.writeSynced = synced;
    for (const it of ok) {
      try {
        it.entry.commit?.();
      } catch (err) {
        it.reject(err);
        continue;
      }
      it.resolve();
    }
    this.writeSynced = false;
  }
}

const EMPTY = new Uint8Array(0);
/** setTimeout's longest delay (a larger one fires at once). */
const MAX_TIMER_MS = 0x7fffffff;

/** An entry that only fsyncs: rewrites the (empty) sync marker with sync. */
function syncMarker(): WriteEntry {
  return { sync: true, prepare: (b) => b.put(SYNC_MARKER_KEY, EMPTY) };
}
