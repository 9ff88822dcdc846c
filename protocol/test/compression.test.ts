/**
 * Compressed record batches: Kafka's own gzip, snappy (xerial-framed), lz4 (frame) and zstd batches
 * (fixtures written by kafka-clients, scripts/kafka/golden) decode and validate; Brook's
 * compressors round-trip; unknown codecs, corrupt payloads and zip bombs are refused.
 */
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH_HEADER_SIZE,
  COMPRESSION_MASK,
  CompressionCodecId,
  DecompressedTooLargeError,
  ProtocolError,
  UnsupportedCompressionError,
  compressionCodec,
  declaredRecordsSize,
  decodeBatch,
  decodeBatches,
  encodeBatch,
  validateBatch,
  type DecodedRecord,
} from '../src/index.js';
import { gzipCodec, lz4Codec, registerKafkaCodecs, snappyCodec, zstdCodec } from '../src/codecs.js';
import { compress as rawSnappy } from 'snappyjs';
import { nativeGzip } from '../src/gzip.node.js';
import { nativeZstd } from '../src/zstd.node.js';
import { zstdFrames } from '../src/zstdFrames.js';
import { compressedFixtures, fixtureBytes, withPayload, type FixtureRecord } from './compressedFixtures.js';

const fixtures = compressedFixtures;
const hex = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('hex'));
const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const T0 = 1_700_000_000_000;
const IDS: Record<string, number> = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** The "big" fixture's records, from the formula in its description (GoldenBatches.java). */
function bigRecords(): FixtureRecord[] {
  return Array.from({ length: 1000 }, (_, i) => ({
    offset: i,
    timestamp: T0 + i,
    key: utf8(`key-${i % 101}`),
    value: utf8(`{"id": ${i}, "name": "customer-${i % 37}", "note": "${'lorem ipsum dolor sit amet '.repeat(1 + (i % 7))}"}`),
    headers: [],
  }));
}

const asFixture = (r: DecodedRecord): FixtureRecord => ({
  offset: r.offset,
  timestamp: r.timestamp,
  key: hex(r.key),
  value: hex(r.value),
  headers: r.headers.map((h) => ({ key: h.key, value: hex(h.value) })),
});

const recordsSection = (b: Uint8Array) => b.subarray(BATCH_HEADER_SIZE);

beforeAll(() => registerKafkaCodecs());

describe('compressed batches written by Apache Kafka', () => {
  it('has gzip, snappy, lz4 and zstd fixtures', () => {
    expect(new Set(fixtures.map((f) => f.kafkaRead.compressionType))).toEqual(new Set(['gzip', 'snappy', 'lz4', 'zstd']));
  });

  describe.each(fixtures)('$name', (f) => {
    const bytes = fixtureBytes(f);
    const expected = f.input.records.length > 0 ? f.input.records : bigRecords();

    it('decodes to exactly the inputs, as Kafka read them', () => {
      const d = decodeBatch(bytes);
      expect(d.header.attributes & COMPRESSION_MASK).toBe(IDS[f.kafkaRead.compressionType]);
      expect(d.header.crc).toBe(f.kafkaRead.crc);
      expect(d.header.recordCount).toBe(f.kafkaRead.count);
      expect(bytes.length).toBe(f.kafkaRead.sizeInBytes);
      const got = d.records.map(asFixture);
      expect(got).toEqual(expected);
      if (f.kafkaRead.records.length > 0) expect(got).toEqual(f.kafkaRead.records);
      expect(decodeBatches(bytes)).toHaveLength(1);
    });

    it("passes the broker's validation", () => {
      expect(validateBatch(bytes).size).toBe(bytes.length);
    });

    it('says what it decompresses to (lz4: at most that, by whole blocks), as its framing declares', () => {
      const id = IDS[f.kafkaRead.compressionType]!;
      const inflated = validateBatch(bytes).recordsBytes;
      const declared = declaredRecordsSize(id, bytes.subarray(BATCH_HEADER_SIZE));
      if (id === CompressionCodecId.LZ4) {
        expect(declared).toBeGreaterThanOrEqual(inflated);
        expect(declared).toBeLessThan(inflated + (64 << 10) * Math.ceil(inflated / (64 << 10)) + 1);
      } else if (id === CompressionCodecId.ZSTD) {
        // zstd-jni's stream declares no content size: its blocks bound it, 128 KiB each at most.
        expect(declared).toBeGreaterThanOrEqual(inflated);
        expect(declared).toBeLessThanOrEqual((Math.ceil(inflated / (128 << 10)) + 1) * (128 << 10));
      } else expect(declared).toBe(inflated);
    });

    it('is refused when decompressed it would exceed the bound', () => {
      const small = Math.floor(decodeBatch(bytes).records.reduce((n, r) => n + (r.value?.length ?? 0), 0) / 2);
      expect(() => validateBatch(bytes, 0, bytes.length, { maxDecompressedBytes: small })).toThrow(/exceed/);
    });
  });
});

