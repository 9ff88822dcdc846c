/**
 * Record types of `__consumer_offsets`, shaped like Kafka's: keys and values start with an int16
 * (record type / value version). A null value is a tombstone (offset deleted, group deleted).
 *
 *   type 1  OffsetCommitKey   group string | topic string | partition int32
 *           OffsetCommitValue version int16 (=3) | offset int64 | leaderEpoch int32 (-1) |
 *                             metadata string? | commitTimestamp int64
 *   type 2  ClassicGroupKey   group string (Kafka's GroupMetadataKey type)
 *           ClassicGroupValue version int16 (=0) | snapshot bytes (UTF-8 JSON of a classic group:
 *                             generation, protocol, leader, members with metadata and assignment)
 *   type 3  GroupSnapshotKey  group string
 *           GroupSnapshotValue version int16 (=0) | snapshot bytes (UTF-8 JSON of the group's
 *                             members, epochs, target and current assignments, static members)
 */
import { Reader, Writer, bytes, int16, int32, int64, nullableString, string, struct, utf8Decode, utf8Encode } from '@brook/protocol';

export const OFFSET_COMMIT_KEY = 1;
export const CLASSIC_GROUP_KEY = 2;
export const GROUP_SNAPSHOT_KEY = 3;

const OffsetCommitKey = struct('OffsetCommitKey', { type: int16, group: string, topic: string, partition: int32 });
const OffsetCommitValue = struct('OffsetCommitValue', {
  version: int16,
  offset: int64,
  leaderEpoch: int32,
  metadata: nullableString,
  commitTimestamp: int64,
});
const GroupSnapshotKey = struct('GroupSnapshotKey', { type: int16, group: string });
const GroupSnapshotValue = struct('GroupSnapshotValue', { version: int16, snapshot: bytes });

export interface CommittedOffset {
  offset: number;
  metadata: string | null;
  commitTimestamp: number;
}

export type OffsetsRecord =
  | { type: 'offset'; group: string; topic: string; partition: number; value: CommittedOffset | null }
  | { type: 'group' | 'classicGroup'; group: string; snapshot: unknown | null };

function enc<T>(codec: { write(w: Writer, v: T): void }, v: T): Uint8Array {
  const w = new Writer(64);
  codec.write(w, v);
  return w.buf.slice(0, w.pos);
}

export function encodeOffsetKey(group: string, topic: string, partition: number): Uint8Array {
  return enc(OffsetCommitKey, { type: OFFSET_COMMIT_KEY, group, topic, partition });
}

export function encodeOffsetValue(v: CommittedOffset): Uint8Array {
  return enc(OffsetCommitValue, { version: 3, offset: v.offset, leaderEpoch: -1, metadata: v.metadata, commitTimestamp: v.commitTimestamp });
}

export function encodeGroupKey(group: string, type: typeof GROUP_SNAPSHOT_KEY | typeof CLASSIC_GROUP_KEY = GROUP_SNAPSHOT_KEY): Uint8Array {
  return enc(GroupSnapshotKey, { type, group });
}

export function encodeGroupValue(snapshot: unknown): Uint8Array {
  return enc(GroupSnapshotValue, { version: 0, snapshot: utf8Encode(JSON.stringify(snapshot)) });
}

/** Decodes one stored record; unknown record types are skipped (null), like Kafka's loader. */
export function decodeOffsetsRecord(key: Uint8Array, value: Uint8Array | null): OffsetsRecord | null {
  const type = new DataView(key.buffer, key.byteOffset, key.byteLength).getInt16(0);
  if (type === OFFSET_COMMIT_KEY) {
    const k = OffsetCommitKey.read(new Reader(key));
    if (value === null) return { type: 'offset', group: k.group, topic: k.topic, partition: k.partition, value: null };
    const v = OffsetCommitValue.read(new Reader(value));
    return {
      type: 'offset',
      group: k.group,
      topic: k.topic,
      partition: k.partition,
      value: { offset: v.offset, metadata: v.metadata, commitTimestamp: v.commitTimestamp },
    };
  }
  if (type === GROUP_SNAPSHOT_KEY || type === CLASSIC_GROUP_KEY) {
    const kind = type === GROUP_SNAPSHOT_KEY ? 'group' : 'classicGroup';
    const k = GroupSnapshotKey.read(new Reader(key));
    if (value === null) return { type: kind, group: k.group, snapshot: null };
    const v = GroupSnapshotValue.read(new Reader(value));
    return { type: kind, group: k.group, snapshot: JSON.parse(utf8Decode(v.snapshot)) as unknown };
  }
  return null;
}
