// The SDK's consumer reads batches that Kafka clients produced compressed (gzip, snappy, lz4, zstd:
// fixtures written by kafka-clients). The broker runs in a child process, so the codecs this
// process uses are the ones the SDK registers itself (in Node, before its first connection).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPRESSION_MASK, CompressionCodecId, ErrorCode, compressionCodec, decodeBatches, registerCompressionCodec } from '@brook/protocol';
import { zstdCodec } from '@brook/protocol/codecs';
import { Brook, CompressionTypes, logLevel } from '../src/index.js';
import { RawClient, removeDir, spawnBroker, tempDir, type ChildBroker } from '../../server/test/helpers.js';
import { compressedFixtures, fixtureBytes } from '../../protocol/test/compressedFixtures.js';

const fixtures = compressedFixtures;

describe('consuming compressed batches', () => {
  let broker: ChildBroker;
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
    broker = await spawnBroker(dir);
  });
  afterAll(async () => {
    broker.proc.kill('SIGTERM');
    await broker.exited;
    await removeDir(dir);
  });

  it("decodes Kafka's gzip, snappy, lz4 and zstd batches in Node", async () => {
    // Nothing registered codecs in this process yet.
    for (const id of [CompressionCodecId.GZIP, CompressionCodecId.Snappy, CompressionCodecId.LZ4, CompressionCodecId.ZSTD]) {
      expect(compressionCodec(id)).toBeUndefined();
    }
    const raw = await RawClient.connect(broker.url);
    await raw.request('CreateTopics', { topics: [{ name: 'packed', numPartitions: fixtures.length, configs: [] }], validateOnly: false });
    for (const [partition, f] of fixtures.entries()) {
      const r = await raw.request('Produce', {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topics: [{ topic: 'packed', partitions: [{ partition, records: fixtureBytes(f) }] }],
      });
      expect(r.topics[0]!.partitions[0]!.errorCode, f.name).toBe(0);
    }
    raw.close();

    const brook = new Brook({ url: broker.url, logLevel: logLevel.NOTHING });
    const consumer = brook.consumer({ groupId: 'unpack', sessionTimeout: 6000, heartbeatInterval: 500 });
    const total = fixtures.reduce((n, f) => n + f.kafkaRead.count, 0);
    const got = new Map<number, string[]>();
    await consumer.connect();
    await consumer.subscribe({ topics: ['packed'], fromBeginning: true });
    let n = 0;
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const list = got.get(partition) ?? [];
        list.push(message.value === null ? '<null>' : new TextDecoder().decode(message.value));
        got.set(partition, list);
        if (++n === total) resolveDone();
      },
    });
    await done;
    await consumer.disconnect();
    for (const [partition, f] of fixtures.entries()) {
      const values = got.get(partition)!;
      expect(values.length, f.name).toBe(f.kafkaRead.count);
      if (f.input.records.length > 0) {
        expect(values, f.name).toEqual(f.input.records.map((r) => (r.value === null ? '<null>' : Buffer.from(r.value, 'hex').toString())));
      } else {
        expect(values[999], f.name).toContain('"id": 999,');
      }
    }
    expect(compressionCodec(CompressionCodecId.ZSTD)).toBeDefined();
  });

  it('produces compressed batches with each of KafkaJS\'s CompressionTypes, stored as sent and read back', async () => {
    const brook = new Brook({ url: broker.url, logLevel: logLevel.NOTHING });
    const admin = brook.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'sdk-packed', numPartitions: 5 }] });
    await admin.disconnect();
    const producer = brook.producer();
    await producer.connect();
    const types = [CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD];
    const text = (codec: number, i: number) => `{"codec": ${codec}, "i": ${i}, "note": "${'compressible '.repeat(8)}"}`;
    for (const codec of types) {
      const messages = Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: text(codec, i), partition: codec, headers: { h: `v${i}` } }));
      const [r] = await producer.send({ topic: 'sdk-packed', compression: codec, messages });
      expect(r).toMatchObject({ partition: codec, errorCode: 0, baseOffset: '0' });
    }
    // A codec with no compressor here (a browser without registered codecs, or zstd's JavaScript one) is refused before anything is sent.
    const zstd = compressionCodec(CompressionCodecId.ZSTD)!;
    registerCompressionCodec(CompressionCodecId.ZSTD, zstdCodec);
    try {
      await expect(producer.send({ topic: 'sdk-packed', compression: CompressionTypes.ZSTD, messages: [{ value: 'x' }] })).rejects.toMatchObject({
        code: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
        message: expect.stringContaining('no zstd compressor'),
      });
    } finally {
      registerCompressionCodec(CompressionCodecId.ZSTD, zstd);
    }
    await expect(producer.send({ topic: 'sdk-packed', compression: 9, messages: [{ value: 'x' }] })).rejects.toMatchObject({ code: ErrorCode.INVALID_REQUEST });
    await producer.disconnect();

    const raw = await RawClient.connect(broker.url);
    const fetched = await raw.request('Fetch', {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 16 << 20,
      isolationLevel: 0,
      topics: [{ topic: 'sdk-packed', partitions: types.map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 4 << 20 })) }],
    });
    raw.close();
    for (const p of fetched.topics[0]!.partitions) {
      const batches = decodeBatches(p.records as Uint8Array);
      expect(batches.map((b) => b.header.attributes & COMPRESSION_MASK), `partition ${p.partition}`).toEqual([p.partition]);
      // Idempotent by default: numbered, as uncompressed ones are.
      expect(batches[0]!.header.producerId).toBeGreaterThanOrEqual(0);
      const records = batches[0]!.records;
      expect(records.map((r) => new TextDecoder().decode(r.value!))).toEqual(Array.from({ length: 200 }, (_, i) => text(p.partition, i)));
      expect(new TextDecoder().decode(records[7]!.key!)).toBe('k7');
      expect(new TextDecoder().decode(records[7]!.headers[0]!.value!)).toBe('v7');
      if (p.partition !== 0) expect((p.records as Uint8Array).length).toBeLessThan(200 * 60);
    }
  });
});
