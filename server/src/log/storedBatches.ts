/**
 * Reads of one partition's batches back out of LevelDB (the 0x03 keys), for PartitionLog: a run of
 * batches for a fetch, one batch for a timestamp lookup, and a scan. Every batch read back is
 * CRC-checked, and a failed LevelDB read becomes Kafka's KAFKA_STORAGE_ERROR, never a partial or
 * made-up answer.
 */
import { BATCH_HEADER_SIZE, BrookError, ErrorCode, crc32c, readInt64 } from '@brook/protocol';
import { KIND_BATCH, idPrefix, offsetKey, prefixEnd } from './keys.js';
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
  private readonly end: Uint8Array;

  constructor(
    private readonly db: Db,
    private readonly queue: WriteQueue,
    private readonly topic: string,
    private readonly topicId: number,
    private readonly partition: number,
  ) {
    this.end = prefixEnd(idPrefix(KIND_BATCH, topicId, partition));
  }

  private key(base: number): Uint8Array {
    return offsetKey(KIND_BATCH, this.topicId, this.partition, base);
  }

  /**
   * Up to n stored batches from the one based at `base`, keeping only what `w` allows: retention or
   * compaction may have changed the log since the caller planned the read.
   */
  async read(base: number, n: number, w: FetchWindow): Promise<Uint8Array[]> {
    let values: Uint8Array[];
    try {
      values = await this.db.values({ gte: this.key(base), lt: this.end, limit: n }).all();
    } catch (err) {
      throw this.failed(err);
    }
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const v of values) {
      const h = new DataView(v.buffer, v.byteOffset, BATCH_HEADER_SIZE);
      const first = readInt64(h, 0);
      if (first >= w.limit) break;
      if (first + h.getInt32(23) < w.fetchOffset) continue;
      if (out.length > 0 && bytes + v.byteLength > w.maxBytes) break;
      // Never serve what the disk corrupted (the hot cache holds batches validated on the way in).
      if (crc32c(v, 21) !== h.getUint32(17)) {
        throw new BrookError(ErrorCode.CORRUPT_MESSAGE, `stored batch at offset ${first} of ${this.topic}-${this.partition} fails its CRC check`);
      }
      out.push(v);
      bytes += v.byteLength;
    }
    return out;
  }

  /** The stored batch based at `base`, if it is still there. */
  async get(base: number): Promise<Uint8Array | undefined> {
    try {
      return await this.db.get(this.key(base));
    } catch (err) {
      throw this.failed(err);
    }
  }

  /** Stored batches in offset order from the one based at `base`, below offset `below`. */
  async *scan(base: number, below: number): AsyncGenerator<Uint8Array> {
    const it = this.db.values({ gte: this.key(base), lt: this.key(below) });
    try {
      for (;;) {
        let chunk: Uint8Array[];
        try {
          chunk = await it.nextv(ITERATOR_CHUNK);
        } catch (err) {
          throw this.failed(err);
        }
        if (chunk.length === 0) return;
        for (const v of chunk) yield v;
      }
    } finally {
      await it.close();
    }
  }

  /** Reports a failed read (rate-limited, see WriteQueue.readErrors) and names it for the client. */
  private failed(err: unknown): BrookError {
    this.queue.readErrors.record(err);
    const reason = err instanceof Error ? err.message : String(err);
    return new BrookError(ErrorCode.KAFKA_STORAGE_ERROR, `LevelDB read of ${this.topic}-${this.partition} failed: ${reason}`);
  }
}
