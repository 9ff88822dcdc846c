/**
 * One topic-partition. In memory: the batch index (rebuilt at start-up from the 0x03 keys), the
 * log start offset, and the high watermark (= log end offset, the next offset to assign). Offsets
 * are reserved at flush time in queue order (`nextOffset`) but the high watermark moves only after
 * the write completed, so readers never see data that is not in LevelDB; a failed write gives the
 * reserved offsets back, so offsets stay dense.
 */
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_SIZE,
  BrookError,
  ErrorCode,
  LOG_OVERHEAD,
  MAGIC,
  BASE_SEQUENCE_AT,
  PRODUCER_EPOCH_AT,
  PRODUCER_ID_AT,
  controlTypeOfBatch,
  decodeBatch,
  encodeBatch,
  crc32c,
  readInt64,
  setBaseOffset,
  concatBytes,
} from '@brook/protocol';
import { BatchIndex } from './batchIndex.js';
import { ProducerStateTable, type AbortedTxn, type BatchProducerInfo } from './producerState.js';
import { PartitionCache, type CacheBudget } from './hotCache.js';
import {
  KIND_BATCH,
  KIND_INDEX,
  KIND_PART_META,
  encodeIndexValue,
  type IndexEntry,
  encodePartMeta,
  idPrefix,
  offsetKey,
  prefixEnd,
} from './keys.js';
import type { Db, DbBatch } from './storage.js';
import type { WriteEntry, WriteQueue } from './writeQueue.js';

export interface AppendOptions {
  /** fsync before acknowledging (acks=all). */
  sync: boolean;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  logStartOffset: number;
}

export interface ReadResult {
  /** Whole batches, concatenated. Do not mutate: it may be the cached copy. */
  records: Uint8Array;
  highWatermark: number;
  logStartOffset: number;
  /** The last offset of the last batch returned; -1 if none. */
  lastOffset: number;
}

export interface LogStats {
  batches: number;
  records: number;
  bytes: number;
}

export interface TimestampOffset {
  offset: number;
  timestamp: number;
}

export interface CompactionSettings {
  deleteRetentionMs: number;
  minCompactionLagMs: number;
}

export interface CompactionResult {
  batchesRemoved: number;
  batchesRewritten: number;
  recordsRemoved: number;
}

/** Something to write with a log append in the same LevelDB batch (e.g. committed offsets). */
export interface ExtraOps {
  /** Must throw before adding any op if it refuses. */
  prepare?(batch: DbBatch): void;
  commit?(): void;
  abort?(err: BrookError): void;
}

export interface AtomicPart {
  log: PartitionLog;
  batches: Uint8Array[];
}

const EMPTY = new Uint8Array(0);
const SCAN_CHUNK = 64;
/** Compaction writes its changes in LevelDB batches of about this size. */
const COMPACTION_CHUNK_BYTES = 4 * 1024 * 1024;

/** Header fields read once per appended batch; FIELDS numbers per batch in one typed array. */
const F_SPAN = 0;
const F_MAXTS = 1;
const F_SIZE = 2;
const F_COUNT = 3;
/** The assigned base offset; -1 for a retried batch already in the log (not written again). */
const F_BASE = 4;
const F_PID = 5;
const F_EPOCH = 6;
const F_SEQ = 7;
const F_ATTRS = 8;
const F_CTRL = 9;
const FIELDS = 10;

/**
 * An append prepared but not yet written: `prepare` reserves offsets and adds the ops, `commit`
 * publishes them, `abort` gives the offsets back. Compose several (and your own ops) into one
 * WriteEntry to write them atomically.
 */
export class AppendOp {
  baseOffset = -1;
  lastOffset = -1;
  /** The log end offset once this op is written (its last new offset + 1). */
  endOffset = -1;

  constructor(
    readonly log: PartitionLog,
    private readonly batches: Uint8Array[],
    private readonly info: Float64Array,
  ) {}

  /** Throws if the log can no longer take writes (topic deleted). */
  check(): void {
    this.log.checkOpen();
  }

