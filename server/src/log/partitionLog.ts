/**
 * The core of one topic-partition: in-memory state, offset reservation and publication, reads and
 * append notifications (retention.ts and cleaner.ts maintain it; appendOp.ts lays out the writes,
 * storedBatches.ts reads them back).
 *
 * In memory: the batch index (rebuilt at start-up from the 0x03 keys), the log start offset, the
 * log end offset (the next offset to assign: everything below it is written) and the high
 * watermark (everything below it is fsynced). Offsets are reserved at flush time in queue order
 * (`nextOffset`); the log end offset moves after the write completed, the high watermark after the
 * fsync that covers it (at once for a synced write, else within the queue's flushIntervalMs).
 * Readers see only what is below the high watermark, so no consumer reads, or commits past,
 * data a power loss could take back. A failed write gives the reserved offsets back, so offsets
 * stay dense.
 *
 * A topic with Kafka's flush.messages / flush.ms set (`flushPolicy`) trades that for latency, as
 * Kafka on one node: the high watermark moves once the write completed (acks=all answers then),
 * and the fsync follows after flush.messages messages or flush.ms ms, whichever comes first.
 */
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH_HEADER_SIZE, BrookError, ErrorCode, concatBytes, readInt64 } from '@brook/protocol';
import {
  AppendOp,
  FIELDS,
  F_BASE,
  F_COUNT,
  F_STORE,
  F_MAXTS,
  F_PID,
  F_SIZE,
  F_SPAN,
  appendAtomic,
  producerInfo,
  putAppendOps,
  readAppendInfo,
  type AppendOptions,
  type AppendResult,
  type AtomicPart,
  type ExtraOps,
} from './appendOp.js';
import { AppendListeners } from './appendListeners.js';
import { BatchIndex } from './batchIndex.js';
import { decodeOptions } from './compression.js';
import type { CleanerWork } from './batchRewrite.js';
import { LogCleaner, type BatchChange, type CompactionResult, type CompactionSettings } from './cleaner.js';
import { PartitionCache, type CacheBudget } from './hotCache.js';
import { KIND_PART_META, type IndexEntry, idPrefix } from './keys.js';
import { ProducerStateTable, type AbortedTxn } from './producerState.js';
import { firstRecordAtOrAfter, type RecordSeek } from './recordSeek.js';
import { planRetention, type RetentionPlan } from './retention.js';
import type { Db, DbBatch } from './storage.js';
import { StoredBatches } from './storedBatches.js';
import type { FlushPolicy } from './topicConfig.js';
import type { WriteQueue } from './writeQueue.js';

export interface ReadResult {
  /** Whole batches, concatenated. Do not mutate: a single batch is the cached copy itself. */
  records: Uint8Array;
  highWatermark: number;
  logStartOffset: number;
  /** The last offset of the last batch returned; -1 if none. */
  lastOffset: number;
}

/** `readBatches`: the batches as they were read, not joined (a Fetch answer writes them one by one). Do not mutate: they may be the cached copies. */
export type BatchesRead = Omit<ReadResult, 'records'> & { batches: Uint8Array[] };

export interface LogStats {
  batches: number;
  records: number;
  bytes: number;
}

export interface TimestampOffset {
  offset: number;
  timestamp: number;
}

const EMPTY = new Uint8Array(0);