describe("Brook's codecs", () => {
  const records = bigRecords().slice(0, 400).map((r) => ({ key: Buffer.from(r.key!, 'hex'), value: Buffer.from(r.value!, 'hex'), timestamp: r.timestamp }));

  it.each(['gzip', 'snappy', 'lz4', 'zstd'])('compresses %s batches that decode and validate', (name) => {
    const b = encodeBatch({ records, compression: IDS[name] });
    const plain = encodeBatch({ records });
    expect(b.length).toBeLessThan(plain.length / 2);
    expect(validateBatch(b).header.attributes & COMPRESSION_MASK).toBe(IDS[name]);
    expect(decodeBatch(b).records.map(asFixture)).toEqual(decodeBatch(plain).records.map(asFixture));
  });

  it('reads zstd with libzstd in Node, and fzstd reads what libzstd writes', () => {
    expect(nativeZstd).not.toBeNull();
    expect(compressionCodec(CompressionCodecId.ZSTD)).not.toBe(zstdCodec);
    const section = recordsSection(encodeBatch({ records }));
    const packed = compressionCodec(CompressionCodecId.ZSTD)!.compress!(section);
    expect(Buffer.from(zstdCodec.decompress(packed, 1 << 20)).equals(Buffer.from(section))).toBe(true);
    expect(Buffer.from(nativeZstd!.decompress(packed)).equals(Buffer.from(section))).toBe(true);
    // No content size in the frame (a stream, as zstd-jni writes): the blocks bound it.
    expect(zstdFrames(packed, Infinity)).toEqual({ declared: null, bound: 128 << 10 });
    expect(zstdCodec.compress).toBeUndefined();
  });

  it('reads raw (unframed) snappy as well as xerial-framed', () => {
    const plain = encodeBatch({ records });
    const raw = withPayload(2, rawSnappy(recordsSection(plain)), plain);
    expect(decodeBatch(raw).records.map(asFixture)).toEqual(decodeBatch(plain).records.map(asFixture));
    expect(snappyCodec.decompress(snappyCodec.compress!(recordsSection(plain)), 1 << 20)).toEqual(recordsSection(plain));
  });

  it('refuses undefined codecs (5-7) with UnsupportedCompressionError', () => {
    const plain = encodeBatch({ records: [{ value: new Uint8Array(3) }] });
    for (const codec of [5, 6, 7]) {
      const b = withPayload(codec, recordsSection(plain), plain);
      expect(() => validateBatch(b)).toThrow(UnsupportedCompressionError);
      expect(() => decodeBatch(b)).toThrow(UnsupportedCompressionError);
    }
  });

  it.each([1, 2, 3, 4])('refuses a payload of codec %i that does not decompress, or does not parse', (codec) => {
    const plain = encodeBatch({ records: [{ value: new Uint8Array(3) }] });
    const garbage = withPayload(codec, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), plain);
    expect(() => validateBatch(garbage)).toThrow(ProtocolError);
    expect(() => validateBatch(garbage)).not.toThrow(UnsupportedCompressionError);
    // Decompresses fine, but to bytes that are not the records the header promises.
    const wrong = withPayload(codec, compressionCodec(codec)!.compress!(new Uint8Array(40).fill(7)), plain);
    expect(() => validateBatch(wrong)).toThrow(ProtocolError);
    expect(() => decodeBatch(wrong)).toThrow(ProtocolError);
  });
});

