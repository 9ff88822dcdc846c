/**
 * One topic-partition: an in-memory index of its batches (rebuilt at start-up from the 0x05 index
 * keys), the log start offset, and the high watermark (the log end offset: the next offset to
 * assign). The high watermark moves only after a write completed, so readers never see data that
 * is not in LevelDB. Recent batches stay in a small byte-bounded cache so tailing consumers do not
 * read LevelDB at all.
 */
import { BrookError, ErrorCode, decodeBatch, readBatchHeader, setBaseOffset } from '@brook/protocol';
import type { Db, DbBatch } from './db.js';
import { BATCH, INDEX, PARTITION_META, batchKey, encodeIndex, partitionPrefix, type IndexEntry } from './keys.js';
import type { WriteQueue } from './writeQueue.js';

const CACHE_BYTES = 1024 * 1024;
const EMPTY = new Uint8Array(0);

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  logStartOffset: number;
}

export class PartitionLog {
  // Parallel arrays, oldest first, from `head` on (retention advances head instead of shifting).
  private bases: number[] = [];
  private lasts: number[] = [];
  private maxTs: number[] = [];
  private sizes: number[] = [];
  private counts: number[] = [];
  private head = 0;
  private bytes = 0;
  private records = 0;
  private start = 0;
  private hw = 0;
  /** Next offset to hand out at flush time; equals hw except while a write is in flight. */
  private next = 0;
  private readonly cache = new Map<number, Uint8Array>();
  private cacheBytes = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly topic: string,
    readonly topicId: number,
    readonly partition: number,
    private readonly db: Db,
    private readonly queue: WriteQueue,
  ) {}

  get logStartOffset(): number {
    return this.start;
  }

  get highWatermark(): number {
    return this.hw;
  }

  stats(): { batches: number; records: number; bytes: number } {
    return { batches: this.bases.length - this.head, records: this.records, bytes: this.bytes };
  }

  /** Start-up: index entries arrive in key (offset) order. */
  restore(baseOffset: number, e: IndexEntry): void {
    this.pushIndex(baseOffset, e);
    this.hw = this.next = e.lastOffset + 1;
  }

  /** Start-up, after every index entry was restored: apply the partition's meta record. */
  finishRestore(meta: { logStartOffset: number; logEndOffset: number } | null): void {
    const first = this.head < this.bases.length ? this.bases[this.head]! : null;
    this.start = meta?.logStartOffset ?? first ?? 0;
    this.hw = this.next = Math.max(this.hw, meta?.logEndOffset ?? 0, this.start);
  }

  private pushIndex(base: number, e: IndexEntry): void {
    this.bases.push(base);
    this.lasts.push(e.lastOffset);
    this.maxTs.push(e.maxTimestamp);
    this.sizes.push(e.size);
    this.counts.push(e.records);
    this.bytes += e.size;
    this.records += e.records;
  }

  /** Appends validated batches; resolves once written (and fsynced when `sync`). */
  append(batches: Uint8Array[], opts: { sync: boolean }): Promise<AppendResult> {
    let result: AppendResult | null = null;
    return this.queue
      .enqueue({
        sync: opts.sync,
        prepare: (b) => {
          result = this.stage(batches, b);
        },
        commit: () => this.publish(batches),
        rollback: () => {
          this.next = this.hw;
        },
      })
      .then(() => result!);
  }

  /** Assigns offsets and adds the puts to a LevelDB batch (also used for atomic multi-partition writes). */
  stage(batches: Uint8Array[], b: DbBatch): AppendResult {
    const baseOffset = this.next;
    for (const batch of batches) {
      const h = readBatchHeader(batch);
      setBaseOffset(batch, this.next);
      const last = this.next + h.lastOffsetDelta;
      b.put(batchKey(BATCH, this.topicId, this.partition, this.next), batch);
      b.put(
        batchKey(INDEX, this.topicId, this.partition, this.next),
        encodeIndex({ lastOffset: last, maxTimestamp: h.maxTimestamp, size: batch.length, records: h.recordCount }),
      );
      this.next = last + 1;
    }
    return { baseOffset, lastOffset: this.next - 1, logStartOffset: this.start };
  }

  /** After the write: index, cache, high watermark, wake long polls. */
  publish(batches: Uint8Array[]): void {
    for (const batch of batches) {
      const h = readBatchHeader(batch);
      this.pushIndex(h.baseOffset, { lastOffset: h.baseOffset + h.lastOffsetDelta, maxTimestamp: h.maxTimestamp, size: batch.length, records: h.recordCount });
      this.cachePut(h.baseOffset, batch);
      this.hw = h.baseOffset + h.lastOffsetDelta + 1;
    }
    for (const l of [...this.listeners]) l();
  }

  private cachePut(base: number, batch: Uint8Array): void {
    this.cache.set(base, batch);
    this.cacheBytes += batch.length;
    for (const [k, v] of this.cache) {
      if (this.cacheBytes <= CACHE_BYTES || this.cache.size <= 1) break;
      this.cache.delete(k);
      this.cacheBytes -= v.length;
    }
  }

  /** Index of the batch holding `offset`, or the first batch after it (compacted logs have gaps). */
  private locate(offset: number): number {
    let lo = this.head;
    let hi = this.bases.length - 1;
    let ans = this.bases.length;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.lasts[mid]! >= offset) {
        ans = mid;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return ans;
  }

  /**
   * Whole batches from the one holding `fetchOffset`, up to `maxBytes` (the first batch always,
   * so a consumer can make progress past a batch bigger than its budget).
   */
  async read(fetchOffset: number, maxBytes: number): Promise<{ records: Uint8Array; highWatermark: number; logStartOffset: number }> {
    const hw = this.hw;
    if (fetchOffset < this.start || fetchOffset > hw) {
      throw new BrookError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${fetchOffset} is outside ${this.topic}-${this.partition}'s range [${this.start}, ${hw}]`);
    }
    if (fetchOffset === hw) return { records: EMPTY, highWatermark: hw, logStartOffset: this.start };
    const first = this.locate(fetchOffset);
    const wanted: number[] = [];
    let total = 0;
    for (let i = first; i < this.bases.length && this.bases[i]! < hw; i++) {
      if (wanted.length > 0 && total + this.sizes[i]! > maxBytes) break;
      wanted.push(this.bases[i]!);
      total += this.sizes[i]!;
    }
    const parts: Uint8Array[] = new Array(wanted.length);
    const missing: number[] = [];
    wanted.forEach((base, i) => {
      const hit = this.cache.get(base);
      if (hit) parts[i] = hit;
      else missing.push(i);
    });
    if (missing.length > 0) {
      const got = await this.db.getMany(missing.map((i) => batchKey(BATCH, this.topicId, this.partition, wanted[i]!)));
      missing.forEach((i, j) => {
        parts[i] = got[j] ?? EMPTY; // removed by retention/compaction meanwhile: skip it
      });
    }
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return { records: out, highWatermark: hw, logStartOffset: this.start };
  }

  /** ListOffsets by time: the first record with timestamp >= ts. */
  async offsetForTimestamp(ts: number): Promise<{ offset: number; timestamp: number } | null> {
    for (let i = this.head; i < this.bases.length; i++) {
      if (this.maxTs[i]! < ts) continue;
      const data = await this.db.get(batchKey(BATCH, this.topicId, this.partition, this.bases[i]!));
      if (!data) continue;
      const rec = decodeBatch(data).records.find((r) => r.timestamp >= ts);
      if (rec) return { offset: rec.offset, timestamp: rec.timestamp };
    }
    return null;
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every stored batch from `fromOffset` on, in order (start-up replay of __consumer_offsets). */
  async *scan(fromOffset = this.start): AsyncGenerator<Uint8Array> {
    const end = this.hw;
    const it = this.db.iterator({
      gte: batchKey(BATCH, this.topicId, this.partition, this.bases[this.locate(fromOffset)] ?? end),
      lt: batchKey(BATCH, this.topicId, this.partition, end),
    });
    try {
      for await (const [, v] of it) yield v;
    } finally {
      await it.close();
    }
  }

  // ---- maintenance (run from TopicManager, never concurrently with itself)

  /** Retention: whole batches from the start, by age and by total size. Returns batches deleted. */
  async applyRetention(now: number, retentionMs: number, retentionBytes: number): Promise<number> {
    let n = 0;
    let bytes = this.bytes;
    while (this.head + n < this.bases.length) {
      const i = this.head + n;
      const old = retentionMs >= 0 && this.maxTs[i]! < now - retentionMs;
      const big = retentionBytes >= 0 && bytes - this.sizes[i]! >= retentionBytes;
      if (!old && !big) break;
      bytes -= this.sizes[i]!;
      n++;
    }
    if (n === 0) return 0;
    const from = this.head;
    const to = this.head + n;
    const newStart = to < this.bases.length ? this.bases[to]! : this.hw;
    await this.queue.enqueue({
      sync: false,
      prepare: (b) => {
        for (let i = from; i < to; i++) {
          b.del(batchKey(BATCH, this.topicId, this.partition, this.bases[i]!));
          b.del(batchKey(INDEX, this.topicId, this.partition, this.bases[i]!));
        }
        b.put(partitionPrefix(PARTITION_META, this.topicId, this.partition), metaValue(newStart, this.hw));
      },
      commit: () => {
        for (let i = from; i < to; i++) {
          this.bytes -= this.sizes[i]!;
          this.records -= this.counts[i]!;
          this.cacheDrop(this.bases[i]!);
        }
        this.head = to;
        this.start = Math.max(this.start, newStart);
        if (this.head > 1024 && this.head > this.bases.length / 2) this.trimHead();
      },
      rollback: () => {},
    });
    return n;
  }

  private cacheDrop(base: number): void {
    const c = this.cache.get(base);
    if (c) {
      this.cacheBytes -= c.length;
      this.cache.delete(base);
    }
  }

  private trimHead(): void {
    for (const a of [this.bases, this.lasts, this.maxTs, this.sizes, this.counts]) a.splice(0, this.head);
    this.head = 0;
  }

  /** The batches compaction may rewrite: all but the active (last) one, old enough. */
  compactable(now: number, minLagMs: number): number[] {
    const out: number[] = [];
    for (let i = this.head; i < this.bases.length - 1; i++) if (this.maxTs[i]! <= now - minLagMs) out.push(this.bases[i]!);
    return out;
  }

  async readBatch(base: number): Promise<Uint8Array | undefined> {
    return this.cache.get(base) ?? (await this.db.get(batchKey(BATCH, this.topicId, this.partition, base)));
  }

  /** Replaces (or, with null, removes) batches in place, keeping their base offsets. */
  async rewrite(changes: Map<number, Uint8Array | null>): Promise<void> {
    if (changes.size === 0) return;
    await this.queue.enqueue({
      sync: false,
      prepare: (b) => {
        for (const [base, batch] of changes) {
          const bk = batchKey(BATCH, this.topicId, this.partition, base);
          const ik = batchKey(INDEX, this.topicId, this.partition, base);
          if (batch === null) {
            b.del(bk);
            b.del(ik);
          } else {
            const h = readBatchHeader(batch);
            b.put(bk, batch);
            b.put(ik, encodeIndex({ lastOffset: base + h.lastOffsetDelta, maxTimestamp: h.maxTimestamp, size: batch.length, records: h.recordCount }));
          }
        }
      },
      commit: () => {
        const keep = { bases: [] as number[], lasts: [] as number[], maxTs: [] as number[], sizes: [] as number[], counts: [] as number[] };
        this.bytes = 0;
        this.records = 0;
        for (let i = this.head; i < this.bases.length; i++) {
          const base = this.bases[i]!;
          const ch = changes.get(base);
          this.cacheDrop(base);
          if (ch === null) continue;
          const size = ch ? ch.length : this.sizes[i]!;
          const count = ch ? readBatchHeader(ch).recordCount : this.counts[i]!;
          keep.bases.push(base);
          keep.lasts.push(this.lasts[i]!);
          keep.maxTs.push(this.maxTs[i]!);
          keep.sizes.push(size);
          keep.counts.push(count);
          this.bytes += size;
          this.records += count;
        }
        Object.assign(this, keep);
        this.head = 0;
        // The log start stays put: like Kafka, a compacted log keeps its offsets, gaps and all.
      },
      rollback: () => {},
    });
  }

  /** Writes logStartOffset/logEndOffset so an emptied log still knows where it ends. */
  metaPut(b: DbBatch): void {
    b.put(partitionPrefix(PARTITION_META, this.topicId, this.partition), metaValue(this.start, this.hw));
  }
}

export function metaValue(logStartOffset: number, logEndOffset: number): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ logStartOffset, logEndOffset }));
}