export class PartitionLog {
  /** @internal Read by retention and the cleaner; changed only here. */
  readonly index = new BatchIndex();
  private readonly cache: PartitionCache;
  private _logStartOffset = 0;
  /** Everything below is fsynced: what readers see. */
  private _highWatermark = 0;
  /** Everything below is written to LevelDB (maybe not fsynced yet). */
  private _logEndOffset = 0;
  /** Next offset to reserve; ahead of the log end offset only while a write is in flight. */
  private nextOffset = 0;
  /** An fsync covered the writes so far (WriteQueue.afterSync): readers may see them. */
  private readonly onSynced = (): void => {
    this.unsyncedMessages = 0;
    this.advanceHighWatermark();
  };
  /** The topic's flush.messages / flush.ms; null: every record is fsynced before readers see it. */
  flushPolicy: FlushPolicy | null = null;
  /** Offsets reserved since the last fsync (counted for flush.messages). */
  private unsyncedMessages = 0;
  /** Highest end offset ever removed by retention or compaction (persisted in the meta key). */
  private _endOffsetFloor = 0;
  private closed = false;
  private readonly listeners = new AppendListeners();
  private readonly stored: StoredBatches;
  /** @internal The partition meta key (0x04), written by retention and the cleaner. */
  readonly metaKey: Uint8Array;
  private readonly cleaner = new LogCleaner(this);
  /** Largest batch accepted (the topic's max.message.bytes). */
  maxBatchBytes = 1048576;
  /** Idempotent producers' sequences, open and aborted transactions. */
  private readonly producers = new ProducerStateTable();

  constructor(
    /** @internal */
    readonly db: Db,
    /** @internal The batch store. */
    readonly store: Db,
    readonly queue: WriteQueue,
    budget: CacheBudget,
    readonly topic: string,
    readonly topicId: number,
    readonly partition: number,
  ) {
    this.cache = new PartitionCache(budget);
    this.stored = new StoredBatches(db, store, this.index, queue, topic, topicId, partition);
    this.metaKey = idPrefix(KIND_PART_META, topicId, partition);
  }

  get logStartOffset(): number {
    return this._logStartOffset;
  }

  /**
   * The end of what readers see (Fetch, ListOffsets latest, lag): everything below it is fsynced,
   * so it survives a power loss. Equal to logEndOffset except while acks=1 data awaits its fsync.
   */
  get highWatermark(): number {
    return this._highWatermark;
  }