  prepare(b: DbBatch): void {
    this.log.reserve(this, this.batches, this.info, b);
  }

  commit(): void {
    this.log.publish(this, this.batches, this.info);
  }

  abort(): void {
    this.log.unreserve();
  }

  result(): AppendResult {
    return { baseOffset: this.baseOffset, lastOffset: this.lastOffset, logStartOffset: this.log.logStartOffset };
  }
}

export class PartitionLog {
  private readonly index = new BatchIndex();
  private readonly cache: PartitionCache;
  private _logStartOffset = 0;
  private _highWatermark = 0;
  /** Next offset to reserve; ahead of the high watermark only while a write is in flight. */
  private nextOffset = 0;
  /** Highest end offset ever removed by retention or compaction (persisted in the meta key). */
  private endOffsetFloor = 0;
  private closed = false;
  private readonly listeners = new Set<() => void>();
  private notifyScheduled = false;
  private readonly batchEnd: Uint8Array;
  private readonly metaKey: Uint8Array;
  /** Compaction bookkeeping: the end of the last compacted range and when a kept tombstone expires. */
  private compactedUpTo = -1;
  private nextTombstoneExpiry = Infinity;
  /** Largest batch accepted (the topic's max.message.bytes). */
  maxBatchBytes = 1048576;
  /** Idempotent producers' sequences, open and aborted transactions. */
  private readonly producers = new ProducerStateTable();

  constructor(
    private readonly db: Db,
    readonly queue: WriteQueue,
    budget: CacheBudget,
    readonly topic: string,
    readonly topicId: number,
    readonly partition: number,
  ) {
    this.cache = new PartitionCache(budget);
    this.batchEnd = prefixEnd(idPrefix(KIND_BATCH, topicId, partition));
    this.metaKey = idPrefix(KIND_PART_META, topicId, partition);
  }

  get logStartOffset(): number {
    return this._logStartOffset;
  }

  /** The log end offset: the next offset to assign. Everything below it is written. */
  get highWatermark(): number {
    return this._highWatermark;
  }

