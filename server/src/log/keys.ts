/**
 * LevelDB key layout. One database per broker; keys and values are raw bytes; numbers are
 * big-endian so LevelDB's bytewise order is numeric order. The first byte of every key is its
 * kind. 0x00-0x0F belong to the log layer (this folder); 0x10-0x7F are reserved for other
 * modules (each takes its own first byte and documents it in its own folder); 0x80-0xFF are unused.
 *
 *   0x01 | topic name (UTF-8)                            -> topic metadata (JSON, written rarely)
 *   0x02 | topicId u32 | partition u32 | baseOffset u64  -> one record batch (Kafka RecordBatch v2), as
 *                                                           written before the batch store (read,
 *                                                           deleted, never written any more)
 *   0x03 | topicId u32 | partition u32 | baseOffset u64  -> batch index entry (INDEX_VALUE_SIZE bytes):
 *                                                           lastOffset i64 | maxTimestamp i64 |
 *                                                           sizeBytes u32 | recordCount u32 |
 *                                                           producerId i64 | producerEpoch i16 |
 *                                                           baseSequence i32 | attributes u8 |
 *                                                           controlType i8 (-1 for data) |
 *                                                           storeSeq i64 (the batch's key in the
 *                                                           batch store; -1: under 0x02 here)
 *                                                           (40-byte entries have no storeSeq: -1;
 *                                                           24-byte ones, written before
 *                                                           idempotence, read as producerId -1)
 *   0x04 | topicId u32 | partition u32                   -> partition meta (PART_META_SIZE bytes):
 *                                                           logStartOffset i64 | endOffsetFloor i64
 *   0x05                                                 -> next topic id (u32)
 *   0x06 | topicId u32                                   -> deleted topic whose data is still being cleared
 *   0x07                                                 -> sync marker (empty): rewritten with sync to
 *                                                           fsync earlier unsynced writes (writeQueue.ts)
 *   0x08 | store key (16 bytes)                          -> a batch-store key to delete (empty): written
 *                                                           with the write that drops the batch's index
 *                                                           entry, deleted once the store's key is gone;
 *                                                           start-up finishes what a crash left
 *   0x09                                                 -> running (empty): put at start-up, deleted by a
 *                                                           clean close; found at start-up, the last run
 *                                                           ended without one (recovery.ts)
 *
 * The batch store (`<dataDir>/batches`, a second LevelDB) holds record batches, each under its
 * write sequence u64 · topicId u32 · partition u32 (`storeKey`), so its keys only grow: see
 * README.md in this folder for the reasoning. Its other keys have topicId and partition
 * NO_PARTITION: the sync marker (empty value) and a group's commit-pending key (COMMIT_PENDING).
 */
import { readInt64, utf8Encode, writeInt64 } from '@brook/protocol';

export const KIND_TOPIC = 0x01;
export const KIND_BATCH = 0x02;
export const KIND_INDEX = 0x03;
export const KIND_PART_META = 0x04;
export const KIND_NEXT_TOPIC_ID = 0x05;
export const KIND_DELETED_TOPIC = 0x06;
/** One key, rewritten (empty value) with sync to fsync earlier unsynced writes (WriteQueue). */
export const KIND_SYNC_MARKER = 0x07;
/** A batch-store key whose index entry is gone: deleted from the store, then this key (WriteQueue). */
export const KIND_STORE_DELETE = 0x08;
/** Put while a broker runs on the data directory (see RUNNING_KEY). */
export const KIND_RUNNING = 0x09;
/** First key byte other modules may use (0x10-0x7F). */
export const FIRST_FOREIGN_KIND = 0x10;

export const INDEX_VALUE_SIZE = 48;
/** Entries of batches stored under 0x02 keys in this database (before the batch store). */
export const INDEX_VALUE_SIZE_V1 = 40;
export const INDEX_VALUE_SIZE_V0 = 24;
/** An index entry's storeSeq for a batch kept under its 0x02 key in this database. */
export const IN_LOG_DB = -1;
export const PART_META_SIZE = 16;
const BATCH_KEY_SIZE = 17;

export function topicKey(name: string): Uint8Array {
  const n = utf8Encode(name);
  const k = new Uint8Array(1 + n.length);
  k[0] = KIND_TOPIC;
  k.set(n, 1);
  return k;
}

export function kindPrefix(kind: number): Uint8Array {
  return Uint8Array.of(kind);
}

/** The first key after every key that starts with `prefix` (prefixes here never end in 0xFF runs that overflow). */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const out = prefix.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]!++;
      return out.subarray(0, i + 1);
    }
  }
  throw new RangeError('prefix has no upper bound');
}

/** The range of every key that starts with `prefix` (for LevelDB's iterators and clear). */
export function prefixRange(prefix: Uint8Array): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: prefix, lt: prefixEnd(prefix) };
}

/** kind | topicId [| partition]: the range prefix for a topic or one of its partitions. */
export function idPrefix(kind: number, topicId: number, partition?: number): Uint8Array {
  const k = new Uint8Array(partition === undefined ? 5 : 9);
  const v = new DataView(k.buffer);
  k[0] = kind;
  v.setUint32(1, topicId);
  if (partition !== undefined) v.setUint32(5, partition);
  return k;
}

/** kind | topicId | partition | offset (kind is KIND_BATCH or KIND_INDEX). */
export function offsetKey(kind: number, topicId: number, partition: number, offset: number): Uint8Array {
  const k = new Uint8Array(BATCH_KEY_SIZE);
  const v = new DataView(k.buffer);
  k[0] = kind;
  v.setUint32(1, topicId);
  v.setUint32(5, partition);
  writeInt64(v, 9, offset);
  return k;
}

