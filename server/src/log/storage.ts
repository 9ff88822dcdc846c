/** The broker's LevelDB and its single write queue. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { useKafkaCodecs } from './compression.js';
import type { LogBatch } from './logBatch.js';
import { RUNNING_KEY } from './keys.js';
import { WriteQueue } from './writeQueue.js';

export type Db = Level<Uint8Array, Uint8Array>;
/** What write-queue entries add their ops to. */
export type DbBatch = LogBatch;

/** Values taken per step (`nextv`) when iterating stored batches. */
export const ITERATOR_CHUNK = 64;

/**
 * Two LevelDBs per broker, binary keys and values (layout in keys.ts): the log database at
 * `<dataDir>/log` (topics, index entries, metadata, other modules' keys) and the batch store at
 * `<dataDir>/batches` (record batches under a write sequence, keys that only grow, so LevelDB's
 * compactions move its tables instead of rewriting them: README.md). Plus the single write queue
 * every writer must go through: one writer keeps offsets in queue order and lets concurrent
 * requests share one fsync.
 */
export class Storage {
  readonly queue: WriteQueue;
  /** Set by recovery once it has looked for what an unclean end left (recovery.ts). */
  recovered = false;

  private constructor(
    readonly db: Db,
    /** The batch store. */
    readonly store: Db,
    /** The running key was there at open: the last run did not close cleanly. */
    readonly uncleanStart: boolean,
    flushIntervalMs?: number,
  ) {
    this.queue = new WriteQueue(db, store, flushIntervalMs);
  }

  /**
   * `flushIntervalMs`: longest an unsynced write (acks=1) waits for its fsync, before which readers
   * do not see it (see WriteQueue).
   */
  static async open(dataDir: string, opts: { flushIntervalMs?: number } = {}): Promise<Storage> {
    useKafkaCodecs(); // stored batches may be compressed
    await mkdir(dataDir, { recursive: true });
    const db = new Level<Uint8Array, Uint8Array>(join(dataDir, 'log'), { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const store = new Level<Uint8Array, Uint8Array>(join(dataDir, 'batches'), { keyEncoding: 'view', valueEncoding: 'view' });
    try {
      await store.open();
    } catch (err) {
      await db.close();
      throw err;
    }
    // Until a clean close deletes it: the next open knows whether this run ended cleanly.
    let unclean: boolean;
    try {
      unclean = (await db.get(RUNNING_KEY)) !== undefined;
      if (!unclean) await db.put(RUNNING_KEY, new Uint8Array(0), { sync: true });
    } catch (err) {
      await Promise.all([db.close(), store.close()]);
      throw err;
    }
    return new Storage(db, store, unclean, opts.flushIntervalMs);
  }

  /** Waits for queued writes, then closes both databases. */
  async close(): Promise<void> {
    await this.queue.close();
    // A clean close: the next start-up need not look for index entries a power loss took, unless
    // this run opened after an unclean end and never recovered (recovery.ts).
    if (this.db.status === 'open' && (this.recovered || !this.uncleanStart)) await this.db.del(RUNNING_KEY, { sync: true });
    await Promise.all([this.db.close(), this.store.close()]);
  }
}
