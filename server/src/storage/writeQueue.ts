/**
 * Group commit: everything enqueued while a LevelDB write is in flight goes into the next write,
 * as one chained batch with one sync. Entries are prepared (offsets assigned, ops added) in queue
 * order at flush time, so a failed write leaves no gap: every entry of it is rolled back.
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import type { Db, DbBatch } from './db.js';

export interface WriteEntry {
  sync: boolean;
  /** Adds this entry's operations to the batch (called in queue order). */
  prepare(batch: DbBatch): void;
  /** Runs after the write succeeded, in queue order. */
  commit(): void;
  /** Runs after the write failed. */
  rollback(): void;
}

interface Queued {
  entry: WriteEntry;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class WriteQueue {
  private pending: Queued[] = [];
  private flushing: Promise<void> | null = null;
  /** LevelDB writes issued (tests assert group commit by comparing it with the appends). */
  writes = 0;

  constructor(private readonly db: Db) {}

  enqueue(entry: WriteEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (!this.flushing) {
        // Let the rest of this tick's appends join the first write too.
        this.flushing = Promise.resolve().then(() => this.flush());
      }
    });
  }

  /** Resolves once everything enqueued so far is written. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = this.pending;
        this.pending = [];
        const batch = this.db.batch();
        let sync = false;
        const prepared: Queued[] = [];
        for (const q of group) {
          try {
            q.entry.prepare(batch);
            sync ||= q.entry.sync;
            prepared.push(q);
          } catch (e) {
            q.reject(e as Error);
          }
        }
        if (prepared.length === 0) continue;
        try {
          await batch.write({ sync });
          this.writes++;
        } catch (e) {
          for (let i = prepared.length - 1; i >= 0; i--) prepared[i]!.entry.rollback();
          const err = new BrookError(ErrorCode.STORAGE_ERROR, `storage write failed: ${(e as Error).message}`);
          for (const q of prepared) q.reject(err);
          continue;
        }
        for (const q of prepared) {
          q.entry.commit();
          q.resolve();
        }
      }
    } finally {
      this.flushing = null;
    }
  }
}
