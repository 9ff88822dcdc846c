/**
 * Record batches, byte-identical to Kafka's RecordBatch v2 (magic 2):
 *
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 (=2) |
 *   crc uint32 (CRC-32C of everything after it) | attributes int16 | lastOffsetDelta int32 |
 *   baseTimestamp int64 | maxTimestamp int64 | producerId int64 | producerEpoch int16 |
 *   baseSequence int32 | recordCount int32 | records...
 *
 * baseOffset (and partitionLeaderEpoch) sit before the CRC, so the broker can stamp offsets
 * without recomputing it. See protocol/README.md for the record layout. With compression
 * (attributes bits 0-2, see compression.ts) the records section is compressed as a whole; the
 * header and the CRC (over the compressed bytes) stay as they are.
 */
import { COMPRESSION_MASK, compressRecords, compressionName, decompressRecords } from './compression.js';
import { crc32c } from '#crc32c';
import { ProtocolError, Reader, Writer, joinRecords, readInt64, utf8Encode, writeInt64, type RecordBytes } from './io.js';

export const BATCH_HEADER_SIZE = 61;
export const MAGIC = 2;
/** Bytes that precede `batchLength`'s count: baseOffset + batchLength itself. */
export const LOG_OVERHEAD = 12;
const CRC_AT = 17;
/** Where a batch header's attributes (int16, the codec in its low 3 bits) are. */
export const ATTRIBUTES_AT = 21;

export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

export interface RecordInput {
  key?: Uint8Array | null;
  value: Uint8Array | null;
  headers?: RecordHeader[];
  timestamp?: number;
  /** Offset relative to the batch base; defaults to the record's index. Compaction keeps gaps. */
  offsetDelta?: number;
}

export interface BatchInput {
  records: RecordInput[];
  baseOffset?: number;
  /** Defaults to the last record's offsetDelta; compaction keeps the original. */
  lastOffsetDelta?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  /** Compression codec id (CompressionCodecId); its codec must be registered and able to compress. */
  compression?: number;
}

export interface DecodeOptions {
  /** Largest decompressed records section accepted (DEFAULT_MAX_DECOMPRESSED_BYTES). */
  maxDecompressedBytes?: number;
}

/**
 * Steps a walk may still take, for a caller that must bound the time a walk holds its thread: a
 * step is a record, a header, or 256 bytes of a batch (its CRC). Small records cost ~70 ns each
 * whatever their bytes, so bytes alone do not bound a walk.
 */
export interface WalkSteps {
  left: number;
}

/** validateBatch or decodeBatch stopped: the batch's records and headers would pass its WalkSteps (left at 0). */
export class WalkStepsSpent extends Error {
  override readonly name = 'WalkStepsSpent';
}

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}

export interface DecodedBatch {
  header: BatchHeader;
  records: DecodedRecord[];
}