  /** The next offset to assign: everything below it is written to LevelDB, maybe not fsynced yet. */
  get logEndOffset(): number {
    return this._logEndOffset;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal */
  get endOffsetFloor(): number {
    return this._endOffsetFloor;
  }

  // ---- recovery (used by TopicManager.open) ----

  /** @internal */
  recoverMeta(logStartOffset: number, endOffsetFloor: number): void {
    this._logStartOffset = logStartOffset;
    this._endOffsetFloor = endOffsetFloor;
  }

  /** @internal Index entries arrive in key (offset) order. */
  recoverBatch(base: number, e: IndexEntry): void {
    if (e.lastOffset < this._logStartOffset) return;
    this.index.push(base, e.lastOffset, e.maxTimestamp, e.size, e.records, e.storeSeq);
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

  /** @internal Where the next batch starts, from what recovery fed in so far. */
  recoveredEnd(): number {
    const n = this.index.length;
    return Math.max(n > 0 ? this.index.lastOf(n - 1) + 1 : 0, this._endOffsetFloor, this._logStartOffset);
  }

  /** @internal */
  finishRecovery(): void {
    // LevelDB's recovery writes its log into a synced table file, so all of it is durable now.
    this._logEndOffset = this.recoveredEnd();
    this._highWatermark = this._logEndOffset;
    this.nextOffset = this._logEndOffset;
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
    const policy = this.flushPolicy;
    const entry = {
      // With a flush policy acks=all does not fsync: the count does (decided at flush time).
      sync: policy ? false : opts.sync,
      syncWithinMs: policy?.ms,
      prepare: (b: DbBatch) => {
        op.check();
        op.prepare(b);
        if (policy && this.unsyncedMessages >= policy.messages) entry.sync = true;
      },
      commit: () => op.commit(),
      abort: () => op.abort(),
    };
    await this.queue.enqueue(entry);
    return op.result();
  }

  /** Checks the batch headers and returns an op to compose into a WriteEntry (see appendAtomic). */
  prepareAppend(batches: Uint8Array[]): AppendOp {
    this.checkOpen();
    const info = readAppendInfo(batches, this.maxBatchBytes, this.topic);
    const op = new AppendOp(this, batches, info);
    if (batches.length === 0) {
      // Nothing to write: report the end of the log, as an empty range.
      op.baseOffset = this._logEndOffset;
      op.lastOffset = this._logEndOffset - 1;
      op.endOffset = this._logEndOffset;
    }
    return op;
  }

  /**
   * Appends to several partitions (any topics) in one LevelDB batch: all or nothing. `extra` adds
   * the caller's own ops to the same batch (e.g. transactional offsets).
   */
  static appendAtomic(parts: AtomicPart[], opts: AppendOptions, extra?: ExtraOps): Promise<AppendResult[]> {
    return appendAtomic(parts, opts, extra);
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
    putAppendOps(b, this.topicId, this.partition, batches, info);
    op.endOffset = off;
    this.unsyncedMessages += off - this.nextOffset;
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
      this.index.push(base, last, info[o + F_MAXTS]!, info[o + F_SIZE]!, info[o + F_COUNT]!, info[o + F_STORE]!);
      this.cache.push(base, last, batches[i]!);
    }
    this.producers.publish();
    if (op.endOffset > this._logEndOffset) this._logEndOffset = op.endOffset;
    if (this.queue.writeSynced) this.onSynced();
    else {
      this.queue.afterSync(this.onSynced);
      if (this.flushPolicy) this.advanceHighWatermark();
    }
  }

  /** Everything written so far is fsynced (or the flush policy lets readers see it unsynced). */
  private advanceHighWatermark(): void {
    if (this.closed || this._logEndOffset <= this._highWatermark) return;
    this._highWatermark = this._logEndOffset;
    this.listeners.notify();
  }

  /** @internal A failed write: give back the offsets reserved since the last published write. */
  unreserve(): void {
    this.nextOffset = this._logEndOffset;
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
    const { batches, ...rest } = await this.readBatches(fetchOffset, maxBytes, readCommitted);
    return { records: batches.length === 0 ? EMPTY : concatBytes(batches), ...rest };
  }

  /** As `read`, the batches not joined. */
  async readBatches(fetchOffset: number, maxBytes: number, readCommitted = false): Promise<BatchesRead> {
    this.checkOpen();
    const hw = this._highWatermark;
    // read_committed reads stop at the last stable offset; nothing at or past it is served.
    const limit = readCommitted ? this.lastStableOffset : hw;
    const start = this._logStartOffset;
    // As Kafka: out of range only past the log end; between the high watermark and the log end
    // (written, not yet fsynced) the answer is empty.
    if (fetchOffset < start || fetchOffset > this._logEndOffset) {
      throw new BrookError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${fetchOffset} is outside [${start}, ${this._logEndOffset}] for ${this.topic}-${this.partition}`,
      );
    }
    if (fetchOffset >= limit) return { batches: [], highWatermark: hw, logStartOffset: start, lastOffset: -1 };
    const cached = this.cache.read(fetchOffset, maxBytes, limit);
    if (cached) return { batches: cached, highWatermark: hw, logStartOffset: start, lastOffset: lastOffsetOf(cached) };

    const i = this.index.find(fetchOffset);
    if (i < 0) return { batches: [], highWatermark: hw, logStartOffset: start, lastOffset: -1 };
    let n = 1;
    let total = this.index.sizeOf(i);
    while (i + n < this.index.length && total + this.index.sizeOf(i + n) <= maxBytes) {
      total += this.index.sizeOf(i + n);
      n++;
    }
    const out = await this.stored.read(i, n, { fetchOffset, limit, maxBytes });
    if (out.length === 0 && fetchOffset < this._logStartOffset) {
      throw new BrookError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${fetchOffset} was removed by retention`);
    }
    return { batches: out, highWatermark: hw, logStartOffset: this._logStartOffset, lastOffset: lastOffsetOf(out) };
  }

