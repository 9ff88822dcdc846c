// The SDK's consumer reads batches that Kafka clients produced compressed (gzip, snappy, lz4, zstd:
// fixtures written by kafka-clients). The broker runs in a child process, so the codecs this
// process uses are the ones the SDK registers itself (in Node, before its first connection).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressionCodecId, compressionCodec } from '@brook/protocol';
import { Brook, logLevel } from '../src/index.js';
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
});
