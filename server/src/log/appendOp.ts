/** The append-op layout: how appended batches become LevelDB ops (one WriteEntry, even across partitions). */
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
  readInt64,
  setBaseOffset,
} from '@brook/protocol';
import { KIND_INDEX, encodeIndexValue, offsetKey, type IndexEntry } from './keys.js';
import type { PartitionLog } from './partitionLog.js';
import type { BatchProducerInfo } from './producerState.js';
import type { DbBatch } from './storage.js';

export interface AppendOptions {
  /** fsync before acknowledging (acks=all). */
  sync: boolean;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  logStartOffset: number;
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

/** Header fields read once per appended batch; FIELDS numbers per batch in one typed array. */
export const F_SPAN = 0;
export const F_MAXTS = 1;
export const F_SIZE = 2;
export const F_COUNT = 3;
/** The assigned base offset; -1 for a retried batch already in the log (not written again). */
export const F_BASE = 4;
export const F_PID = 5;
const F_EPOCH = 6;
const F_SEQ = 7;
const F_ATTRS = 8;
const F_CTRL = 9;
/** The batch-store sequence the batch was put under (set at prepare). */
export const F_STORE = 10;
export const FIELDS = 11;

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

/** A batch over its topic's max.message.bytes (Kafka's RecordTooLargeException). */
export const batchTooLarge = (size: number, maxBatchBytes: number, topic: string): BrookError =>
  new BrookError(ErrorCode.MESSAGE_TOO_LARGE, `record batch of ${size} bytes exceeds max.message.bytes ${maxBatchBytes} of topic ${topic}`);

/**
 * Re-checks each batch header cheaply (the caller validated the batches; `max.message.bytes` is
 * the topic's) and reads the numbers an append needs, with no per-record work.
 */
export function readAppendInfo(batches: Uint8Array[], maxBatchBytes: number, topic: string): Float64Array {
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
    if (size > maxBatchBytes) throw batchTooLarge(size, maxBatchBytes, topic);
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
  return info;
}

/** The producer fields of the batch whose fields start at o, for the producer-state checks. */
export function producerInfo(info: Float64Array, o: number): BatchProducerInfo {
  return {
    producerId: info[o + F_PID]!,
    epoch: info[o + F_EPOCH]!,
    firstSeq: info[o + F_SEQ]!,
    count: info[o + F_SPAN]!,
    transactional: (info[o + F_ATTRS]! & ATTR_TRANSACTIONAL) !== 0,
    controlType: info[o + F_CTRL]!,
  };
}

/**
 * Adds the ops of the batches that were given offsets (F_BASE >= 0): the base offset is stamped
 * into the buffer (bytes 0-7, outside the CRC), then the batch goes to the batch store under the
 * next write sequence (F_STORE) and its index entry (0x03) to the log database, always in the same
 * LogBatch.
 */
export function putAppendOps(b: DbBatch, topicId: number, partition: number, batches: Uint8Array[], info: Float64Array): void {
  for (let i = 0; i < batches.length; i++) {
    const o = i * FIELDS;
    const base = info[o + F_BASE]!;
    if (base < 0) continue;
    const buf = batches[i]!;
    setBaseOffset(buf, base);
    const storeSeq = b.putBatch(buf, topicId, partition);
    info[o + F_STORE] = storeSeq;
    b.put(offsetKey(KIND_INDEX, topicId, partition, base), encodeIndexValue(indexEntryOf(info, o, base, storeSeq)));
  }
}

/** The index entry of the batch whose fields start at o (readAppendInfo), given its base offset and store sequence. */
export function indexEntryOf(info: Float64Array, o: number, base: number, storeSeq: number): IndexEntry {
  return {
    lastOffset: base + info[o + F_SPAN]! - 1,
    maxTimestamp: info[o + F_MAXTS]!,
    size: info[o + F_SIZE]!,
    records: info[o + F_COUNT]!,
    producerId: info[o + F_PID]!,
    producerEpoch: info[o + F_EPOCH]!,
    baseSequence: info[o + F_SEQ]!,
    attributes: info[o + F_ATTRS]!,
    controlType: info[o + F_CTRL]!,
    storeSeq,
  };
}

/**
 * Appends to several partitions (any topics) in one LevelDB batch: all or nothing. `extra` adds
 * the caller's own ops to the same batch (e.g. transactional offsets).
 */
export async function appendAtomic(parts: AtomicPart[], opts: AppendOptions, extra?: ExtraOps): Promise<AppendResult[]> {
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