  get logEndOffset(): number {
    return this._highWatermark;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- recovery (used by TopicManager.open) ----

  /** @internal */
  recoverMeta(logStartOffset: number, endOffsetFloor: number): void {
    this._logStartOffset = logStartOffset;
    this.endOffsetFloor = endOffsetFloor;
  }

  /** @internal Index entries arrive in key (offset) order. */
  recoverBatch(base: number, e: IndexEntry): void {
    if (e.lastOffset < this._logStartOffset) return;
    this.index.push(base, e.lastOffset, e.maxTimestamp, e.size, e.records);
    if (e.producerId >= 0) {
      this.producers.replay(
        {
          producerId: e.producerId,
          epoch: e.producerEpoch,
          firstSeq: e.baseSequence,
          count: e.lastOffset - base + 1,
          transactional: (e.attributes & ATTR_TRANSACTIONAL) !== 0,
          controlType: (e.attributes & ATTR_CONTROL) !== 0 ? e.controlType : -1,
        },
        base,
        e.lastOffset,
        e.maxTimestamp,
      );
    }
  }

  /** @internal */
  finishRecovery(): void {
    const n = this.index.length;
    const end = n > 0 ? this.index.lastOf(n - 1) + 1 : 0;
    this._highWatermark = Math.max(end, this.endOffsetFloor, this._logStartOffset);
    this.nextOffset = this._highWatermark;
  }

  /** @internal The topic is being deleted: refuse reads and writes from now on. */
  markClosed(): void {
    this.closed = true;
  }

  /** @internal The deletion is written: drop memory. */
  dispose(): void {
    this.closed = true;
    this.cache.clear();
    this.listeners.clear();
  }

  /** @internal A deletion that failed to write: the log is usable again. */
  reopen(): void {
    this.closed = false;
  }

  checkOpen(): void {
    if (this.closed) {
      throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${this.topic} partition ${this.partition} was deleted`);
    }
  }

  // ---- append ----

  /**
   * Appends batches (already checked with validateBatch by the caller; only the header is
   * re-checked here). Offsets are assigned when the write is flushed, in queue order, and stamped
   * into the given buffers in place (bytes 0-7, outside the CRC).
   */
  async append(batches: Uint8Array[], opts: AppendOptions): Promise<AppendResult> {
    const op = this.prepareAppend(batches);
    if (batches.length === 0) return op.result();
    await this.queue.enqueue({
      sync: opts.sync,
      prepare: (b) => {
        op.check();
        op.prepare(b);
      },
      commit: () => op.commit(),
      abort: () => op.abort(),
    });
    return op.result();
  }

  /** Checks the batch headers and returns an op to compose into a WriteEntry (see appendAtomic). */
  prepareAppend(batches: Uint8Array[]): AppendOp {
    this.checkOpen();
    const info = new Float64Array(batches.length * FIELDS);
    for (let i = 0; i < batches.length; i++) {
      const buf = batches[i]!;
      const size = buf.byteLength;
      if (size < BATCH_HEADER_SIZE) throw new BrookError(ErrorCode.CORRUPT_MESSAGE, 'record batch shorter than its header');
      const v = new DataView(buf.buffer, buf.byteOffset, BATCH_HEADER_SIZE);
      const lastOffsetDelta = v.getInt32(23);
      const count = v.getInt32(57);
      if (v.getInt32(8) + LOG_OVERHEAD !== size || v.getInt8(16) !== MAGIC || count <= 0 || lastOffsetDelta < count - 1) {
        throw new BrookError(ErrorCode.CORRUPT_MESSAGE, 'record batch header is inconsistent');
      }
      if (size > this.maxBatchBytes) {
        throw new BrookError(
          ErrorCode.MESSAGE_TOO_LARGE,
          `record batch of ${size} bytes exceeds max.message.bytes ${this.maxBatchBytes} of topic ${this.topic}`,
        );
      }
      const o = i * FIELDS;
      const attrs = v.getInt16(21);
      info[o + F_SPAN] = lastOffsetDelta + 1;
      info[o + F_MAXTS] = readInt64(v, 35);
      info[o + F_SIZE] = size;
      info[o + F_COUNT] = count;
      info[o + F_PID] = readInt64(v, PRODUCER_ID_AT);
      info[o + F_EPOCH] = v.getInt16(PRODUCER_EPOCH_AT);
      info[o + F_SEQ] = v.getInt32(BASE_SEQUENCE_AT);
      info[o + F_ATTRS] = attrs & 0xff;
      info[o + F_CTRL] = (attrs & ATTR_CONTROL) !== 0 ? controlTypeOfBatch(buf) : -1;
    }
    const op = new AppendOp(this, batches, info);
    if (batches.length === 0) {
      // Nothing to write: report the end of the log, as an empty range.
      op.baseOffset = this._highWatermark;
      op.lastOffset = this._highWatermark - 1;
      op.endOffset = this._highWatermark;
    }
    return op;
  }

  /**
   * Appends to several partitions (any topics) in one LevelDB batch: all or nothing. `extra` adds
   * the caller's own ops to the same batch (e.g. transactional offsets).
   */
  static async appendAtomic(parts: AtomicPart[], opts: AppendOptions, extra?: ExtraOps): Promise<AppendResult[]> {
    if (parts.length === 0 && !extra) return [];
    const queue = parts.length > 0 ? parts[0]!.log.queue : undefined;
    const ops = parts.map((p) => {
      if (p.log.queue !== queue) throw new RangeError('appendAtomic: all logs must share one storage');
      return p.log.prepareAppend(p.batches);
    });
    if (!queue) throw new RangeError('appendAtomic needs at least one partition');
    await queue.enqueue({
      sync: opts.sync,
      prepare: (b) => {
        for (const op of ops) op.check();
        extra?.prepare?.(b);
        for (const op of ops) op.prepare(b);
      },
      commit: () => {
        for (const op of ops) op.commit();
        extra?.commit?.();
      },
      abort: (err) => {
        for (const op of ops) op.abort();
        extra?.abort?.(err);
      },
    });
    return ops.map((op) => op.result());
  }

  /**
   * @internal Called by AppendOp.prepare at flush time. Checks every batch's producer sequence
   * first (throwing before any op is added), then adds the new batches; a retried batch that is
   * already in the log is not written again and reports its original offsets.
   */
  reserve(op: AppendOp, batches: Uint8Array[], info: Float64Array, b: DbBatch): void {
    const n = batches.length;
    // Pass 1: sequence checks in order (each batch sees the ones before it), offsets assigned.
    const mark = this.producers.mark();
    let off = this.nextOffset;
    const now = Date.now();
    try {
      for (let i = 0; i < n; i++) {
        const o = i * FIELDS;
        const pi = info[o + F_PID]! >= 0 ? producerInfo(info, o) : null;
        const dup = pi ? this.producers.check(pi) : null;
        if (dup) {
          info[o + F_BASE] = -1;
          if (i === 0) op.baseOffset = dup.base;
          op.lastOffset = dup.last;
          continue;
        }
        const last = off + info[o + F_SPAN]! - 1;
        info[o + F_BASE] = off;
        if (i === 0) op.baseOffset = off;
        op.lastOffset = last;
        if (pi) this.producers.reserve(pi, off, last, now);
        off = last + 1;
      }
    } catch (e) {
      this.producers.restore(mark);
      throw e;
    }
    // Pass 2: nothing can fail any more; add the writes.
    for (let i = 0; i < n; i++) {
      const o = i * FIELDS;
      const base = info[o + F_BASE]!;
      if (base < 0) continue;
      const buf = batches[i]!;
      setBaseOffset(buf, base);
      b.put(offsetKey(KIND_BATCH, this.topicId, this.partition, base), buf);
      b.put(
        offsetKey(KIND_INDEX, this.topicId, this.partition, base),
        encodeIndexValue({
          lastOffset: base + info[o + F_SPAN]! - 1,
          maxTimestamp: info[o + F_MAXTS]!,
          size: info[o + F_SIZE]!,
          records: info[o + F_COUNT]!,
          producerId: info[o + F_PID]!,
          producerEpoch: info[o + F_EPOCH]!,
          baseSequence: info[o + F_SEQ]!,
          attributes: info[o + F_ATTRS]!,
          controlType: info[o + F_CTRL]!,
        }),
      );
    }
    op.endOffset = off;
    this.nextOffset = off;
  }

  /** @internal Called by AppendOp.commit once the batch is written. */
  publish(op: AppendOp, batches: Uint8Array[], info: Float64Array): void {
    if (this.closed) return;
    for (let i = 0; i < batches.length; i++) {
      const o = i * FIELDS;
      const base = info[o + F_BASE]!;
      if (base < 0) continue;
      const last = base + info[o + F_SPAN]! - 1;
      this.index.push(base, last, info[o + F_MAXTS]!, info[o + F_SIZE]!, info[o + F_COUNT]!);
      this.cache.push(base, last, batches[i]!);
    }
    this.producers.publish();
    if (op.endOffset > this._highWatermark) this._highWatermark = op.endOffset;
    this.scheduleNotify();
  }

  /** @internal A failed write: give back the offsets reserved since the last published write. */
  unreserve(): void {
    this.nextOffset = this._highWatermark;
    this.producers.discardPending();
  }

  // ---- transactions ----

  /** The first offset of the earliest open transaction (read_committed consumers stop there), or the high watermark. */
  get lastStableOffset(): number {
    return this.producers.lastStableOffset(this._highWatermark);
  }

  /** Aborted transactions overlapping [from, to), for read_committed fetches. */
  abortedTransactions(from: number, to: number): AbortedTxn[] {
    return this.producers.abortedIn(from, to);
  }

  /** Producers with a transaction open here (producer id -> epoch); recovery aborts them. */
  openTransactions(): Map<number, number> {
    return this.producers.openTransactions();
  }

  /** Forgets idle producers (no write for idleMs, no open transaction); returns how many. */
  expireProducers(now: number, idleMs: number): number {
    return this.producers.expire(now, idleMs);
  }

  // ---- read ----

  /**
   * Whole batches starting with the one that holds fetchOffset (or the next one, after a gap left
   * by compaction): the first one always, more while the total stays within maxBytes.
   */
  async read(fetchOffset: number, maxBytes: number, readCommitted = false): Promise<ReadResult> {
    this.checkOpen();
    const hw = this._highWatermark;
    // read_committed reads stop at the last stable offset; nothing at or past it is served.
    const limit = readCommitted ? this.lastStableOffset : hw;
    const start = this._logStartOffset;
    if (fetchOffset < start || fetchOffset > hw) {
      throw new BrookError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${fetchOffset} is outside [${start}, ${hw}] for ${this.topic}-${this.partition}`,
      );
    }
    if (fetchOffset >= limit) return { records: EMPTY, highWatermark: hw, logStartOffset: start, lastOffset: -1 };
    const cached = this.cache.read(fetchOffset, maxBytes, limit);
    if (cached) return { records: concatBytes(cached), highWatermark: hw, logStartOffset: start, lastOffset: lastOffsetOf(cached) };

    const i = this.index.find(fetchOffset);
    if (i < 0) return { records: EMPTY, highWatermark: hw, logStartOffset: start, lastOffset: -1 };
    let n = 1;
    let total = this.index.sizeOf(i);
    while (i + n < this.index.length && total + this.index.sizeOf(i + n) <= maxBytes) {
      total += this.index.sizeOf(i + n);
      n++;
    }
    const values = await this.db
      .values({ gte: offsetKey(KIND_BATCH, this.topicId, this.partition, this.index.baseOf(i)), lt: this.batchEnd, limit: n })
      .all();
    // Retention or compaction may have run meanwhile: keep only what is still valid.
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const v of values) {
      const h = new DataView(v.buffer, v.byteOffset, BATCH_HEADER_SIZE);
      const base = readInt64(h, 0);
      if (base >= limit) break;
      if (base + h.getInt32(23) < fetchOffset) continue;
      if (out.length > 0 && bytes + v.byteLength > maxBytes) break;
      // Never serve what the disk corrupted: batches read back from LevelDB are CRC-checked
      // (the hot cache holds batches that were validated on the way in).
      if (crc32c(v, 21) !== h.getUint32(17)) {
        throw new BrookError(ErrorCode.CORRUPT_MESSAGE, `stored batch at offset ${base} of ${this.topic}-${this.partition} fails its CRC check`);
      }
      out.push(v);
      bytes += v.byteLength;
    }
    if (out.length === 0 && fetchOffset < this._logStartOffset) {
      throw new BrookError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${fetchOffset} was removed by retention`);
    }
    return { records: concatBytes(out), highWatermark: hw, logStartOffset: this._logStartOffset, lastOffset: lastOffsetOf(out) };
  }

  /**
   * The first batch whose maxTimestamp >= ts (batch granularity, from memory): its base offset and
   * max timestamp. Null if none: the caller answers the log end offset with timestamp -1.
   */
  offsetForTimestamp(ts: number): TimestampOffset | null {
    const i = this.firstBatchAtOrAfter(ts);
    if (i < 0) return null;
    return { offset: Math.max(this.index.baseOf(i), this._logStartOffset), timestamp: this.index.maxTimestampOf(i) };
  }

  /** Like offsetForTimestamp, but record-exact: reads that batch and finds its first record with timestamp >= ts. */
  async findOffsetForTimestamp(ts: number): Promise<TimestampOffset | null> {
    const i = this.firstBatchAtOrAfter(ts);
    if (i < 0) return null;
    const base = this.index.baseOf(i);
    const fallback = { offset: Math.max(base, this._logStartOffset), timestamp: this.index.maxTimestampOf(i) };
    let data: Uint8Array | undefined;
    try {
      data = await this.db.get(offsetKey(KIND_BATCH, this.topicId, this.partition, base));
    } catch {
      return fallback;
    }
    if (!data) return fallback;
    for (const r of decodeBatch(data).records) {
      if (r.timestamp >= ts && r.offset >= this._logStartOffset) return { offset: r.offset, timestamp: r.timestamp };
    }
    return fallback;
  }

  private firstBatchAtOrAfter(ts: number): number {
    const n = this.index.length;
    for (let i = 0; i < n; i++) if (this.index.maxTimestampOf(i) >= ts) return i;
    return -1;
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private scheduleNotify(): void {
    if (this.notifyScheduled || this.listeners.size === 0) return;
    this.notifyScheduled = true;
    // One notification per flush, however many entries it carried for this partition.
    queueMicrotask(() => {
      this.notifyScheduled = false;
      for (const l of [...this.listeners]) {
        try {
          l();
        } catch {
          // a listener's failure is its own business
        }
      }
    });
  }

  stats(): LogStats {
    return { batches: this.index.length, records: this.index.totalRecords, bytes: this.index.totalBytes };
  }

  /** Stored batches in offset order from the one holding fromOffset, up to the high watermark at the call. */
  async *scan(fromOffset = this._logStartOffset): AsyncGenerator<Uint8Array> {
    this.checkOpen();
    const hw = this._highWatermark;
    const i = this.index.find(Math.max(fromOffset, this._logStartOffset));
    if (i < 0) return;
    const it = this.db.values({
      gte: offsetKey(KIND_BATCH, this.topicId, this.partition, this.index.baseOf(i)),
      lt: offsetKey(KIND_BATCH, this.topicId, this.partition, hw),
    });
    try {
      for (;;) {
        const chunk = await it.nextv(SCAN_CHUNK);
        if (chunk.length === 0) return;
        for (const v of chunk) yield v;
      }
    } finally {
      await it.close();
    }
  }

  // ---- retention ----

  /**
   * Plans deletion of whole batches from the front: while a batch's maxTimestamp < now - retentionMs,
   * or while the bytes left after removing it are still >= retentionBytes (-1 disables either).
   * Returns the write entry, or null if nothing is due.
   */
  planRetention(now: number, retentionMs: number, retentionBytes: number): { entry: WriteEntry; batches: number } | null {
    if (this.closed) return null;
    const n = this.index.length;
    let bytes = this.index.totalBytes;
    let k = 0;
    while (k < n) {
      const size = this.index.sizeOf(k);
      const byTime = retentionMs >= 0 && this.index.maxTimestampOf(k) < now - retentionMs;
      const bySize = retentionBytes >= 0 && bytes - size >= retentionBytes;
      if (!byTime && !bySize) break;
      bytes -= size;
      k++;
    }
    if (k === 0) return null;
    const bases: number[] = new Array(k);
    for (let j = 0; j < k; j++) bases[j] = this.index.baseOf(j);
    const newStart = Math.max(this._logStartOffset, this.index.lastOf(k - 1) + 1);
    const floor = Math.max(this.endOffsetFloor, newStart);
    const entry: WriteEntry = {
      sync: false,
      prepare: (b) => {
        this.checkOpen();
        for (const base of bases) {
          b.del(offsetKey(KIND_BATCH, this.topicId, this.partition, base));
          b.del(offsetKey(KIND_INDEX, this.topicId, this.partition, base));
        }
        b.put(this.metaKey, encodePartMeta(newStart, floor));
      },
      commit: () => {
        if (this.closed) return;
        // Maintenance is serialized, so the front is still what was planned.
        let drop = 0;
        while (drop < this.index.length && this.index.lastOf(drop) < newStart) drop++;
        this.index.shift(drop);
        this._logStartOffset = newStart;
        this.endOffsetFloor = floor;
        this.producers.trim(newStart);
        this.cache.evictBefore(newStart);
      },
    };
    return { entry, batches: k };
  }

  // ---- compaction ----

  /**
   * Keeps the latest record per key in the compactable range (all batches but the last, none
   * newer than minCompactionLagMs, and none at or past the last stable offset), drops tombstones
   * older than deleteRetentionMs, keeps records without a key and control batches. Kept records
   * keep their offsets; a batch left empty is deleted. logStartOffset does not move (Kafka's
   * rule); a fetch that lands in a gap gets the next batch.
   *
   * Transactions, as Kafka's log cleaner: batches of aborted transactions are removed and never
   * count as a key's latest value (else an aborted write would evict the committed one and
   * read_committed readers would see neither), and nothing of an open transaction is compacted
   * (it may still abort).
   */
  async compact(now: number, cfg: CompactionSettings): Promise<CompactionResult> {
    const result: CompactionResult = { batchesRemoved: 0, batchesRewritten: 0, recordsRemoved: 0 };
    if (this.closed) return result;
    const n = this.index.length - 1; // the last batch is the active head
    const lagCutoff = now - cfg.minCompactionLagMs;
    const lso = this.lastStableOffset;
    let end = 0;
    while (end < n && this.index.maxTimestampOf(end) <= lagCutoff && this.index.lastOf(end) < lso) end++;
    if (end === 0) return result;
    const endBase = this.index.baseOf(end);
    if (endBase === this.compactedUpTo && now < this.nextTombstoneExpiry) return result;

    const from = offsetKey(KIND_BATCH, this.topicId, this.partition, 0);
    const to = offsetKey(KIND_BATCH, this.topicId, this.partition, endBase);

    // Pass 1: the latest offset of every key in the range.
    const latest = new Map<string, number>();
    await this.forEachStored(from, to, (buf) => {
      const d = decodeBatch(buf);
      if (d.header.attributes & ATTR_CONTROL || this.isAborted(d.header)) return;
      for (const r of d.records) if (r.key) latest.set(keyString(r.key), r.offset);
    });

    // Pass 2: rewrite what changed, in chunks written through the queue.
    const tombstoneCutoff = now - cfg.deleteRetentionMs;
    let tombstoneExpiry = Infinity;
    let chunk: Change[] = [];
    let chunkBytes = 0;
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const c = chunk;
      chunk = [];
      chunkBytes = 0;
      await this.queue.enqueue(this.compactionEntry(c));
    };
    await this.forEachStored(from, to, async (buf) => {
      const d = decodeBatch(buf);
      const h = d.header;
      if (h.attributes & ATTR_CONTROL) return;
      const aborted = this.isAborted(h);
      const kept = d.records.filter((r) => {
        if (aborted) return false;
        if (!r.key) return true;
        if (latest.get(keyString(r.key)) !== r.offset) return false;
        if (r.value === null) {
          if (r.timestamp < tombstoneCutoff) return false;
          tombstoneExpiry = Math.min(tombstoneExpiry, r.timestamp + cfg.deleteRetentionMs);
        }
        return true;
      });
      if (kept.length === d.records.length) return;
      result.recordsRemoved += d.records.length - kept.length;
      const last = h.baseOffset + h.lastOffsetDelta;
      if (kept.length === 0) {
        result.batchesRemoved++;
        chunk.push({ base: h.baseOffset, last, data: null, maxTs: 0, count: 0, producer: NO_PRODUCER });
      } else {
        result.batchesRewritten++;
        const data = encodeBatch({
          baseOffset: h.baseOffset,
          lastOffsetDelta: h.lastOffsetDelta,
          producerId: h.producerId,
          producerEpoch: h.producerEpoch,
          baseSequence: h.baseSequence,
          transactional: (h.attributes & ATTR_TRANSACTIONAL) !== 0,
          records: kept.map((r) => ({
            key: r.key,
            value: r.value,
            headers: r.headers,
            timestamp: r.timestamp,
            offsetDelta: r.offset - h.baseOffset,
          })),
        });
        let maxTs = -1;
        for (const r of kept) if (r.timestamp > maxTs) maxTs = r.timestamp;
        const producer = {
          producerId: h.producerId,
          producerEpoch: h.producerEpoch,
          baseSequence: h.baseSequence,
          attributes: h.attributes & 0xff,
          controlType: -1,
        };
        chunk.push({ base: h.baseOffset, last, data, maxTs, count: kept.length, producer });
        chunkBytes += data.byteLength;
      }
      if (chunkBytes >= COMPACTION_CHUNK_BYTES || chunk.length >= 4096) await flush();
    });
    await flush();
    this.compactedUpTo = endBase;
    this.nextTombstoneExpiry = tombstoneExpiry;
    return result;
  }

  /** A data batch of a transaction that was aborted (its ABORT marker is in the log). */
  private isAborted(h: { attributes: number; producerId: number; baseOffset: number }): boolean {
    if ((h.attributes & ATTR_TRANSACTIONAL) === 0) return false;
    return this.producers.abortedIn(h.baseOffset, h.baseOffset + 1).some((a) => a.producerId === h.producerId && a.firstOffset <= h.baseOffset);
  }

  private compactionEntry(changes: Change[]): WriteEntry {
    let floor = this.endOffsetFloor;
    for (const c of changes) if (c.data === null) floor = Math.max(floor, c.last + 1);
    return {
      sync: false,
      prepare: (b) => {
        this.checkOpen();
        for (const c of changes) {
          const bk = offsetKey(KIND_BATCH, this.topicId, this.partition, c.base);
          const ik = offsetKey(KIND_INDEX, this.topicId, this.partition, c.base);
          if (c.data === null) {
            b.del(bk);
            b.del(ik);
          } else {
            b.put(bk, c.data);
            b.put(ik, encodeIndexValue({ ...c.producer, lastOffset: c.last, maxTimestamp: c.maxTs, size: c.data.byteLength, records: c.count }));
          }
        }
        if (floor > this.endOffsetFloor) b.put(this.metaKey, encodePartMeta(this._logStartOffset, floor));
      },
      commit: () => {
        if (this.closed) return;
        const removed: number[] = [];
        for (const c of changes) {
          const pos = this.index.positionOf(c.base);
          if (pos < 0) continue;
          if (c.data === null) removed.push(pos);
          else this.index.update(pos, c.maxTs, c.data.byteLength, c.count);
        }
        removed.sort((a, b) => a - b);
        this.index.removePositions(removed);
        this.endOffsetFloor = Math.max(this.endOffsetFloor, floor);
        // Compaction is rare; dropping the cache keeps it a faithful suffix of the log.
        this.cache.clear();
      },
    };
  }

  private async forEachStored(
    gte: Uint8Array,
    lt: Uint8Array,
    fn: (buf: Uint8Array) => void | Promise<void>,
  ): Promise<void> {
    const it = this.db.values({ gte, lt });
    try {
      for (;;) {
        const chunk = await it.nextv(SCAN_CHUNK);
        if (chunk.length === 0) return;
        for (const v of chunk) await fn(v);
      }
    } finally {
      await it.close();
    }
  }
}

interface Change {
  base: number;
  last: number;
  /** null: the batch is removed. */
  data: Uint8Array | null;
  maxTs: number;
  count: number;
  producer: Pick<IndexEntry, 'producerId' | 'producerEpoch' | 'baseSequence' | 'attributes' | 'controlType'>;
}

const NO_PRODUCER = { producerId: -1, producerEpoch: -1, baseSequence: -1, attributes: 0, controlType: -1 };

/** Keys compared as strings: latin1 maps each byte to one char, so it is exact and cheap. */
function keyString(k: Uint8Array): string {
  return Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('latin1');
}


function producerInfo(info: Float64Array, o: number): BatchProducerInfo {
  return {
    producerId: info[o + F_PID]!,
    epoch: info[o + F_EPOCH]!,
    firstSeq: info[o + F_SEQ]!,
    count: info[o + F_SPAN]!,
    transactional: (info[o + F_ATTRS]! & ATTR_TRANSACTIONAL) !== 0,
    controlType: info[o + F_CTRL]!,
  };
}

function lastOffsetOf(batches: Uint8Array[]): number {
  const b = batches[batches.length - 1];
  if (!b) return -1;
  const v = new DataView(b.buffer, b.byteOffset, BATCH_HEADER_SIZE);
  return readInt64(v, 0) + v.getInt32(23);
}
