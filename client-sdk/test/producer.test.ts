import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { murmur2 } from '@brook/protocol';
import { BrookError, ProducerEvents, type Admin, type Brook } from '../src/index.js';
import type { Connection } from '../src/connection.js';
import { client, rawConnection, readAll, testBroker, text, type TestBroker } from './helpers.js';

let tb: TestBroker;
let brook: Brook;
let admin: Admin;
let raw: Connection;

beforeAll(async () => {
  tb = await testBroker();
  brook = client(tb.url);
  admin = brook.admin();
  await admin.connect();
  raw = rawConnection(tb.url);
  await raw.connect();
});

afterAll(async () => {
  await raw?.close();
  await admin?.disconnect();
  await tb?.stop();
});

describe('producer', () => {
  it('sends and reads back key, value, headers and timestamp', async () => {
    await admin.createTopics({ topics: [{ topic: 'basic', numPartitions: 1 }] });
    const producer = brook.producer();
    await producer.connect();
    const meta = await producer.send({
      topic: 'basic',
      messages: [
        { key: 'k1', value: 'v1', headers: { h: 'x', multi: ['a', 'b'] }, timestamp: 1_700_000_000_000 },
        { key: Buffer.from([0, 1, 2]), value: new Uint8Array([9, 8, 7]) },
        { value: null },
      ],
    });
    expect(meta).toEqual([
      expect.objectContaining({ topic: 'basic', topicName: 'basic', partition: 0, baseOffset: '0', offset: '0', errorCode: 0 }),
    ]);
    const second = await producer.send({ topic: 'basic', messages: [{ value: 'again' }] });
    expect(second[0]!.baseOffset).toBe('3');
    await producer.disconnect();

    const recs = await readAll(raw, 'basic', 0);
    expect(recs.map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    expect(text(recs[0]!.key)).toBe('k1');
    expect(text(recs[0]!.value)).toBe('v1');
    expect(recs[0]!.timestamp).toBe(1_700_000_000_000);
    expect(recs[0]!.headers.map((h) => [h.key, text(h.value)])).toEqual([
      ['h', 'x'],
      ['multi', 'a'],
      ['multi', 'b'],
    ]);
    expect(Array.from(recs[1]!.key!)).toEqual([0, 1, 2]);
    expect(Array.from(recs[1]!.value!)).toEqual([9, 8, 7]);
    expect(recs[2]!.key).toBeNull();
    expect(recs[2]!.value).toBeNull();
    expect(text(recs[3]!.value)).toBe('again');
  });

  it('coalesces many concurrent sends into few requests, each send getting its own offsets', async () => {
    await admin.createTopics({ topics: [{ topic: 'coalesce', numPartitions: 3 }] });
    const producer = brook.producer();
    await producer.connect();
    let requests = 0;
    producer.on(ProducerEvents.REQUEST, () => requests++);
    const N = 1000;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => producer.send({ topic: 'coalesce', messages: [{ value: `m${i}`, partition: i % 3 }] })),
    );
    expect(requests).toBeLessThanOrEqual(3);
    // Each send's offset is its index among the sends to its partition.
    for (let i = 0; i < N; i++) {
      expect(results[i]).toHaveLength(1);
      expect(results[i]![0]!.partition).toBe(i % 3);
      expect(results[i]![0]!.baseOffset).toBe(String(Math.floor(i / 3)));
    }
    for (let p = 0; p < 3; p++) {
      const recs = await readAll(raw, 'coalesce', p);
      expect(recs.map((r) => text(r.value))).toEqual(Array.from({ length: Math.ceil((N - p) / 3) }, (_, j) => `m${j * 3 + p}`));
    }
    await producer.disconnect();
  });

  it('honours linger: sends over a few ms go out together', async () => {
    await admin.createTopics({ topics: [{ topic: 'linger', numPartitions: 1 }] });
    const producer = brook.producer({ linger: 50 });
    await producer.connect();
    let requests = 0;
    producer.on(ProducerEvents.REQUEST, () => requests++);
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      sends.push(producer.send({ topic: 'linger', messages: [{ value: String(i) }] }));
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(sends);
    expect(requests).toBe(1);
    await producer.disconnect();
  });

  it('puts keyed messages on their murmur2 partitions and keyless ones on one sticky partition per batch', async () => {
    await admin.createTopics({ topics: [{ topic: 'keyed', numPartitions: 6 }] });
    const producer = brook.producer();
    const keys = Array.from({ length: 60 }, (_, i) => `key-${i}`);
    const meta = await producer.send({ topic: 'keyed', messages: keys.map((k) => ({ key: k, value: k })) });
    const expected = new Map<number, string[]>();
    for (const k of keys) {
      const p = (murmur2(new TextEncoder().encode(k)) & 0x7fffffff) % 6;
      expected.set(p, [...(expected.get(p) ?? []), k]);
    }
    expect(new Set(meta.map((m) => m.partition))).toEqual(new Set(expected.keys()));
    for (const [p, ks] of expected) {
      const recs = await readAll(raw, 'keyed', p);
      expect(recs.map((r) => text(r.key))).toEqual(ks);
    }

    // Keyless: all messages of one send (one batch) land on one partition; later batches move.
    await admin.createTopics({ topics: [{ topic: 'keyless', numPartitions: 4 }] });
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const m = await producer.send({ topic: 'keyless', messages: Array.from({ length: 10 }, (_, j) => ({ value: `${i}-${j}` })) });
      expect(m).toHaveLength(1);
      seen.add(m[0]!.partition);
    }
    expect(seen.size).toBeGreaterThan(1);
    await producer.disconnect();
  });

  it('supports acks 0, 1 and all', async () => {
    await admin.createTopics({ topics: [{ topic: 'acks', numPartitions: 1 }] });
    const producer = brook.producer();
    const all = await producer.send({ topic: 'acks', acks: 'all', messages: [{ value: 'a' }] });
    const minus1 = await producer.send({ topic: 'acks', acks: -1, messages: [{ value: 'b' }] });
    const one = await producer.send({ topic: 'acks', acks: 1, messages: [{ value: 'c' }] });
    const zero = await producer.send({ topic: 'acks', acks: 0, messages: [{ value: 'd' }] });
    expect([all[0]!.baseOffset, minus1[0]!.baseOffset, one[0]!.baseOffset]).toEqual(['0', '1', '2']);
    expect(zero[0]!.baseOffset).toBe('-1');
    // acks 0 gets no answer: wait until the record shows up.
    for (let i = 0; i < 100; i++) {
      if ((await readAll(raw, 'acks', 0)).length === 4) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await readAll(raw, 'acks', 0)).map((r) => text(r.value))).toEqual(['a', 'b', 'c', 'd']);
    await expect(producer.send({ topic: 'acks', acks: 2 as never, messages: [{ value: 'x' }] })).rejects.toBeInstanceOf(BrookError);
    await producer.disconnect();
  });

  it('sendBatch writes several topics in one go (KafkaJS shape)', async () => {
    await admin.createTopics({ topics: [{ topic: 'batch-a', numPartitions: 1 }, { topic: 'batch-b', numPartitions: 2 }] });
    const producer = brook.producer();
    const meta = await producer.sendBatch({
      topicMessages: [
        { topic: 'batch-a', messages: [{ value: '1' }, { value: '2' }] },
        { topic: 'batch-b', messages: [{ value: '3', partition: 1 }] },
      ],
    });
    expect(meta.map((m) => [m.topicName, m.partition, m.baseOffset]).sort()).toEqual([
      ['batch-a', 0, '0'],
      ['batch-b', 1, '0'],
    ]);
    await producer.disconnect();
  });

  it('rejects unknown topics and out-of-range partitions with BrookError', async () => {
    const producer = brook.producer();
    const err = await producer.send({ topic: 'no-such-topic', messages: [{ value: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrookError);
    expect((err as BrookError).type).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    await admin.createTopics({ topics: [{ topic: 'two', numPartitions: 2 }] });
    const err2 = await producer.send({ topic: 'two', messages: [{ value: 'x', partition: 5 }] }).catch((e: unknown) => e);
    expect((err2 as BrookError).type).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    await producer.disconnect();
    await expect(producer.send({ topic: 'two', messages: [{ value: 'x' }] })).rejects.toBeInstanceOf(BrookError);
  });

  it('fails a send whose topic was deleted after its partition count was cached', async () => {
    await admin.createTopics({ topics: [{ topic: 'doomed', numPartitions: 1 }] });
    const producer = brook.producer({ retry: { retries: 2, initialRetryTime: 20 } });
    await producer.send({ topic: 'doomed', messages: [{ value: '1' }] });
    await admin.deleteTopics({ topics: ['doomed'] });
    const err = await producer.send({ topic: 'doomed', messages: [{ value: '2' }] }).catch((e: unknown) => e);
    expect((err as BrookError).type).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    await producer.disconnect();
  });

  it('splits batches by size; a record too big alone fails with MESSAGE_TOO_LARGE', async () => {
    await admin.createTopics({ topics: [{ topic: 'big', numPartitions: 1 }] });
    const producer = brook.producer();
    // 40 x 100 KiB = ~4 MiB for one partition, over the 1 MiB default max.message.bytes.
    const value = new Uint8Array(100 * 1024).fill(7);
    const metas = await Promise.all(Array.from({ length: 40 }, () => producer.send({ topic: 'big', messages: [{ value }] })));
    expect(metas.map((m) => Number(m[0]!.baseOffset)).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(await readAll(raw, 'big', 0)).toHaveLength(40);

    const tooBig = new Uint8Array(2 * 1024 * 1024);
    const err = await producer.send({ topic: 'big', messages: [{ value: tooBig }] }).catch((e: unknown) => e);
    expect((err as BrookError).type).toBe('MESSAGE_TOO_LARGE');
    // The failure of one send does not affect the others of the same flush.
    const [ok, bad] = await Promise.allSettled([
      producer.send({ topic: 'big', messages: [{ value: 'small' }] }),
      producer.send({ topic: 'big', messages: [{ value: tooBig }] }),
    ]);
    expect(ok.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    await producer.disconnect();
  });

  it("adapts to a topic's smaller max.message.bytes", async () => {
    await admin.createTopics({ topics: [{ topic: 'small-max', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2000' }] }] });
    const producer = brook.producer();
    const value = 'x'.repeat(300);
    const metas = await Promise.all(Array.from({ length: 50 }, () => producer.send({ topic: 'small-max', messages: [{ value }] })));
    expect(metas).toHaveLength(50);
    expect(await readAll(raw, 'small-max', 0)).toHaveLength(50);
    const err = await producer.send({ topic: 'small-max', messages: [{ value: 'y'.repeat(5000) }] }).catch((e: unknown) => e);
    expect((err as BrookError).type).toBe('MESSAGE_TOO_LARGE');
    await producer.disconnect();
  });

  it('bounds memory: a flood of sends waits instead of queueing without limit', async () => {
    await admin.createTopics({ topics: [{ topic: 'flood', numPartitions: 2 }] });
    const producer = brook.producer({ maxBufferedBytes: 64 * 1024, maxInFlightRequests: 2 });
    const value = new Uint8Array(1024);
    const N = 2000;
    const metas = await Promise.all(Array.from({ length: N }, (_, i) => producer.send({ topic: 'flood', messages: [{ value, partition: i % 2 }] })));
    expect(metas).toHaveLength(N);
    const total = (await readAll(raw, 'flood', 0)).length + (await readAll(raw, 'flood', 1)).length;
    expect(total).toBe(N);
    await producer.disconnect();
  });
});

describe('producer across a broker restart', () => {
  it('retries and reconnects when the broker comes back on the same port and data dir', async () => {
    const b1 = await testBroker();
    const dataDir = b1.dataDir;
    const port = b1.port;
    const c = client(b1.url, { retries: 8 });
    const adm = c.admin();
    await adm.createTopics({ topics: [{ topic: 'restart', numPartitions: 2 }] });
    await adm.disconnect();
    const producer = c.producer();
    const first = await producer.send({ topic: 'restart', messages: [{ key: 'a', value: 'before' }] });
    await b1.broker.close();

    // Send while the broker is down; bring it back shortly after.
    const pending = producer.send({ topic: 'restart', messages: [{ key: 'a', value: 'after' }] });
    await new Promise((r) => setTimeout(r, 500));
    const b2 = await testBroker({ dataDir, port });
    try {
      const second = await pending;
      expect(second[0]!.partition).toBe(first[0]!.partition);
      expect(second[0]!.baseOffset).toBe('1');
      const conn = rawConnection(b2.url);
      const recs = await readAll(conn, 'restart', first[0]!.partition);
      expect(recs.map((r) => text(r.value))).toEqual(['before', 'after']);
      await conn.close();
      await producer.disconnect();
    } finally {
      await b2.stop();
      const { rm } = await import('node:fs/promises');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