  /**
   * The first batch whose maxTimestamp >= ts (batch granularity, from memory): its base offset and
   * max timestamp. Null if none: the caller answers the log end offset with timestamp -1.
   */
  offsetForTimestamp(ts: number): TimestampOffset | null {
    const i = this.index.firstWithTimestampAtOrAfter(ts, this._highWatermark);
    if (i < 0) return null;
    return { offset: Math.max(this.index.baseOf(i), this._logStartOffset), timestamp: this.index.maxTimestampOf(i) };
  }

  /** Like offsetForTimestamp, but record-exact: reads that batch and finds its first record with timestamp >= ts. */
  async findOffsetForTimestamp(ts: number, seek: RecordSeek = firstRecordAtOrAfter): Promise<TimestampOffset | null> {
    const i = this.index.firstWithTimestampAtOrAfter(ts, this._highWatermark);
    if (i < 0) return null;
    const base = this.index.baseOf(i);
    const fallback = { offset: Math.max(base, this._logStartOffset), timestamp: this.index.maxTimestampOf(i) };
    const data = await this.stored.get(i);
    if (!data) return fallback;
    return (await seek(data, ts, this._logStartOffset, decodeOptions(this.maxBatchBytes))) ?? fallback;
  }

  /** Calls listener (on a microtask) whenever the high watermark moved: new data readers may see. */
  onAppend(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  stats(): LogStats {
    return { batches: this.index.length, records: this.index.totalRecords, bytes: this.index.totalBytes };
  }

  /** Stored batches in offset order from the one holding fromOffset, up to the high watermark at the call. */
  async *scan(fromOffset = this._logStartOffset): AsyncGenerator<Uint8Array> {
    this.checkOpen();
    const hw = this._highWatermark;
    yield* this.stored.scan(Math.max(fromOffset, this._logStartOffset), hw);
  }

  /** @internal Stored batches from the one holding `from` up to (not including) the one based at `below`, for the cleaner. */
  scanStored(from: number, below: number): AsyncGenerator<Uint8Array> {
    return this.stored.scan(from, below);
  }

  // ---- maintenance (retention.ts, cleaner.ts) ----

  /** Plans retention of this partition (see retention.ts); null if nothing is due. */
  planRetention(now: number, retentionMs: number, retentionBytes: number): RetentionPlan | null {
    return planRetention(this, now, retentionMs, retentionBytes);
  }

  /** Compacts this partition (see cleaner.ts). */
  compact(now: number, cfg: CompactionSettings, work?: CleanerWork): Promise<CompactionResult> {
    return this.cleaner.compact(now, cfg, work);
  }

  /** @internal Retention removed every batch below newStart (written): drop them from memory. */
  advanceLogStart(newStart: number, floor: number): void {
    if (this.closed) return;
    let drop = 0;
    while (drop < this.index.length && this.index.lastOf(drop) < newStart) drop++;
    this.index.shift(drop);
    this._logStartOffset = newStart;
    this._endOffsetFloor = floor;
    this.producers.trim(newStart);
    this.cache.evictBefore(newStart);
  }

  /** @internal The cleaner rewrote or removed stored batches (written): make the index match. */
  applyCompaction(changes: readonly BatchChange[], floor: number): void {
    if (this.closed) return;
    const removed: number[] = [];
    for (const c of changes) {
      const pos = this.index.positionOf(c.base);
      if (pos < 0) continue;
      if (c.data === null) removed.push(pos);
      else this.index.update(pos, c.maxTs, c.data.byteLength, c.count, c.storeSeq);
    }
    removed.sort((a, b) => a - b);
    this.index.removePositions(removed);
    this._endOffsetFloor = Math.max(this._endOffsetFloor, floor);
    // Compaction is rare; dropping the cache keeps it a faithful suffix of the log.
    this.cache.clear();
  }
}

function lastOffsetOf(batches: Uint8Array[]): number {
  const b = batches[batches.length - 1];
  if (!b) return -1;
  const v = new DataView(b.buffer, b.byteOffset, BATCH_HEADER_SIZE);
  return readInt64(v, 0) + v.getInt32(23);
}
