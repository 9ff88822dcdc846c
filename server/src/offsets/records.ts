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
 *   type 3  GroupSnapshotKey  group string (read only: the whole-group format before per-member
 *                             records; rewritten as records, and tombstoned, at start-up)
 *   type 4  GroupMetadataKey  group string
 *   type 5  GroupMemberKey    group string | memberId string
 *   type 6  GroupTargetKey    group string | memberId string
 *           values of types 3-6: JsonValue version int16 (=0) | json bytes (UTF-8 JSON; the shapes
 *           are the group coordinator's, see groups/persistence.ts): epochs and assignor; one
 *           member's subscription, principal, epochs and current assignment; one member's target
 *           assignment
 */
import { Reader, Writer, bytes, int16, int32, int64, nullableString, string, struct, utf8Decode, utf8Encode } from '@brook/protocol';

export const OFFSET_COMMIT_KEY = 1;
export const CLASSIC_GROUP_KEY = 2;
export const GROUP_SNAPSHOT_KEY = 3;
export const GROUP_METADATA_KEY = 4;
export const GROUP_MEMBER_KEY = 5;
export const GROUP_TARGET_KEY = 6;

const OffsetCommitKey = struct('OffsetCommitKey', { type: int16, group: string, topic: string, partition: int32 });
const OffsetCommitValue = struct('OffsetCommitValue', {
  version: int16,
  offset: int64,
  leaderEpoch: int32,
  metadata: nullableString,
  commitTimestamp: int64,
});
const GroupKey = struct('GroupKey', { type: int16, group: string });
const GroupMemberKey = struct('GroupMemberKey', { type: int16, group: string, memberId: string });
const JsonValue = struct('JsonValue', { version: int16, json: bytes });

export type GroupRecordKind = 'snapshot' | 'metadata' | 'member' | 'target';
const KIND_OF_TYPE = new Map<number, GroupRecordKind>([
  [GROUP_SNAPSHOT_KEY, 'snapshot'],
  [GROUP_METADATA_KEY, 'metadata'],
  [GROUP_MEMBER_KEY, 'member'],
  [GROUP_TARGET_KEY, 'target'],
]);
const TYPE_OF_KIND = new Map([...KIND_OF_TYPE].map(([type, kind]) => [kind, type]));

/** One group record: the group's metadata (memberId null), or one member's record or target. A null value is a tombstone. */
export interface GroupRecordEntry {
  kind: GroupRecordKind;
  memberId: string | null;
  value: unknown;
}

export interface CommittedOffset {
  offset: number;
  metadata: string | null;
  commitTimestamp: number;
}

export type OffsetsRecord =
  | { type: 'offset'; group: string; topic: string; partition: number; value: CommittedOffset | null }
  | ({ type: 'group'; group: string } & GroupRecordEntry)
  | { type: 'classicGroup'; group: string; snapshot: unknown | null };

/** One writer for every record's key and value (a commit of 10,000 partitions made 20,000 of them). */
let scratch = new Writer(256);

function enc<T>(codec: { write(w: Writer, v: T): void }, v: T): Uint8Array {
  scratch.pos = 0;
  codec.write(scratch, v);
  const out = scratch.buf.slice(0, scratch.pos);
  // A large group value does not keep its buffer alive.
  if (scratch.buf.length > 64 * 1024) scratch = new Writer(256);
  return out;
}

export function encodeOffsetKey(group: string, topic: string, partition: number): Uint8Array {
  return enc(OffsetCommitKey, { type: OFFSET_COMMIT_KEY, group, topic, partition });
}

export function encodeOffsetValue(v: CommittedOffset): Uint8Array {
  return enc(OffsetCommitValue, { version: 3, offset: v.offset, leaderEpoch: -1, metadata: v.metadata, commitTimestamp: v.commitTimestamp });
}

export function encodeGroupKey(group: string, kind: GroupRecordKind, memberId: string | null): Uint8Array {
  const type = TYPE_OF_KIND.get(kind)!;
  return memberId === null ? enc(GroupKey, { type, group }) : enc(GroupMemberKey, { type, group, memberId });
}

export function encodeClassicGroupKey(group: string): Uint8Array {
  return enc(GroupKey, { type: CLASSIC_GROUP_KEY, group });
}

export function encodeGroupValue(value: unknown): Uint8Array {
  return enc(JsonValue, { version: 0, json: utf8Encode(JSON.stringify(value)) });
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
  if (type === CLASSIC_GROUP_KEY) {
    const k = GroupKey.read(new Reader(key));
    const snapshot = value === null ? null : (JSON.parse(utf8Decode(JsonValue.read(new Reader(value)).json)) as unknown);
    return { type: 'classicGroup', group: k.group, snapshot };
  }
  const kind = KIND_OF_TYPE.get(type);
  if (kind !== undefined) {
    const k = kind === 'member' || kind === 'target' ? GroupMemberKey.read(new Reader(key)) : { ...GroupKey.read(new Reader(key)), memberId: null };
    const v = value === null ? null : (JSON.parse(utf8Decode(JsonValue.read(new Reader(value)).json)) as unknown);
    return { type: 'group', group: k.group, kind, memberId: k.memberId, value: v };
  }
  return null;
}
