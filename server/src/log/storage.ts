/** The broker's LevelDB and its single write queue. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import type { ChainedBatch } from 'level';
import { useKafkaCodecs } from './compression.js';
import { WriteQueue } from './writeQueue.js';

export type Db = Level<Uint8Array, Uint8Array>;
export type DbBatch = ChainedBatch<Db, Uint8Array, Uint8Array>;

/** Values taken per step (`nextv`) when iterating stored batches. */
export const ITERATOR_CHUNK = 64;

/**
 * One LevelDB per broker at `<dataDir>/log`, binary keys and values (layout in keys.ts), plus the
 * single write queue every writer must go through: one writer keeps offsets in queue order and
 * lets concurrent requests share one fsync.
 */
export class Storage {
  readonly queue: WriteQueue;

  private constructor(
    readonly db: Db,
    flushIntervalMs?: number,
  ) {
    this.queue = new WriteQueue(db, flushIntervalMs);
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
    return new Storage(db, opts.flushIntervalMs);
  }

  /** Waits for queued writes, then closes LevelDB. */
  async close(): Promise<void> {
    await this.queue.close();
    await this.db.close();
  }
}
