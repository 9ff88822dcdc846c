// Bad input on the Kafka port: truncated, oversized and random frames, a 2 GB size prefix. Each
// gets answers or a closed connection, never a crash or an unexpected error; the broker keeps
// serving. Also: graceful shutdown answers a long poll, and a Kafka port in use fails start-up.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pino } from 'pino';
import { kafka } from '@brook/protocol';
import { startBroker } from '@brook/server';
import { removeDir, tempDir, testBroker } from '../helpers.js';
import { RawKafka, splitAddress } from './rawKafka.js';

let broker: Awaited<ReturnType<typeof testBroker>>;
/** Log lines at error level or above: a hostile client must not cause any. */
const errors: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line && JSON.parse(line).level >= 50) errors.push(line);
      done();
    },
  });
  // Short long polls: a mutated Fetch may ask to wait, and the answers behind it wait too (in order).
  broker = await testBroker({ kafkaPort: 0, maxFrameBytes: 1 << 20, maxFetchWaitMs: 200, logger: pino({ level: 'warn' }, sink) });
  await broker.context.topics.create('hostile', 1);
});
afterAll(async () => {
  await broker.stop();
});

function sized(body: Uint8Array, size = body.length): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setInt32(0, size);
  out.set(body, 4);
  return out;
}

async function stillServes(): Promise<void> {
  const c = await RawKafka.connect(broker.kafkaAddress!);
  expect((await c.request('ApiVersions', 3, {})).errorCode).toBe(0);
  c.close();
}

describe('hostile input on the Kafka port', () => {
  it('closes the connection on a 2 GB size prefix at once, without allocating it', async () => {
    const c = await RawKafka.connect(broker.kafkaAddress!);
    c.writeRaw(Uint8Array.of(0x7f, 0xff, 0xff, 0xff));
    await c.closed;
    await stillServes();
  });

  it('closes the connection on a frame just above the maximum, and on a negative size', async () => {
    for (const size of [(1 << 20) + 1, -5]) {
      const c = await RawKafka.connect(broker.kafkaAddress!);
      c.writeRaw(sized(new Uint8Array(8), size));
      await c.closed;
    }
    await stillServes();
  });

  it('keeps waiting for the rest of a truncated frame, and serves the connection once it is whole', async () => {
    const c = await RawKafka.connect(broker.kafkaAddress!);
    const frame = kafka.encodeKafkaRequest('ApiVersions', 3, 1, 'x', { ...kafka.ApiVersionsRequest.defaults(), clientSoftwareName: 'a', clientSoftwareVersion: '1' });
    c.writeRaw(frame.subarray(0, 7));
    await new Promise((r) => setTimeout(r, 50));
    expect(c.stray).toEqual([]);
    c.writeRaw(frame.subarray(7));
    await expect.poll(() => c.stray.length).toBe(1);
    c.close();
  });

  it('answers or closes on random frames and mutated valid requests; the broker keeps serving', async () => {
    const valid = [
      kafka.encodeKafkaRequest('Metadata', 12, 1, 'x', { ...kafka.MetadataRequest.defaults(), topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'hostile' }] }),
      kafka.encodeKafkaRequest('Produce', 9, 1, 'x', { ...kafka.ProduceRequest.defaults(), acks: 1, timeoutMs: 100, topicData: [{ name: 'hostile', topicId: '', partitionData: [{ index: 0, records: new Uint8Array(70) }] }] }),
      kafka.encodeKafkaRequest('Fetch', 12, 1, 'x', { ...kafka.FetchRequest.defaults(), maxWaitMs: 0, topics: [{ topic: 'hostile', topicId: '', partitions: [] }] }),
    ];
    const mutated = fc
      .tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }))
      .map(([frame, flips]) => {
        const out = frame.slice();
        // Keep the size prefix right, so the body itself is what is hostile.
        for (const [at, v] of flips) out[4 + (at % (out.length - 4))] = v;
        return out;
      });
    const random = fc.uint8Array({ minLength: 0, maxLength: 300 }).map((b) => sized(b));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, random), async (bytes) => {
        const c = await RawKafka.connect(broker.kafkaAddress!);
        c.writeRaw(bytes);
        // Then a valid request: either it is answered (the frame was taken or answered) or the connection closes.
        const after = c.request('ApiVersions', 0, {}).then(
          () => 'answered',
          () => 'closed',
        );
        expect(['answered', 'closed']).toContain(await after);
        c.close();
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
    await stillServes();
    expect(errors).toEqual([]);
  });
});

describe('start-up and shutdown', () => {
  it('answers an in-flight long poll when the broker shuts down', async () => {
    const b = await testBroker({ kafkaPort: 0 });
    await b.context.topics.create('bye', 1);
    const c = await RawKafka.connect(b.kafkaAddress!);
    const poll = c.request('Fetch', 11, {
      maxWaitMs: 20_000,
      minBytes: 1,
      topics: [{ topic: 'bye', topicId: '', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1000, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1, replicaDirectoryId: '', highWatermark: 0 }] }],
    });
    await new Promise((r) => setTimeout(r, 50)); // the poll is waiting
    const started = Date.now();
    await b.stop();
    const res = await poll;
    expect(res.responses[0]!.partitions[0]!.errorCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    await c.closed;
  });

  it('refuses to start when the Kafka port is in use, and leaves nothing open', async () => {
    const first = await testBroker({ kafkaPort: 0 });
    const dataDir = await tempDir();
    try {
      const [, port] = splitAddress(first.kafkaAddress!);
      await expect(startBroker({ port: 0, kafkaPort: port, dataDir, logLevel: 'silent' })).rejects.toThrow(/Kafka port \d+ .* already in use/);
      // The data directory is not held open: a broker starts on it at once.
      const again = await startBroker({ port: 0, kafkaPort: 0, dataDir, logLevel: 'silent' });
      await again.close();
    } finally {
      await first.stop();
      await removeDir(dataDir);
    }
  });
});
