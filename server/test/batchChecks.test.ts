// Produce's batch checks (services/batchChecks.ts): a compressed batch is checked on a worker
// thread, so one that inflates a thousandfold does not hold the event loop for other clients; a
// partition's appends keep the order their requests came in, whichever path each took.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_HEADER_SIZE, ErrorCode, decodeBatches, encodeBatch } from '@brook/protocol';
import { withPayload } from '../../protocol/test/compressedFixtures.js';
import { anyCompressed } from '../src/services/batchSplit.js';
import { RawClient, testBroker } from './helpers.js';

const produceReq = (topic: string, records: Uint8Array) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 30_000,
  topics: [{ topic, partitions: [{ partition: 0, records }] }],
});

/** A valid gzip batch of one record whose value is `size` zero bytes (about size / 1000 sent). */
function gzipBomb(size: number): Uint8Array {
  const plain = encodeBatch({ records: [{ value: new Uint8Array(size) }] });
  return withPayload(1, new Uint8Array(gzipSync(plain.subarray(BATCH_HEADER_SIZE), { level: 9 })), plain);
}

const plainBatch = (text: string) => encodeBatch({ records: [{ value: new TextEncoder().encode(text) }] });
const gzipBatch = (text: string) => {
  const plain = plainBatch(text);
  return withPayload(1, new Uint8Array(gzipSync(plain.subarray(BATCH_HEADER_SIZE))), plain);
};

describe('batch checks off the event loop', () => {
  let broker: Awaited<ReturnType<typeof testBroker>>;
  let c: RawClient;
  beforeAll(async () => {
    broker = await testBroker();
    c = await RawClient.connect(broker.url);
  });
  afterAll(async () => {
    c.close();
    await broker.stop();
  });

  const createTopic = (name: string) => c.request('CreateTopics', { topics: [{ name, numPartitions: 1, configs: [] }], validateOnly: false });
  const fetchAll = async (topic: string) =>
    decodeBatches(
      (
        await c.request('Fetch', {
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 256 << 20,
          isolationLevel: 0,
          topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 256 << 20 }] }],
        })
      ).topics[0]!.partitions[0]!.records as Uint8Array,
    );

  it('a request of gzip batches that inflate to 8 x 40 MiB is stored while the event loop stays free (it was held 1-2 s)', async () => {
    await createTopic('bombs');
    const one = gzipBomb(40 << 20);
    const request = new Uint8Array(one.length * 8);
    for (let i = 0; i < 8; i++) request.set(one, i * one.length);
    const other = await RawClient.connect(broker.url);
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    // The monitor records from its second tick on: a block before that would go unseen.
    while (loop.count < 2) await new Promise((r) => setTimeout(r, 5));
    let metadataMs: number;
    try {
      const produced = c.request('Produce', produceReq('bombs', request));
      // Another client, asking after the produce was sent, is answered while the batches are checked.
      const t0 = performance.now();
      const meta = await other.request('Metadata', { topics: null });
      metadataMs = performance.now() - t0;
      expect(meta.topics.some((t) => t.name === 'bombs')).toBe(true);
      const r = (await produced).topics[0]!.partitions[0]!;
      expect(r).toMatchObject({ errorCode: 0, baseOffset: 0 });
    } finally {
      loop.disable();
      other.close();
    }
    // Checked on the event loop, the eight batches held it (and the Metadata answer) 1-2 s in one piece here.
    expect(metadataMs).toBeLessThan(500);
    expect(loop.max / 1e6).toBeLessThan(500);
    expect(broker.context.topics.partition('bombs', 0)!.logEndOffset).toBe(8);
    const first = (await fetchAll('bombs'))[0]!;
    expect(first.records[0]!.value!.length).toBe(40 << 20);
  });

  it("a partition's requests are appended in the order they came, compressed (worker) or not (inline)", async () => {
    await createTopic('ordered');
    const texts = Array.from({ length: 12 }, (_, i) => `m${i}`);
    // Sent back to back, not awaited: every other one takes the worker's path.
    const answers = await Promise.all(texts.map((t, i) => c.request('Produce', produceReq('ordered', i % 2 === 0 ? gzipBatch(t) : plainBatch(t)))));
    expect(answers.map((a) => a.topics[0]!.partitions[0]!.baseOffset)).toEqual(texts.map((_, i) => i));
    const stored = (await fetchAll('ordered')).map((b) => new TextDecoder().decode(b.records[0]!.value!));
    expect(stored).toEqual(texts);
    expect(broker.context.batchChecks.waiting).toBe(0);
  });

  it('a refused compressed batch appends nothing and does not hold up the requests after it', async () => {
    await createTopic('refused');
    const garbage = withPayload(1, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    const [bad, unsupported, good] = await Promise.all([
      c.request('Produce', produceReq('refused', garbage)),
      c.request('Produce', produceReq('refused', withPayload(6, plainBatch('x').subarray(BATCH_HEADER_SIZE)))),
      c.request('Produce', produceReq('refused', plainBatch('after'))),
    ]);
    expect(bad.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(unsupported.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect(good.topics[0]!.partitions[0]!).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(broker.context.batchChecks.waiting).toBe(0);
  });
});

describe('anyCompressed', () => {
  it('says whether any batch of a request is compressed, from the headers alone', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ gzip: fc.boolean(), text: fc.string({ maxLength: 40 }) }), { minLength: 1, maxLength: 6 }), (specs) => {
        const batches = specs.map((s) => (s.gzip ? gzipBatch(s.text) : plainBatch(s.text)));
        const buf = new Uint8Array(batches.reduce((n, b) => n + b.length, 0));
        let at = 0;
        for (const b of batches) {
          buf.set(b, at);
          at += b.length;
        }
        expect(anyCompressed(buf)).toBe(specs.some((s) => s.gzip));
      }),
      { numRuns: 200 },
    );
  });

  it('stops at a header that does not fit (the check proper refuses it)', () => {
    expect(anyCompressed(new Uint8Array(10))).toBe(false);
    const b = plainBatch('x');
    new DataView(b.buffer).setInt32(8, -5);
    expect(anyCompressed(b)).toBe(false);
  });
});