/** Bytes a zigzag varint takes. */
export function varintSize(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

/** Encodes one batch; the result is ready to send (baseOffset is usually 0 until the broker stamps it). */
export function encodeBatch(input: BatchInput): Uint8Array {
  const { records } = input;
  if (records.length === 0) throw new RangeError('a batch needs at least one record');
  const now = Date.now();
  // As Kafka's MemoryRecordsBuilder: the base is the first record's timestamp, not the smallest
  // (a later, earlier record gets a negative delta).
  const baseTimestamp = records[0]!.timestamp ?? now;
  let maxTimestamp = -Infinity;
  for (const r of records) {
    const ts = r.timestamp ?? now;
    if (ts > maxTimestamp) maxTimestamp = ts;
  }
  // Sized up front from the records (a little over), so the buffer is not regrown and copied.
  let estimate = BATCH_HEADER_SIZE;
  for (const r of records) {
    estimate += 24 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    if (r.headers) for (const h of r.headers) estimate += 10 + h.key.length * 3 + (h.value?.length ?? 0);
  }
  const w = new Writer(estimate);
  w.pos = BATCH_HEADER_SIZE;
  let lastDelta = 0;
  const encodedHeaderKeys: Uint8Array[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const offsetDelta = r.offsetDelta ?? i;
    lastDelta = offsetDelta;
    const tsDelta = (r.timestamp ?? now) - baseTimestamp;
    const key = r.key ?? null;
    const value = r.value;
    const headers = r.headers ?? [];
    if (encodedHeaderKeys.length > 0) encodedHeaderKeys.length = 0;
    let size = 1 + varintSize(tsDelta) + varintSize(offsetDelta);
    size += key === null ? 1 : varintSize(key.length) + key.length;
    size += value === null ? 1 : varintSize(value.length) + value.length;
    size += varintSize(headers.length);
    for (const h of headers) {
      const hk = utf8Encode(h.key);
      encodedHeaderKeys.push(hk);
      size += varintSize(hk.length) + hk.length;
      size += h.value === null ? 1 : varintSize(h.value.length) + h.value.length;
    }
    w.varint(size);
    w.int8(0);
    w.varlong(tsDelta);
    w.varint(offsetDelta);
    if (key === null) w.varint(-1);
    else {
      w.varint(key.length);
      w.raw(key);
    }
    if (value === null) w.varint(-1);
    else {
      w.varint(value.length);
      w.raw(value);
    }
    w.varint(headers.length);
    for (let j = 0; j < headers.length; j++) {
      const hk = encodedHeaderKeys[j]!;
      const hv = headers[j]!.value;
      w.varint(hk.length);
      w.raw(hk);
      if (hv === null) w.varint(-1);
      else {
        w.varint(hv.length);
        w.raw(hv);
      }
    }
  }
  let end = w.pos;
  const compression = input.compression ?? 0;
  if (compression !== 0) {
    const packed = compressRecords(compression, w.buf.subarray(BATCH_HEADER_SIZE, end));
    if (!packed) throw new RangeError(`no ${compressionName(compression)} compressor is registered`);
    w.pos = BATCH_HEADER_SIZE;
    w.raw(packed);
    end = w.pos;
  }
  const v = w.view;
  writeInt64(v, 0, input.baseOffset ?? 0);
  v.setInt32(8, end - LOG_OVERHEAD);
  v.setInt32(12, 0);
  v.setInt8(16, MAGIC);
  let attrs = 0;
  if (input.transactional) attrs |= ATTR_TRANSACTIONAL;
  if (input.control) attrs |= ATTR_CONTROL;
  attrs |= compression & COMPRESSION_MASK;
  v.setInt16(ATTRIBUTES_AT, attrs);
  v.setInt32(23, input.lastOffsetDelta ?? lastDelta);
  writeInt64(v, 27, baseTimestamp);
  writeInt64(v, 35, maxTimestamp);
  writeInt64(v, 43, input.producerId ?? -1);
  v.setInt16(51, input.producerEpoch ?? -1);
  v.setInt32(53, input.baseSequence ?? -1);
  v.setInt32(57, records.length);
  const out = w.buf.slice(0, end);
  new DataView(out.buffer).setUint32(CRC_AT, crc32c(out, ATTRIBUTES_AT, end));
  return out;
}

/** Reads the fixed header of the batch at `at`; throws ProtocolError if it is truncated. */
export function readBatchHeader(buf: Uint8Array, at = 0): BatchHeader {
  if (buf.length - at < BATCH_HEADER_SIZE) throw new ProtocolError('truncated record batch header');
  const v = new DataView(buf.buffer, buf.byteOffset + at, BATCH_HEADER_SIZE);
  return {
    baseOffset: readInt64(v, 0),
    batchLength: v.getInt32(8),
    partitionLeaderEpoch: v.getInt32(12),
    magic: v.getInt8(16),
    crc: v.getUint32(CRC_AT),
    attributes: v.getInt16(ATTRIBUTES_AT),
    lastOffsetDelta: v.getInt32(23),
    baseTimestamp: readInt64(v, 27),
    maxTimestamp: readInt64(v, 35),
    producerId: readInt64(v, 43),
    producerEpoch: v.getInt16(51),
    baseSequence: v.getInt32(53),
    recordCount: v.getInt32(57),
  };
}

/** Stamps the broker-assigned base offset (outside the CRC, so the CRC stays valid). */
export function setBaseOffset(batch: Uint8Array, baseOffset: number): void {
  writeInt64(new DataView(batch.buffer, batch.byteOffset, 8), 0, baseOffset);
}

export interface ValidatedBatch {
  header: BatchHeader;
  /** Size of the whole batch in bytes. */
  size: number;
  /** Size of its records section as walked: decompressed, for a compressed batch. */
  recordsBytes: number;
}

/**
 * Checks a batch the way the broker must before it stores it: sizes, magic, CRC, and a walk over
 * every record so a consumer will never meet a record it cannot decode. A compressed batch is
 * decompressed for the walk (UnsupportedCompressionError for a codec not registered here).
 */
export function validateBatch(buf: Uint8Array, at = 0, end = buf.length, opts: DecodeOptions = {}, steps?: WalkSteps): ValidatedBatch {
  const h = readBatchHeader(buf.subarray(at, end));
  const size = h.batchLength + LOG_OVERHEAD;
  if (h.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD || at + size > end) {
    throw new ProtocolError(`batch length ${h.batchLength} does not fit the ${end - at} bytes sent`);
  }
  if (h.magic !== MAGIC) throw new ProtocolError(`unsupported record batch magic ${h.magic}`);
  // Before the CRC: a batch that says it holds more than the walk may take costs nothing.
  if (steps) {
    const cost = Math.max(0, h.recordCount) + batchSteps(size);
    if (cost > steps.left) throw new WalkStepsSpent('the batch would pass the steps left');
    steps.left -= cost;
  }
  const crc = crc32c(buf, at + ATTRIBUTES_AT, at + size);
  if (crc !== h.crc) throw new ProtocolError('record batch CRC mismatch');
  if (h.recordCount <= 0) throw new ProtocolError('record batch has no records');
  if (h.lastOffsetDelta < h.recordCount - 1) throw new ProtocolError('lastOffsetDelta smaller than the record count');
  // One reader for the whole batch (no object per record): a record's fields may not read past
  // the batch, and must end exactly where its length says.
  const r = recordsReader(buf, at, at + size, h.attributes, opts);
  const recordsBytes = r.remaining;
  let prevDelta = -1;
  for (let i = 0; i < h.recordCount; i++) {
    const len = r.varint();
    if (len < 0) throw new ProtocolError('negative record length');
    r.need(len, 'record');
    const recEnd = r.pos + len;
    r.skip(1, 'attributes');
    r.varlong();
    const delta = r.varint();
    if (delta <= prevDelta || delta > h.lastOffsetDelta) throw new ProtocolError('record offset deltas out of order');
    prevDelta = delta;
    skipNullableVarBytes(r);
    skipNullableVarBytes(r);
    const nh = r.varint();
    if (nh < 0 || nh > recEnd - r.pos) throw new ProtocolError(`bad header count ${nh}`);
    if (steps && (steps.left -= nh) < 0) spent(steps);
    for (let j = 0; j < nh; j++) {
      const kl = r.varint();
      if (kl < 0) throw new ProtocolError('null header key');
      r.skipUtf8(kl);
      skipNullableVarBytes(r);
    }
    if (r.pos !== recEnd) throw new ProtocolError('record length does not match its fields');
  }
  if (r.remaining !== 0) throw new ProtocolError('bytes left after the last record of a batch');
  return { header: h, size, recordsBytes };
}

/** A batch's steps for its bytes (see WalkSteps), besides one per record and header. */
export const batchSteps = (bytes: number): number => bytes >>> 8;

function spent(steps: WalkSteps): never {
  steps.left = 0;
  throw new WalkStepsSpent('the walk passed its steps');
}

function skipNullableVarBytes(r: Reader): void {
  const n = r.varint();
  if (n === -1) return;
  if (n < 0) throw new ProtocolError(`bad length ${n}`);
  r.skip(n);
}

function readNullableVarBytes(r: Reader): Uint8Array | null {
  const n = r.varint();
  if (n === -1) return null;
  if (n < 0) throw new ProtocolError(`bad length ${n}`);
  return r.bytes(n);
}

/**
 * Shared by every record without headers (most of them), decoded here or queued by the SDK's
 * producer: frozen, so no one can add to it.
 */
export const NO_HEADERS: RecordHeader[] = Object.freeze([]) as unknown as RecordHeader[];

/**
 * A reader over a batch's records section: the bytes themselves, or their decompressed copy
 * (a compressed batch needs its codec registered, see compression.ts).
 */
function recordsReader(buf: Uint8Array, at: number, end: number, attributes: number, opts: DecodeOptions): Reader {
  const codec = attributes & COMPRESSION_MASK;
  if (codec === 0) return new Reader(buf, at + BATCH_HEADER_SIZE, end);
  return new Reader(decompressRecords(codec, buf.subarray(at + BATCH_HEADER_SIZE, end), opts.maxDecompressedBytes));
}

/**
 * Decodes one batch's records (views into `buf`, or into its decompressed records; no copies).
 * With `steps`, counted as validateBatch counts them: WalkStepsSpent before decompressing if the
 * batch says it holds more records than are left, or while decoding once its headers pass them.
 */
export function decodeBatch(buf: Uint8Array, at = 0, opts: DecodeOptions = {}, steps?: WalkSteps): DecodedBatch {
  const header = readBatchHeader(buf, at);
  const end = at + header.batchLength + LOG_OVERHEAD;
  if (header.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD || end > buf.length) {
    throw new ProtocolError('truncated record batch');
  }
  if (steps) {
    const cost = Math.max(0, header.recordCount) + batchSteps(end - at);
    if (cost > steps.left) throw new WalkStepsSpent('the batch would pass the steps left');
    steps.left -= cost;
  }
  const r = recordsReader(buf, at, end, header.attributes, opts);
  const count = header.recordCount;
  if (count < 0 || count > r.remaining) throw new ProtocolError(`bad record count ${count}`);
  const records: DecodedRecord[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const len = r.varint();
    if (len < 0) throw new ProtocolError('negative record length');
    r.need(len, 'record');
    // One reader for the batch, as in validateBatch: the record's fields must end at its length.
    const recEnd = r.pos + len;
    r.skip(1, 'attributes');
    const tsDelta = r.varlong();
    const offDelta = r.varint();
    const key = readNullableVarBytes(r);
    const value = readNullableVarBytes(r);
    const nh = r.varint();
    if (nh < 0 || nh > recEnd - r.pos) throw new ProtocolError(`bad header count ${nh}`);
    if (steps && (steps.left -= nh) < 0) spent(steps);
    const headers: RecordHeader[] = nh === 0 ? NO_HEADERS : new Array(nh);
    for (let j = 0; j < nh; j++) {
      const kl = r.varint();
      if (kl < 0) throw new ProtocolError('null header key');
      headers[j] = { key: r.utf8(kl), value: readNullableVarBytes(r) };
    }
    if (r.pos !== recEnd) throw new ProtocolError('record length does not match its fields');
    records[i] = {
      offset: header.baseOffset + offDelta,
      timestamp: header.baseTimestamp + tsDelta,
      key,
      value,
      headers,
    };
  }
  return { header, records };
}

/**
 * Splits a buffer of concatenated batches (a fetch's `records`) and decodes each. A trailing
 * partial batch is ignored, as Kafka clients do.
 */
export function decodeBatches(records: RecordBytes, opts: DecodeOptions = {}): DecodedBatch[] {
  const buf = joinRecords(records); // decoded answers are one array already
  const out: DecodedBatch[] = [];
  let at = 0;
  while (buf.length - at >= BATCH_HEADER_SIZE) {
    const len = new DataView(buf.buffer, buf.byteOffset + at + 8, 4).getInt32(0);
    const size = len + LOG_OVERHEAD;
    if (len < BATCH_HEADER_SIZE - LOG_OVERHEAD || at + size > buf.length) break;
    out.push(decodeBatch(buf, at, opts));
    at += size;
  }
  return out;
}

/** Iterates the batch boundaries of a buffer of concatenated batches without decoding records. */
export function* batchSpans(buf: Uint8Array): Generator<{ at: number; size: number }> {
  let at = 0;
  while (buf.length - at >= BATCH_HEADER_SIZE) {
    const len = new DataView(buf.buffer, buf.byteOffset + at + 8, 4).getInt32(0);
    const size = len + LOG_OVERHEAD;
    if (len < BATCH_HEADER_SIZE - LOG_OVERHEAD || at + size > buf.length) return;
    yield { at, size };
    at += size;
  }
}

// ---- idempotence and transactions ----

/** Byte positions in the batch header (for readers that skip full header decoding). */
export const PRODUCER_ID_AT = 43;
export const PRODUCER_EPOCH_AT = 51;
export const BASE_SEQUENCE_AT = 53;

/** Control record types (the key's second int16), as in Kafka. */
export const CONTROL_ABORT = 0;
export const CONTROL_COMMIT = 1;

/**
 * A transaction marker: a control batch of one record whose key is version int16 (0) | type
 * int16 and whose value is version int16 (0) | coordinatorEpoch int32, byte-identical to Kafka's.
 */
export function encodeControlBatch(producerId: number, producerEpoch: number, commit: boolean, timestamp = Date.now(), coordinatorEpoch = 0): Uint8Array {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setInt16(2, commit ? CONTROL_COMMIT : CONTROL_ABORT);
  const value = new Uint8Array(6);
  // Brook's one coordinator never changes epoch, so its markers carry 0; Kafka's carry its epoch.
  new DataView(value.buffer).setInt32(2, coordinatorEpoch);
  return encodeBatch({
    records: [{ key, value, timestamp }],
    producerId,
    producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
  });
}

/** The control type (CONTROL_ABORT or CONTROL_COMMIT) of a control record's key, or -1 if unknown. */
export function controlTypeOfKey(key: Uint8Array | null): number {
  if (!key || key.length < 4) return -1;
  return new DataView(key.buffer, key.byteOffset, 4).getInt16(2);
}

/**
 * The control type of a control batch read straight from its bytes (the first record's key),
 * without decoding the batch; -1 if it is not a well-formed control batch.
 */
export function controlTypeOfBatch(batch: Uint8Array, at = 0): number {
  try {
    const d = decodeBatch(batch, at);
    if ((d.header.attributes & ATTR_CONTROL) === 0) return -1;
    return controlTypeOfKey(d.records[0]?.key ?? null);
  } catch {
    return -1;
  }
}
