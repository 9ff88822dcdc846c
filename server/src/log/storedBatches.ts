/**
 * Reads of one partition's batches back out of the batch store (or, for batches written before
 * it, their 0x02 keys in the log database), for PartitionLog: a run of batches for a fetch, one
 * batch for a timestamp lookup, and a scan. The in-memory index says where each batch is. A fetch's
 * batches are CRC-checked, and a failed LevelDB read becomes Kafka's KAFKA_STORAGE_ERROR, never a
 * partial or made-up answer.
 */
import { BATCH_HEADER_SIZE, BrookError, ErrorCode, crc32c, readInt64 } from '@brook/protocol';
import type { BatchIndex } from './batchIndex.js';
import { IN_LOG_DB, KIND_BATCH, offsetKey, storeKey } from './keys.js';
import { ITERATOR_CHUNK, type Db } from './storage.js';
import type { WriteQueue } from './writeQueue.js';

/** What a fetch may take from the stored batches read (see `valid`). */
export interface FetchWindow {
  /** The offset asked for: batches that end before it are skipped. */
  fetchOffset: number;
  /** High watermark or last stable offset: batches at or past it are not served. */
  limit: number;
  /** Past the first batch, stop before exceeding this. */
  maxBytes: number;
}

export class StoredBatches {
  constructor(
    private readonly db: Db,
    private readonly store: Db,
    private readonly index: BatchIndex,
    private readonly queue: WriteQueue,
    private readonly topic: string,
    private readonly topicId: number,
    private readonly partition: number,
  ) {}

  /**
   * The stored batches at index positions [i, i + n), in order; a batch deleted meanwhile is left
   * out. The keys are taken from the index in the caller's turn (see WriteQueue.writeGroup).
   */
  private fetch(i: number, n: number): Promise<Array<Uint8Array | undefined>> {
    const inStore: Uint8Array[] = [];
    const inLog: Uint8Array[] = [];
    const where = new Array<boolean>(n);
    for (let j = 0; j < n; j++) {
      const seq = this.index.seqOf(i + j);
      where[j] = seq !== IN_LOG_DB;
      if (where[j]) inStore.push(storeKey(seq, this.topicId, this.partition));
      else inLog.push(offsetKey(KIND_BATCH, this.topicId, this.partition, this.index.baseOf(i + j)));
    }
    // Batches written before the batch store live under their 0x02 keys in the log database.
    if (inLog.length === 0) return this.store.getMany(inStore);
    if (inStore.length === 0) return this.db.getMany(inLog);
    return Promise.all([this.store.getMany(inStore), this.db.getMany(inLog)]).then(([a, b]) => {
      let x = 0;
      let y = 0;
      return where.map((s) => (s ? a[x++] : b[y++]));
    });
  }

  /**
   * Up to n stored batches from index position i, keeping only what `w` allows: retention or
   * compaction may have changed the log since the caller planned the read.
   */
  async read(i: number, n: number, w: FetchWindow): Promise<Uint8Array[]> {
    let values: Array<Uint8Array | undefined>;
    try {
      values = await this.fetch(i, n);
    } catch (err) {
      throw this.failed(err);
    }
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const v of values) {
      if (!v) continue;
      const h = new DataView(v.buffer, v.byteOffset, BATCH_HEADER_SIZE);
      const first = readInt64(h, 0);
      if (first >= w.limit) break;
      if (first + h.getInt32(23) < w.fetchOffset) continue;
      if (out.length > 0 && bytes + v.byteLength > w.maxBytes) break;
      this.check(v, h, first);
      out.push(v);
      bytes += v.byteLength;
    }
    return out;
  }

  /** The stored batch at index position i, if it is still there. */
  async get(i: number): Promise<Uint8Array | undefined> {
    try {
      return (await this.fetch(i, 1))[0];
    } catch (err) {
      throw this.failed(err);
    }
  }

  /**
   * Stored batches in offset order from the one holding `from` (or the next), below offset
   * `below`, read ITERATOR_CHUNK at a time; each chunk is planned from the index as it is then.
   */
  async *scan(from: number, below: number): AsyncGenerator<Uint8Array> {
    let next = from;
    for (;;) {
      const i = this.index.find(next);
      if (i < 0 || this.index.baseOf(i) >= below) return;
      let n = 1;
      while (n < ITERATOR_CHUNK && i + n < this.index.length && this.index.baseOf(i + n) < below) n++;
      next = this.index.lastOf(i + n - 1) + 1;
      let values: Array<Uint8Array | undefined>;
      try {
        values = await this.fetch(i, n);
      } catch (err) {
        throw this.failed(err);
      }
      for (const v of values) if (v) yield v;
    }
  }

  /** Never serve what the disk corrupted (the hot cache holds batches validated on the way in). */
  private check(v: Uint8Array, h: DataView, first: number): void {
    if (crc32c(v, 21) !== h.getUint32(17)) {
      throw new BrookError(ErrorCode.CORRUPT_MESSAGE, `stored batch at offset ${first} of ${this.topic}-${this.partition} fails its CRC check`);
    }
  }

  /** Reports a failed read (rate-limited, see WriteQueue.readErrors) and names it for the client. */
  private failed(err: unknown): BrookError {
    this.queue.readErrors.record(err);
    const reason = err instanceof Error ? err.message : String(err);
    return new BrookError(ErrorCode.KAFKA_STORAGE_ERROR, `LevelDB read of ${this.topic}-${this.partition} failed: ${reason}`);
  }
}