export interface ParsedOffsetKey {
  topicId: number;
  partition: number;
  offset: number;
}

export function parseOffsetKey(k: Uint8Array): ParsedOffsetKey {
  const v = new DataView(k.buffer, k.byteOffset, k.byteLength);
  return { topicId: v.getUint32(1), partition: v.getUint32(5), offset: readInt64(v, 9) };
}

/** What the index keeps of a batch: enough to plan reads and retention and to rebuild producer state. */
export interface IndexEntry {
  lastOffset: number;
  maxTimestamp: number;
  size: number;
  records: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  attributes: number;
  controlType: number;
  /** The batch's write sequence in the batch store (see storeKey), or IN_LOG_DB. */
  storeSeq: number;
}

export function encodeIndexValue(e: IndexEntry): Uint8Array {
  const b = new Uint8Array(INDEX_VALUE_SIZE);
  const v = new DataView(b.buffer);
  writeInt64(v, 0, e.lastOffset);
  writeInt64(v, 8, e.maxTimestamp);
  v.setUint32(16, e.size);
  v.setUint32(20, e.records);
  writeInt64(v, 24, e.producerId);
  v.setInt16(32, e.producerEpoch);
  v.setInt32(34, e.baseSequence);
  v.setUint8(38, e.attributes & 0xff);
  v.setInt8(39, e.controlType);
  writeInt64(v, 40, e.storeSeq);
  return b;
}

/** Null for a value of unknown size. */
export function decodeIndexValue(b: Uint8Array): IndexEntry | null {
  if (b.byteLength !== INDEX_VALUE_SIZE && b.byteLength !== INDEX_VALUE_SIZE_V1 && b.byteLength !== INDEX_VALUE_SIZE_V0) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const old = b.byteLength === INDEX_VALUE_SIZE_V0;
  return {
    lastOffset: readInt64(v, 0),
    maxTimestamp: readInt64(v, 8),
    size: v.getUint32(16),
    records: v.getUint32(20),
    producerId: old ? -1 : readInt64(v, 24),
    producerEpoch: old ? -1 : v.getInt16(32),
    baseSequence: old ? -1 : v.getInt32(34),
    attributes: old ? 0 : v.getUint8(38),
    controlType: old ? -1 : v.getInt8(39),
    storeSeq: b.byteLength === INDEX_VALUE_SIZE ? readInt64(v, 40) : IN_LOG_DB,
  };
}

export const STORE_KEY_SIZE = 16;
/** topicId and partition of the batch store's keys that are not batches. */
export const NO_PARTITION = 0xffffffff;
/** The first byte of a commit-pending key's value (then the group's first sequence, u64). */
export const COMMIT_PENDING = 1;

/**
 * A batch's key in the batch store: its write sequence (u64 big-endian, first, so keys only grow),
 * then its topic id and partition, so that start-up can index a batch whose index entry a power
 * loss took (recovery.ts).
 */
export function storeKey(seq: number, topicId: number, partition: number): Uint8Array {
  const k = new Uint8Array(STORE_KEY_SIZE);
  const v = new DataView(k.buffer);
  writeInt64(v, 0, seq);
  v.setUint32(8, topicId);
  v.setUint32(12, partition);
  return k;
}

export interface StoreKey {
  seq: number;
  topicId: number;
  partition: number;
}

/** Null for a key of another shape (not written by this version). */
export function parseStoreKey(k: Uint8Array): StoreKey | null {
  if (k.byteLength !== STORE_KEY_SIZE) return null;
  const v = new DataView(k.buffer, k.byteOffset, k.byteLength);
  return { seq: readInt64(v, 0), topicId: v.getUint32(8), partition: v.getUint32(12) };
}

/** The write sequence of a batch-store key (its first 8 bytes). */
export function parseSeqKey(k: Uint8Array): number {
  return readInt64(new DataView(k.buffer, k.byteOffset, 8), 0);
}

/** The first key of sequences above `seq` (every key of `seq` sorts below it). */
export function storeKeyAfter(seq: number): Uint8Array {
  return storeKey(seq + 1, 0, 0);
}

/** 0x08 | store key: that batch-store key is to be deleted. */
export function storeDeleteKey(key: Uint8Array): Uint8Array {
  const k = new Uint8Array(1 + key.byteLength);
  k[0] = KIND_STORE_DELETE;
  k.set(key, 1);
  return k;
}

/** The batch-store key a 0x08 record names. */
export function parseStoreDeleteKey(k: Uint8Array): Uint8Array {
  return k.subarray(1);
}

export function encodePartMeta(logStartOffset: number, endOffsetFloor: number): Uint8Array {
  const b = new Uint8Array(PART_META_SIZE);
  const v = new DataView(b.buffer);
  writeInt64(v, 0, logStartOffset);
  writeInt64(v, 8, endOffsetFloor);
  return b;
}

export function decodePartMeta(b: Uint8Array): { logStartOffset: number; endOffsetFloor: number } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { logStartOffset: readInt64(v, 0), endOffsetFloor: readInt64(v, 8) };
}

export const NEXT_TOPIC_ID_KEY = Uint8Array.of(KIND_NEXT_TOPIC_ID);
export const SYNC_MARKER_KEY = Uint8Array.of(KIND_SYNC_MARKER);
export const RUNNING_KEY = Uint8Array.of(KIND_RUNNING);

export function encodeU32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

export function decodeU32(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0);
}
