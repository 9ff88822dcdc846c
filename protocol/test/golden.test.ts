/**
 * Golden bytes: record batches written by Apache Kafka's own kafka-clients (MemoryRecordsBuilder,
 * MemoryRecords.withEndTransactionMarker), committed as fixtures by scripts/kafka/golden/generate.sh.
 * Round-trip tests cannot see a mistake made the same way in encoder and decoder; these can.
 * Each fixture is checked both ways: Brook's encoder, given Kafka's inputs, writes Kafka's bytes;
 * Brook's decoder, given Kafka's bytes, reads back every input (and what Kafka itself read).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  CONTROL_ABORT,
  CONTROL_COMMIT,
  LOG_OVERHEAD,
  MAGIC,
  controlTypeOfBatch,
  decodeBatch,
  decodeBatches,
  encodeBatch,
  encodeControlBatch,
  setBaseOffset,
  validateBatch,
  type BatchInput,
  type DecodedRecord,
} from '../src/index.js';
import type { FixtureRecord } from './compressedFixtures.js';


/** What Kafka's DefaultRecordBatch read back from the bytes it wrote. */
interface KafkaRead {
  baseOffset: number;
  lastOffset: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  sizeInBytes: number;
  isTransactional: boolean;
  isControlBatch: boolean;
  timestampType: string;
  compressionType: string;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  count: number;
  records: FixtureRecord[];
}

interface DataFixture {
  name: string;
  kind: 'data';
  input: {
    baseOffset: number;
    partitionLeaderEpoch: number;
    producerId: number;
    producerEpoch: number;
    baseSequence: number;
    transactional: boolean;
    records: FixtureRecord[];
  };
  kafkaRead: KafkaRead;
  hex: string;
}

interface ControlFixture {
  name: string;
  kind: 'control';
  input: {
    baseOffset: number;
    partitionLeaderEpoch: number;
    producerId: number;
    producerEpoch: number;
    timestamp: number;
    controlType: 'COMMIT' | 'ABORT';
    coordinatorEpoch: number;
  };
  kafkaRead: KafkaRead;
  hex: string;
}

type Fixture = DataFixture | ControlFixture;

const fixtureFile = new URL('./fixtures/golden/batches.json', import.meta.url);
const fixtures = (JSON.parse(readFileSync(fixtureFile, 'utf8')) as { fixtures: Fixture[] }).fixtures;
const dataFixtures = fixtures.filter((f): f is DataFixture => f.kind === 'data');
const controlFixtures = fixtures.filter((f): f is ControlFixture => f.kind === 'control');

const PARTITION_LEADER_EPOCH_AT = 12;

const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
const toHex = (bytes: Uint8Array | null): string | null => (bytes === null ? null : Buffer.from(bytes).toString('hex'));

function recordAsFixture(r: DecodedRecord): FixtureRecord {
  return {
    offset: r.offset,
    timestamp: r.timestamp,
    key: toHex(r.key),
    value: toHex(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: toHex(h.value) })),
  };
}

function batchInputOf(f: DataFixture): BatchInput {
  const { input } = f;
  return {
    baseOffset: input.baseOffset,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    baseSequence: input.baseSequence,
    transactional: input.transactional,
    records: input.records.map((r) => ({
      offsetDelta: r.offset - input.baseOffset,
      timestamp: r.timestamp,
      key: r.key === null ? null : fromHex(r.key),
      value: r.value === null ? null : fromHex(r.value),
      headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : fromHex(h.value) })),
    })),
  };
}

/**
 * Brook's encoder writes partitionLeaderEpoch 0 (BatchInput has no such field; a broker would stamp
 * it). It lies before the CRC, so for fixtures with another epoch (a producer sends -1) the test
 * checks that Brook wrote 0 there and then puts the fixture's epoch in its place.
 */
function withLeaderEpoch(bytes: Uint8Array, epoch: number): Uint8Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(v.getInt32(PARTITION_LEADER_EPOCH_AT)).toBe(0);
  v.setInt32(PARTITION_LEADER_EPOCH_AT, epoch);
  return bytes;
}

/** The attributes int16 Kafka's flags stand for (compression codec bits 0-2 are 0: uncompressed). */
function attributesOf(k: KafkaRead): number {
  expect(k.compressionType).toBe('none');
  return (
    (k.timestampType === 'LOG_APPEND_TIME' ? 0x08 : 0) |
    (k.isTransactional ? ATTR_TRANSACTIONAL : 0) |
    (k.isControlBatch ? ATTR_CONTROL : 0)
  );
}

