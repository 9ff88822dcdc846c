/**
 * The batch every write-queue entry adds its ops to: one write to the log database (metadata,
 * index entries, other modules' keys) and one to the batch store (record batches under their
 * store key). The queue writes the two so that a crash leaves nothing a start-up cannot tell
 * apart (see WriteQueue.writeBoth and recovery.ts).
 */
import type { ChainedBatch } from 'level';
import { writeInt64 } from '@brook/protocol';
import { COMMIT_PENDING, KIND_INDEX, NO_PARTITION, storeDeleteKey, storeKey } from './keys.js';
import type { Db } from './storage.js';

type RawBatch = ChainedBatch<Db, Uint8Array, Uint8Array>;

export class LogBatch {
  /** Batch-store keys to delete once the log database no longer points at them. */
  readonly deletes: Uint8Array[] = [];
  /** Keys stored by this batch (to delete them again if the log write fails). */
  readonly stored: Uint8Array[] = [];
  /** Index keys put (to take them back if the batch store's write fails). */
  readonly indexKeys: Uint8Array[] = [];
  /** Some op other than an index entry's put: the log write must follow the batch store's. */
  hasOtherOps = false;
  /** The sequence of the first batch stored, -1 if none. */
  private firstSeq = -1;

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

  /** Stores a record batch of a partition under the next write sequence and returns it (for its index entry). */
  putBatch(value: Uint8Array, topicId: number, partition: number): number {
    const seq = this.allocate();
    if (this.firstSeq < 0) this.firstSeq = seq;
    const key = storeKey(seq, topicId, partition);
    this.store.put(key, value);
    this.stored.push(key);
    return seq;
  }

  /**
   * Deletes a stored batch, after the log write that drops its index entry. That write also
   * records the deletion (0x08), so a crash before the store's delete cannot leak the batch.
   */
  delBatch(seq: number, topicId: number, partition: number): void {
    this.deleteLater(storeKey(seq, topicId, partition));
    this.hasOtherOps = true;
  }

  /**
   * For a group whose log write is its commit point (it has other ops) and that stores batches:
   * a store key saying that the batches from the first one on wait for that write, so start-up
   * drops them if it never landed instead of indexing them from the store (recovery.ts). The
   * group's log write records its deletion, done after the group like a removed batch's.
   */
  markCommitPending(): void {
    if (this.firstSeq < 0) return;
    const key = storeKey(this.allocate(), NO_PARTITION, NO_PARTITION);
    const value = new Uint8Array(9);
    value[0] = COMMIT_PENDING;
    writeInt64(new DataView(value.buffer), 1, this.firstSeq);
    this.store.put(key, value);
    this.stored.push(key);
    this.deleteLater(key);
  }

  private deleteLater(key: Uint8Array): void {
    this.log.put(storeDeleteKey(key), EMPTY);
    this.deletes.push(key);
  }

  /** Ops added so far. */
  get length(): number {
    return this.log.length + this.store.length;
  }
}

const EMPTY = new Uint8Array(0);
