/**
 * Shared by the tests of compressed batches (protocol, broker, compaction, SDK): Kafka's compressed
 * golden fixtures (scripts/kafka/golden) and a builder of batches with a chosen records payload.
 */
import { readFileSync } from 'node:fs';
import { BATCH_HEADER_SIZE, COMPRESSION_MASK, LOG_OVERHEAD, crc32c, encodeBatch } from '../src/index.js';

/** A record as the golden fixtures write it: bytes as hex, null kept as null. */
export interface FixtureRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
}

export interface CompressedFixture {
  /** `<codec>-small` or `<codec>-big` ('big': records listed as a formula, see bigRecords). */
  name: string;
  input: { baseOffset: number; producerId: number; records: FixtureRecord[] };
  kafkaRead: { crc: number; count: number; compressionType: string; sizeInBytes: number; records: FixtureRecord[] };
  hex: string;
}

export const compressedFixtures: CompressedFixture[] = (
  JSON.parse(readFileSync(new URL('./fixtures/golden/compressed.json', import.meta.url), 'utf8')) as { fixtures: CompressedFixture[] }
).fixtures;

export const fixtureBytes = (f: CompressedFixture): Uint8Array => new Uint8Array(Buffer.from(f.hex, 'hex'));

/** A one-record batch whose records section is replaced by `payload` under codec bits `codec`, with a valid CRC. */
export function withPayload(codec: number, payload: Uint8Array, template = encodeBatch({ records: [{ value: new Uint8Array(3) }] })): Uint8Array {
  const out = new Uint8Array(BATCH_HEADER_SIZE + payload.length);
  out.set(template.subarray(0, BATCH_HEADER_SIZE));
  out.set(payload, BATCH_HEADER_SIZE);
  const v = new DataView(out.buffer);
  v.setInt32(8, out.length - LOG_OVERHEAD);
  v.setInt16(21, (v.getInt16(21) & ~COMPRESSION_MASK) | codec);
  v.setUint32(17, crc32c(out, 21));
  return out;
}
