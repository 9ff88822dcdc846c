// Compressed batches through the broker: Kafka's gzip, snappy, lz4 and zstd batches (fixtures
// written by kafka-clients) are validated, stored and served byte for byte as produced; an
// undefined codec is UNSUPPORTED_COMPRESSION_TYPE; a payload that does not decompress or parse, or
// that inflates past the bound, is CORRUPT_MESSAGE.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_HEADER_SIZE, COMPRESSION_MASK, ErrorCode, decodeBatches, encodeBatch, readBatchHeader } from '@brook/protocol';
import { compressedFixtures, fixtureBytes, withPayload } from '../../protocol/test/compressedFixtures.js';
import { RawClient, testBroker } from './helpers.js';

const fixtures = compressedFixtures;

const produceReq = (topic: string, partition: number, records: Uint8Array) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 5000,
  topics: [{ topic, partitions: [{ partition, records }] }],
});

describe('compressed batches', () => {
  let broker: Awaited<ReturnType<typeof testBroker>>;
  let c: RawClient;
  beforeAll(async () => {
    broker = await testBroker();
    c = await RawClient.connect(broker.url);
    // One partition per fixture: the 'small' ones share an idempotent producer's sequence numbers.
    await c.request('CreateTopics', { topics: [{ name: 'z', numPartitions: fixtures.length + 1, configs: [] }], validateOnly: false });
  });
  afterAll(async () => {
    c.close();
    await broker.stop();
  });

  it("accepts Kafka's gzip, snappy, lz4 and zstd batches and serves them exactly as produced", async () => {
    for (const [partition, f] of fixtures.entries()) {
      const b = fixtureBytes(f);
      const r = (await c.request('Produce', produceReq('z', partition, b))).topics[0]!.partitions[0]!;
      expect(r, f.name).toMatchObject({ errorCode: 0, baseOffset: 0 });
      const got = (
        await c.request('Fetch', {
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 64 << 20,
          isolationLevel: 0,
          topics: [{ topic: 'z', partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 64 << 20 }] }],
        })
      ).topics[0]!.partitions[0]!.records as Uint8Array; // decoded: one array
      // Byte for byte, except the base offset the broker stamps (outside the CRC).
      expect(got.length, f.name).toBe(b.length);
      expect(Buffer.from(got.subarray(8)).equals(Buffer.from(b.subarray(8))), f.name).toBe(true);
      expect(decodeBatches(got)[0]!.records.length).toBe(f.kafkaRead.count);
      expect(readBatchHeader(got).attributes & COMPRESSION_MASK).toBe(readBatchHeader(b).attributes & COMPRESSION_MASK);
    }
  });

  it('answers UNSUPPORTED_COMPRESSION_TYPE (76) for codecs 5-7, CORRUPT_MESSAGE for payloads that do not decompress, parse or fit', async () => {
    const plain = encodeBatch({ records: [{ value: new Uint8Array(3) }] }).subarray(BATCH_HEADER_SIZE);
    const cases: Array<[string, Uint8Array, number]> = [
      ['codec 5', withPayload(5, plain), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE],
      ['codec 7', withPayload(7, plain), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE],
      ['gzip garbage', withPayload(1, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), ErrorCode.CORRUPT_MESSAGE],
      ['gzip of bytes that are not records', withPayload(1, new Uint8Array(gzipSync(new Uint8Array(64).fill(9)))), ErrorCode.CORRUPT_MESSAGE],
      // 80 MiB of zeros, about 80 KB compressed: refused at the 64 MiB bound.
      ['gzip bomb', withPayload(1, new Uint8Array(gzipSync(new Uint8Array(80 << 20), { level: 1 }))), ErrorCode.CORRUPT_MESSAGE],
    ];
    for (const [name, batch, code] of cases) {
      const r = (await c.request('Produce', produceReq('z', fixtures.length, batch))).topics[0]!.partitions[0]!;
      expect(r.errorCode, name).toBe(code);
    }
    // Nothing of them was written.
    expect(broker.context.topics.partition('z', fixtures.length)!.logEndOffset).toBe(0);
  });
});