describe('golden record batches written by Apache Kafka', () => {
  it('has every kind of fixture the format needs', () => {
    expect(dataFixtures.length).toBeGreaterThanOrEqual(5);
    expect(dataFixtures.some((f) => f.input.transactional)).toBe(true);
    expect(dataFixtures.some((f) => !f.input.transactional && f.input.producerId >= 0)).toBe(true);
    expect(dataFixtures.some((f) => f.input.records.some((r) => r.headers.length > 0))).toBe(true);
    expect(controlFixtures.map((f) => f.input.controlType)).toEqual(expect.arrayContaining(['COMMIT', 'ABORT']));
    expect(controlFixtures.some((f) => f.input.coordinatorEpoch !== 0)).toBe(true);
  });

  describe.each(dataFixtures)('data batch $name', (f) => {
    const kafkaBytes = fromHex(f.hex);

    it("Kafka read back its own inputs (the fixture is consistent)", () => {
      expect(f.kafkaRead.records).toEqual(f.input.records);
    });

    it('Brook encodes the inputs to exactly the Kafka bytes', () => {
      const brook = withLeaderEpoch(encodeBatch(batchInputOf(f)), f.input.partitionLeaderEpoch);
      expect(toHex(brook)).toBe(f.hex);
    });

    it('Brook decodes the Kafka bytes to exactly the inputs', () => {
      const { input, kafkaRead } = f;
      const d = decodeBatch(kafkaBytes);
      const timestamps = input.records.map((r) => r.timestamp);
      expect(d.header).toEqual({
        baseOffset: input.baseOffset,
        batchLength: kafkaBytes.length - LOG_OVERHEAD,
        partitionLeaderEpoch: input.partitionLeaderEpoch,
        magic: MAGIC,
        crc: kafkaRead.crc,
        attributes: input.transactional ? ATTR_TRANSACTIONAL : 0,
        lastOffsetDelta: input.records.at(-1)!.offset - input.baseOffset,
        // Kafka's baseTimestamp is the first record's, not the smallest.
        baseTimestamp: timestamps[0],
        maxTimestamp: Math.max(...timestamps),
        producerId: input.producerId,
        producerEpoch: input.producerEpoch,
        baseSequence: input.baseSequence,
        recordCount: input.records.length,
      });
      // ...and agrees with Kafka's own reading of the same bytes.
      expect(d.header.attributes).toBe(attributesOf(kafkaRead));
      expect(d.header.baseOffset + d.header.lastOffsetDelta).toBe(kafkaRead.lastOffset);
      expect(d.header.baseTimestamp).toBe(kafkaRead.baseTimestamp);
      expect(d.header.maxTimestamp).toBe(kafkaRead.maxTimestamp);
      expect(d.header.magic).toBe(kafkaRead.magic);
      expect(kafkaBytes.length).toBe(kafkaRead.sizeInBytes);
      expect(d.records.map(recordAsFixture)).toEqual(input.records);
    });

    it("the broker's validation accepts the Kafka bytes", () => {
      expect(validateBatch(kafkaBytes).size).toBe(kafkaBytes.length);
      expect(controlTypeOfBatch(kafkaBytes)).toBe(-1);
    });
  });

  describe.each(controlFixtures)('control batch $name', (f) => {
    const kafkaBytes = fromHex(f.hex);
    const { input, kafkaRead } = f;
    const type = input.controlType === 'COMMIT' ? CONTROL_COMMIT : CONTROL_ABORT;

    it('Brook writes the marker as exactly the Kafka bytes', () => {
      const brook = encodeControlBatch(input.producerId, input.producerEpoch, type === CONTROL_COMMIT, input.timestamp, input.coordinatorEpoch);
      setBaseOffset(brook, input.baseOffset); // as the broker does when it appends the marker
      expect(toHex(withLeaderEpoch(brook, input.partitionLeaderEpoch))).toBe(f.hex);
    });

    it('Brook decodes the Kafka marker to exactly the inputs', () => {
      const d = decodeBatch(kafkaBytes);
      expect(d.header).toEqual({
        baseOffset: input.baseOffset,
        batchLength: kafkaBytes.length - LOG_OVERHEAD,
        partitionLeaderEpoch: input.partitionLeaderEpoch,
        magic: MAGIC,
        crc: kafkaRead.crc,
        attributes: ATTR_TRANSACTIONAL | ATTR_CONTROL,
        lastOffsetDelta: 0,
        baseTimestamp: input.timestamp,
        maxTimestamp: input.timestamp,
        producerId: input.producerId,
        producerEpoch: input.producerEpoch,
        baseSequence: -1,
        recordCount: 1,
      });
      expect(d.header.attributes).toBe(attributesOf(kafkaRead));
      expect(d.header.baseSequence).toBe(kafkaRead.baseSequence);
      // Key: version int16 0 | type int16. Value: version int16 0 | coordinatorEpoch int32.
      const value = new Uint8Array(6);
      new DataView(value.buffer).setInt32(2, input.coordinatorEpoch);
      const key = new Uint8Array([0, 0, 0, type]);
      expect(d.records.map(recordAsFixture)).toEqual([
        { offset: input.baseOffset, timestamp: input.timestamp, key: toHex(key), value: toHex(value), headers: [] },
      ]);
      expect(d.records.map(recordAsFixture)).toEqual(kafkaRead.records);
      expect(controlTypeOfBatch(kafkaBytes)).toBe(type);
      expect(validateBatch(kafkaBytes).size).toBe(kafkaBytes.length);
    });
  });

  it('splits all the Kafka batches laid end to end, as a fetch returns them', () => {
    const all = Buffer.concat(fixtures.map((f) => fromHex(f.hex)));
    const decoded = decodeBatches(new Uint8Array(all));
    expect(decoded.map((d) => d.header.crc)).toEqual(fixtures.map((f) => f.kafkaRead.crc));
  });
});
