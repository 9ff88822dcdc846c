/**
 * LevelDB key layout (one database per broker, binary keys, big-endian numbers so keys sort by
 * number). The first byte says what a key is:
 *
 *   0x01 | topic name (UTF-8)                          -> topic metadata (JSON)
 *   0x02 | topicId u32 | partition u32 | baseOffset u64 -> one record batch, as produced (Kafka v2)
 *   0x03 | topicId u32 | partition u32                 -> partition metadata: logStartOffset (JSON)
 *   0x04                                               -> next topic id (u32)
 *   0x05 | topicId u32 | partition u32 | baseOffset u64 -> batch index entry: lastOffset u64,
 *                                                         maxTimestamp i64, size u32, records u32
 *
 * A batch and its index entry are always written in the same LevelDB batch, so start-up reads only
 * the small 0x05 entries to rebuild each partition's in-memory index. Topic ids are never reused,
 * so a deleted-then-recreated topic can never see old data.
 */
import { readInt64, utf8Encode, writeInt64 } from '@brook/protocol';

export const TOPIC = 0x01;
export const BATCH = 0x02;
export const PARTITION_META = 0x03;
export const NEXT_TOPIC_ID = 0x04;
export const INDEX = 0x05;

export function topicKey(name: string): Uint8Array {
  const n = utf8Encode(name);
  const k = new Uint8Array(1 + n.length);
  k[0] = TOPIC;
  k.set(n, 1);
  return k;
}

export function partitionPrefix(kind: number, topicId: number, partition?: number): Uint8Array {
  const k = new Uint8Array(partition === undefined ? 5 : 9);
  const v = new DataView(k.buffer);
  k[0] = kind;
  v.setUint32(1, topicId);
  if (partition !== undefined) v.setUint32(5, partition);
  return k;
}

export function batchKey(kind: number, topicId: number, partition: number, baseOffset: number): Uint8Array {
  const k = new Uint8Array(17);
  const v = new DataView(k.buffer);
  k[0] = kind;
  v.setUint32(1, topicId);
  v.setUint32(5, partition);
  writeInt64(v, 9, baseOffset);
  return k;
}

export function parseBatchKey(k: Uint8Array): { topicId: number; partition: number; baseOffset: number } {
  const v = new DataView(k.buffer, k.byteOffset, k.byteLength);
  return { topicId: v.getUint32(1), partition: v.getUint32(5), baseOffset: readInt64(v, 9) };
}

/** The first key after every key that starts with `prefix`. */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  throw new RangeError('prefix has no end');
}

export interface IndexEntry {
  lastOffset: number;
  maxTimestamp: number;
  size: number;
  records: number;
}

export function encodeIndex(e: IndexEntry): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  writeInt64(v, 0, e.lastOffset);
  writeInt64(v, 8, e.maxTimestamp);
  v.setUint32(16, e.size);
  v.setUint32(20, e.records);
  return b;
}

export function decodeIndex(b: Uint8Array): IndexEntry {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { lastOffset: readInt64(v, 0), maxTimestamp: readInt64(v, 8), size: v.getUint32(16), records: v.getUint32(20) };
}
