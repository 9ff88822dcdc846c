/**
 * Group commit. Every LevelDB write of the log layer goes through one queue: while a write is in
 * flight, new entries wait; the next flush puts ALL waiting entries into one LogBatch and writes
 * it with one `write({ sync })` to each database (sync if any entry asked for it): the log
 * database and the batch store (record batches). LevelDB applies each batch atomically, and the
 * order of the two writes makes an entry (which may touch several partitions and other modules'
 * keys) all-or-nothing across a crash too (`writeBoth`, recovery.ts).
 *
 * Durability: a synced write fsyncs LevelDB's write-ahead log, which holds every earlier write too.
 * A group of only appends fsyncs the batch store alone (one fsync, as with one database): its index
 * entries, written unsynced, are rebuilt from the store's keys if a power loss takes them
 * (recovery.ts); the log database is fsynced by any other synced group, or by an append group
 * once its unsynced writes are LOG_SYNC_MS old, which bounds that rebuild. Unsynced writes (acks=1, maintenance, topics with flush.* set) are made durable by the next
 * synced write: each says how long it may wait (`syncWithinMs`, default `flushIntervalMs`); the
 * next group is written with sync once the earliest such deadline passed, and an idle queue with
 * unsynced writes writes the sync marker (0x07) at that deadline. `afterSync` callbacks run when a
 * synced write completes; PartitionLog moves its high watermark there (readers never see what a
 * power loss could take back, unless the topic's flush.* config says otherwise).
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import { ErrorReport, type StorageErrorListener } from './errorReport.js';
import { NO_PARTITION, SYNC_MARKER_KEY, storeDeleteKey, storeKey } from './keys.js';
import { LogBatch } from './logBatch.js';
import type { Db } from './storage.js';

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
  prepare(batch: LogBatch): void;
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
  /** The batch store has a write not covered by an fsync (a synced group adds a marker if it has no op there). */
  private storeUnsynced = false;
  /** When the log database's oldest write not covered by an fsync completed (Infinity: none). */
  private logUnsyncedSince = Infinity;
  /** Some of those are not index entries of appends, which only the log database holds. */
  private logUnsyncedOther = false;
  /** The store's last sync marker, deleted by the store's next write (so its keys keep only growing). */
  private storeMarker: Uint8Array | null = null;
  /** The batch store's next write sequence; recovery sets it past every stored key. */
  nextSeq = 0;
  /** When the earliest deadline of those writes runs out (Infinity: none has one). */
  private syncDueAt = Infinity;
  private readonly syncWaiters = new Set<() => void>();
  private syncTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly db: Db,
    /** The batch store: record batches under their write sequence. */
    private readonly store: Db,
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
    if (this.unsynced || this.logUnsyncedSince !== Infinity) await new Promise<void>((resolve) => {
        // A database already closed under the queue: nothing more can be fsynced.
        this.writeGroup([{ entry: syncMarker(), resolve, reject: () => resolve(), at: performance.now() }]).catch(() => resolve());
      });
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
    const batch = new LogBatch(this.db.batch(), this.store.batch(), () => this.nextSeq++);
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
    if (ok.length === 0) {
      await Promise.all([batch.log.close(), batch.store.close()]);
      return;
    }
    if (batch.hasOtherOps) batch.markCommitPending();
    // The log database's own fsync: a commit point, or its unsynced writes are due.
    const logSync = batch.hasOtherOps ? sync || batch.deletes.length > 0 : sync && this.logSyncDue();
    // A commit point's store write is always synced: the log write may not land before it.
    const storeSync = sync || batch.hasOtherOps;
    // A synced write fsyncs each database that has unsynced writes it must cover, with a marker
    // where it has no op. The store's marker takes a sequence of its own; its next write deletes it.
    if (batch.log.length === 0 && logSync && this.logUnsyncedSince !== Infinity) batch.log.put(SYNC_MARKER_KEY, EMPTY);
    const oldMarker = this.storeMarker;
    let marker: Uint8Array | null = null;
    if (sync && batch.store.length === 0 && this.storeUnsynced) {
      marker = storeKey(this.nextSeq++, NO_PARTITION, NO_PARTITION);
      batch.store.put(marker, EMPTY);
    }
    if (oldMarker && batch.store.length > 0) batch.store.del(oldMarker);
    if (batch.length === 0) {
      await Promise.all([batch.log.close(), batch.store.close()]);
      // Synced with no marker needed: nothing written is waiting for an fsync.
      if (sync) this.synced();
      this.settle(ok, sync);
      return;
    }
    this.writes++;
    const started = performance.now();
    const wroteStore = batch.store.length > 0;
    const wroteLog = batch.log.length > 0;
    try {
      await this.writeBoth(batch, storeSync, logSync);
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
    if (wroteStore) {
      this.storeUnsynced = !storeSync;
      this.storeMarker = marker;
    }
    if (wroteLog && logSync) {
      this.logUnsyncedSince = Infinity;
      this.logUnsyncedOther = false;
    } else if (wroteLog) {
      if (this.logUnsyncedSince === Infinity) this.logUnsyncedSince = Date.now();
      if (batch.hasOtherOps) this.logUnsyncedOther = true;
    }
    if (sync) this.synced();
    else {
      this.unsynced = true;
      this.syncDueAt = Math.min(this.syncDueAt, Date.now() + syncWithinMs);
    }
    this.settle(ok, sync);
    // After the commits: a read plans its batch-store keys from memory and asks for them in the
    // same turn, so none asks for a batch deleted here once the index stopped pointing at it.
    if (batch.deletes.length > 0) await this.deleteStored(batch.deletes);
  }

  /** Whether a synced append group must fsync the log database too (see the top of this file). */
  private logSyncDue(): boolean {
    return this.closed || this.logUnsyncedOther || Date.now() - this.logUnsyncedSince >= LOG_SYNC_MS;
  }

  /**
   * The two writes of a group. Only appends (new batches and their index entries): both at once,
   * and only the store's synced (the log's is fsynced when due); a crash between them leaves index
   * entries above the batch store's last key, dropped at start-up, or batches no entry points at
   * yet, indexed from the store. Any other op (metadata, other modules' keys, deletions): the
   * batch store first, synced, with the group's commit-pending key (LogBatch.markCommitPending),
   * then the log database, whose write is the commit point: start-up drops the stored batches it
   * never pointed at, and the commit point can never be on disk before what it points at.
   * Deletions write the log database synced, so no index entry can outlive its batch.
   */
  private async writeBoth(b: LogBatch, storeSync: boolean, logSync: boolean): Promise<void> {
    if (!b.hasOtherOps) {
      const [stored, logged] = await Promise.allSettled([write(b.store, storeSync), write(b.log, logSync)]);
      if (stored.status === 'fulfilled' && logged.status === 'fulfilled') return;
      // Take back the half that was written, so later writes cannot leave it below them.
      if (logged.status === 'fulfilled') await this.bestEffort(this.db, b.indexKeys);
      if (stored.status === 'fulfilled') await this.bestEffort(this.store, b.stored);
      throw stored.status === 'rejected' ? stored.reason : (logged as PromiseRejectedResult).reason;
    }
    await write(b.store, storeSync);
    try {
      await write(b.log, logSync);
    } catch (err) {
      await this.bestEffort(this.store, b.stored);
      throw err;
    }
  }

  /**
   * Deletes batch-store keys no index entry points at any more, then their 0x08 records. The
   * store's delete is synced so that the records can never be gone while the keys are back after a
   * power loss; if it fails, the records stay and start-up deletes the keys (recovery.ts).
   */
  private async deleteStored(keys: Uint8Array[]): Promise<void> {
    if (await this.bestEffort(this.store, keys, true)) await this.bestEffort(this.db, keys.map(storeDeleteKey));
  }

  /** Deletes `keys`; a failure is reported and leaves them (false). */
  private async bestEffort(db: Db, keys: Uint8Array[], sync = false): Promise<boolean> {
    if (keys.length === 0) return true;
    try {
      const b = db.batch();
      for (const k of keys) b.del(k);
      await b.write({ sync });
      return true;
    } catch (err) {
      this.writeErrors.record(err);
      return false;
    }
  }

  /** A synced write completed: every earlier write is durable now (or rebuilt from the store, see the top). */
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

type RawBatch = LogBatch['log'];

function write(b: RawBatch, sync: boolean): Promise<void> {
  return b.length > 0 ? b.write({ sync }) : b.close();
}
/** How old the log database's unsynced writes may get before an append group fsyncs it too. */
export const LOG_SYNC_MS = 1000;
/** setTimeout's longest delay (a larger one fires at once). */
const MAX_TIMER_MS = 0x7fffffff;

/** An entry that only fsyncs: writeGroup adds a marker to each database with unsynced writes. */
function syncMarker(): WriteEntry {
  return { sync: true, prepare: () => {} };
}