describe('zip bombs', () => {
  const MiB = 1 << 20;
  const plain = encodeBatch({ records: [{ value: new Uint8Array(3) }] });

  it.each([
    ['gzip', () => new Uint8Array(gzipSync(new Uint8Array(64 * MiB)))],
    ['snappy', () => snappyCodec.compress!(new Uint8Array(8 * MiB))],
    ['lz4', () => lz4Codec.compress!(new Uint8Array(8 * MiB))],
  ] as const)('a %s batch that inflates past the bound is refused early', (name, make) => {
    const bomb = withPayload(IDS[name]!, make(), plain);
    const t0 = Date.now();
    expect(() => validateBatch(bomb, 0, bomb.length, { maxDecompressedBytes: MiB })).toThrow(/exceed 1048576 bytes/);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it("Node's gzip (zlib, registered in Node) and the JavaScript one read the same, stop at the bound alike, and say what they inflate to", () => {
    expect(nativeGzip).not.toBeNull();
    const data = new TextEncoder().encode('brook '.repeat(5000));
    for (const codec of [nativeGzip!, gzipCodec]) {
      const packed = codec.compress!(data);
      expect(Buffer.from(nativeGzip!.decompress(packed, MiB)).equals(Buffer.from(data))).toBe(true);
      expect(Buffer.from(gzipCodec.decompress(packed, MiB)).equals(Buffer.from(data))).toBe(true);
      expect(codec.declaredSize!(packed)).toBe(data.length);
      expect(() => codec.decompress(packed, data.length - 1)).toThrow(DecompressedTooLargeError);
      expect(() => codec.decompress(packed, 0)).toThrow(DecompressedTooLargeError);
    }
    // zlib checks the trailer (fflate does not): a wrong length is refused.
    const forged = nativeGzip!.compress!(data);
    new DataView(forged.buffer, forged.byteOffset).setUint32(forged.length - 4, 7, true);
    expect(() => nativeGzip!.decompress(forged, MiB)).toThrow();
    // registerKafkaCodecs (beforeAll) put zlib's in, and a 64 MiB bomb stops at the bound through it.
    expect(compressionCodec(CompressionCodecId.GZIP)).toBe(nativeGzip);
    const bomb = withPayload(1, new Uint8Array(gzipSync(new Uint8Array(64 * MiB))), plain);
    expect(() => validateBatch(bomb, 0, bomb.length, { maxDecompressedBytes: MiB })).toThrow(DecompressedTooLargeError);
  });

  it('a zstd batch that inflates past the bound is refused early, by libzstd and by fzstd', () => {
    const packed = compressionCodec(CompressionCodecId.ZSTD)!.compress!(new Uint8Array(64 * MiB));
    expect(packed.length).toBeLessThan(64 << 10);
    const bomb = withPayload(4, packed, plain);
    const t0 = Date.now();
    expect(() => validateBatch(bomb, 0, bomb.length, { maxDecompressedBytes: MiB })).toThrow(DecompressedTooLargeError);
    expect(() => zstdCodec.decompress(packed, MiB)).toThrow(DecompressedTooLargeError);
    expect(Date.now() - t0).toBeLessThan(2_000);
    // Within its bound it is decompressed by libzstd in one call.
    expect(compressionCodec(CompressionCodecId.ZSTD)!.decompress(packed, 64 * MiB).length).toBe(64 * MiB);
  });

  it('zstd frames: truncation, trailing bytes, reserved blocks and skippable frames', () => {
    const frame = compressionCodec(CompressionCodecId.ZSTD)!.compress!(new TextEncoder().encode('brook '.repeat(100)));
    expect(() => zstdFrames(frame.subarray(0, frame.length - 1), MiB)).toThrow(/truncated/);
    expect(() => zstdFrames(new Uint8Array([...frame, 0]), MiB)).toThrow(ProtocolError);
    const skippable = new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9]);
    expect(zstdFrames(new Uint8Array([...skippable, ...frame]), MiB)).toEqual(zstdFrames(frame, MiB));
    expect(() => zstdFrames(skippable.subarray(0, 9), MiB)).toThrow(/truncated/);
    // Frames one after another, skippable ones between: both decoders read them as one stream.
    const second = compressionCodec(CompressionCodecId.ZSTD)!.compress!(new TextEncoder().encode('!'));
    const stream = new Uint8Array([...skippable, ...frame, ...skippable, ...second]);
    const expected = 'brook '.repeat(100) + '!';
    expect(new TextDecoder().decode(compressionCodec(CompressionCodecId.ZSTD)!.decompress(stream, MiB))).toBe(expected);
    expect(new TextDecoder().decode(zstdCodec.decompress(stream, MiB))).toBe(expected);
    expect(zstdFrames(stream, MiB).bound).toBe(zstdFrames(frame, MiB).bound + zstdFrames(second, MiB).bound);
    // Single segment, a declared content size of 3, one raw last block of 3 bytes: exact.
    const raw = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x20, 3, 0x19, 0, 0, 1, 2, 3]);
    expect(zstdFrames(raw, MiB)).toEqual({ declared: 3, bound: 3 });
    expect(Array.from(compressionCodec(CompressionCodecId.ZSTD)!.decompress(raw, MiB))).toEqual([1, 2, 3]);
    expect(() => zstdFrames(raw, 2)).toThrow(DecompressedTooLargeError);
    const reserved = raw.slice();
    reserved[6] = 0x1f; // block type 3
    expect(() => zstdFrames(reserved, MiB)).toThrow(/reserved/);
  });

  it('a zstd frame that declares a huge window is refused before anything is allocated', () => {
    // Magic, frame header descriptor 0 (no single segment, no checksum), window descriptor 0xF8
    // (2^41 bytes), then one empty raw last block.
    const frame = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 0x01, 0x00, 0x00]);
    expect(() => validateBatch(withPayload(4, frame, plain), 0, undefined, { maxDecompressedBytes: MiB })).toThrow(/exceed/);
  });
});
