/**
 * The batch every write-queue entry adds its ops to: one write to the log database (metadata,
 * index entries, other modules' keys) and one to the batch store (record batches under their
 * write sequence). The queue writes the two so that a crash leaves nothing a start-up cannot
 * tell apart (see WriteQueue.writeGroup and recovery.ts).
 */
import type { ChainedBatch } from 'level';
import { KIND_INDEX, seqKey, storeDeleteKey } from './keys.js';
import type { Db } from './storage.js';

type RawBatch = ChainedBatch<Db, Uint8Array, Uint8Array>;

export class LogBatch {
  /** Batch-store sequences to delete once the log database no longer points at them. */
  readonly deletes: number[] = [];
  /** Sequences stored by this batch (to delete them again if the log write fails). */
  readonly stored: number[] = [];
  /** Index keys put (to take them back if the batch store's write fails). */
  readonly indexKeys: Uint8Array[] = [];
  /** Some op other than an index entry's put: the log write must follow the batch store's. */
  hasOtherOps = false;

  constructor(
    /** @internal */
    readonly log: RawBatch,
    /** @internal */
    readonly store: RawBatch,
    private readonly allocate: () => number,
  ) {}

  /** A key of the log database (never a record batch: see putBatch). */
  put(key: Uint8Array, value: Uint8Array): void {
    this.log.put(key, value);
    if (key[0] === KIND_INDEX) this.indexKeys.push(key);
    else this.hasOtherOps = true;
  }

  del(key: Uint8Array): void {
    this.log.del(key);
    this.hasOtherOps = true;
  }

  /** Stores a record batch under the next write sequence and returns it (for its index entry). */
  putBatch(value: Uint8Array): number {
    const seq = this.allocate();
    this.store.put(seqKey(seq), value);
    this.stored.push(seq);
    return seq;
  }

  /**
   * Deletes a stored batch, after the log write that drops its index entry. That write also
   * records the deletion (0x08), so a crash before the store's delete cannot leak the batch.
   */
  delBatch(seq: number): void {
    this.log.put(storeDeleteKey(seq), EMPTY);
    this.deletes.push(seq);
    this.hasOtherOps = true;
  }

  /** Ops added so far. */
  get length(): number {
    return this.log.length + this.store.length;
  }
}

const EMPTY = new Uint8Array(0);
