import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, decodeBatches, encodeBatch } from '@brook/protocol';
import { RawClient, testBroker } from './helpers.js';
import { RawKafka } from './kafka/rawKafka.js';
import { ConnectionShare } from '../src/services/answerMemory.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
type TB = Awaited<ReturnType<typeof testBroker>>;

function batch(values: string[], key?: string) {
  return encodeBatch({ records: values.map((v) => ({ key: key === undefined ? null : enc.encode(key), value: enc.encode(v) })) });
}

function produceReq(topic: string, partition: number, records: Uint8Array, acks = -1) {
  return { transactionalId: null, acks, timeoutMs: 5000, topics: [{ topic, partitions: [{ partition, records }] }] };
}

function fetchReq(topic: string, partition: number, fetchOffset: number, maxWaitMs = 0, minBytes = 1) {
  return { maxWaitMs, minBytes, maxBytes: 1 << 20, isolationLevel: 0, topics: [{ topic, partitions: [{ partition, fetchOffset, partitionMaxBytes: 1 << 20 }] }] };
}

describe('produce and fetch over WebSockets', () => {
  let broker: TB;
  let c: RawClient;
  beforeAll(async () => {
    broker = await testBroker();
    c = await RawClient.connect(broker.url);
    const r = await c.request('CreateTopics', { topics: [{ name: 'events', numPartitions: 3, configs: [] }], validateOnly: false });
    expect(r.topics[0]!.errorCode).toBe(0);
  });
  afterAll(async () => {
    c.close();
    await broker.stop();
  });

  it('assigns dense offsets and reads them back', async () => {
    const a = await c.request('Produce', produceReq('events', 0, batch(['a', 'b', 'c'])));
    const b = await c.request('Produce', produceReq('events', 0, batch(['d', 'e']), 1));
    expect(a.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(b.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 3 });
    // The acks=1 batch is visible once fsynced (within logFlushIntervalMs): long-poll for it.
    await c.request('Fetch', fetchReq('events', 0, 3, 5000));
    const f = await c.request('Fetch', fetchReq('events', 0, 0));
    const p = f.topics[0]!.partitions[0]!;
    expect(p.highWatermark).toBe(5);
    const recs = decodeBatches(p.records).flatMap((x) => x.records);
    expect(recs.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
    expect(recs.map((r) => dec.decode(r.value!))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('concurrent produce requests all get distinct contiguous offsets', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => c.request('Produce', produceReq('events', 1, batch([`m${i}`, `n${i}`])))));
    const bases = results.map((r) => r.topics[0]!.partitions[0]!.baseOffset).sort((x, y) => x - y);
    expect(bases).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });

  it('acks 0 gets no response but the data is written', async () => {
    c.ws.send((await import('@brook/protocol')).encodeRequest('Produce', 999_999, produceReq('events', 2, batch(['fire-and-forget']), 0)));
    // The next acknowledged produce on the same partition comes after it.
    const r = await c.request('Produce', produceReq('events', 2, batch(['after'])));
    expect(r.topics[0]!.partitions[0]!.baseOffset).toBe(1);
  });

  it('long poll wakes up when data arrives', async () => {
    const end = (await c.request('ListOffsets', { isolationLevel: 0, topics: [{ topic: 'events', partitions: [{ partition: 0, timestamp: -1 }] }] })).topics[0]!.partitions[0]!.offset;
    const t0 = Date.now();
    const pending = c.request('Fetch', fetchReq('events', 0, end, 10_000));
    setTimeout(() => void c.request('Produce', produceReq('events', 0, batch(['late']))), 200);
    const f = await pending;
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(5000);
    const recs = decodeBatches(f.topics[0]!.partitions[0]!.records).flatMap((x) => x.records);
    expect(recs.map((r) => dec.decode(r.value!))).toEqual(['late']);
  });

  it('long poll returns empty after maxWaitMs', async () => {
    const end = (await c.request('ListOffsets', { isolationLevel: 0, topics: [{ topic: 'events', partitions: [{ partition: 2, timestamp: -1 }] }] })).topics[0]!.partitions[0]!.offset;
    const t0 = Date.now();
    const f = await c.request('Fetch', fetchReq('events', 2, end, 300));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(f.topics[0]!.partitions[0]!.records.length).toBe(0);
  });

  it('answers OFFSET_OUT_OF_RANGE above the end and below the start', async () => {
    const f = await c.request('Fetch', fetchReq('events', 0, 10_000));
    expect(f.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const f2 = await c.request('Fetch', fetchReq('events', 0, -5));
    expect(f2.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('lists earliest, latest and by-timestamp offsets', async () => {
    await c.request('CreateTopics', { topics: [{ name: 'timed', numPartitions: 1, configs: [] }], validateOnly: false });
    for (const ts of [1000, 2000, 3000]) {
      await c.request('Produce', produceReq('timed', 0, encodeBatch({ records: [{ value: enc.encode(String(ts)), timestamp: ts }] })));
    }
    const q = (timestamp: number) =>
      c.request('ListOffsets', { isolationLevel: 0, topics: [{ topic: 'timed', partitions: [{ partition: 0, timestamp }] }] }).then((r) => r.topics[0]!.partitions[0]!);
    expect((await q(-2)).offset).toBe(0);
    expect((await q(-1)).offset).toBe(3);
    expect(await q(1500)).toMatchObject({ offset: 1, timestamp: 2000 });
    expect((await q(9999)).offset).toBe(3);
  });

  it('refuses unknown topics, corrupt batches, oversized batches and internal topics', async () => {
    const unknown = await c.request('Produce', produceReq('nope', 0, batch(['x'])));
    expect(unknown.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const corrupt = batch(['hello']);
    corrupt[corrupt.length - 1]! ^= 0xff;
    const bad = await c.request('Produce', produceReq('events', 0, corrupt));
    expect(bad.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    await c.request('CreateTopics', { topics: [{ name: 'small', numPartitions: 1, configs: [{ name: 'max.message.bytes', value: '200' }] }], validateOnly: false });
    const big = await c.request('Produce', produceReq('small', 0, batch(['x'.repeat(500)])));
    expect(big.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    // Nothing partially written: a good batch followed by a bad one writes neither.
    const good = batch(['ok']);
    const both = new Uint8Array(good.length + corrupt.length);
    both.set(good);
    both.set(corrupt, good.length);
    const mixed = await c.request('Produce', produceReq('small', 0, both));
    expect(mixed.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    const end = await c.request('ListOffsets', { isolationLevel: 0, topics: [{ topic: 'small', partitions: [{ partition: 0, timestamp: -1 }] }] });
    expect(end.topics[0]!.partitions[0]!.offset).toBe(0);
    const internal = await c.request('Produce', produceReq('__consumer_offsets', 0, batch(['x'])));
    expect(internal.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('validates topic creation', async () => {
    const r = await c.request('CreateTopics', {
      topics: [
        { name: 'events', numPartitions: 1, configs: [] },
        { name: 'bad name!', numPartitions: 1, configs: [] },
        { name: 'zero', numPartitions: 0, configs: [] },
        { name: 'cfg', numPartitions: 1, configs: [{ name: 'retention.ms', value: 'soon' }] },
      ],
      validateOnly: false,
    });
    expect(r.topics.map((t) => t.errorCode)).toEqual([ErrorCode.TOPIC_ALREADY_EXISTS, ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.INVALID_PARTITIONS, ErrorCode.INVALID_CONFIG]);
    const md = await c.request('Metadata', { topics: null });
    expect(md.topics.find((t) => t.name === '__consumer_offsets')?.internal).toBe(true);
    expect(md.topics.find((t) => t.name === 'events')?.numPartitions).toBe(3);
  });

  it('deletes topics, and a recreated topic starts empty', async () => {
    await c.request('CreateTopics', { topics: [{ name: 'gone', numPartitions: 1, configs: [] }], validateOnly: false });
    await c.request('Produce', produceReq('gone', 0, batch(['old'])));
    expect((await c.request('DeleteTopics', { topics: ['gone'] })).topics[0]!.errorCode).toBe(0);
    expect((await c.request('DeleteTopics', { topics: ['gone'] })).topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await c.request('CreateTopics', { topics: [{ name: 'gone', numPartitions: 1, configs: [] }], validateOnly: false });
    const f = await c.request('Fetch', fetchReq('gone', 0, 0));
    expect(f.topics[0]!.partitions[0]!.highWatermark).toBe(0);
  });
});

describe('acks=1 data before its fsync', () => {
  it('is acknowledged but invisible to Fetch and ListOffsets until an fsync covers it', async () => {
    // The background fsync of acks=1 data is held off (an hour); only an acks=all write syncs.
    const broker = await testBroker({ logFlushIntervalMs: 3_600_000 });
    const c = await RawClient.connect(broker.url);
    try {
      await c.request('CreateTopics', { topics: [{ name: 'unsynced', numPartitions: 2, configs: [] }], validateOnly: false });
      const latest = async (partition: number, isolationLevel = 0) =>
        (await c.request('ListOffsets', { isolationLevel, topics: [{ topic: 'unsynced', partitions: [{ partition, timestamp: -1 }] }] })).topics[0]!.partitions[0]!.offset;
      const byTime = async (partition: number, timestamp: number) =>
        (await c.request('ListOffsets', { isolationLevel: 0, topics: [{ topic: 'unsynced', partitions: [{ partition, timestamp }] }] })).topics[0]!.partitions[0]!;
      const synced = await c.request('Produce', produceReq('unsynced', 0, batch(['s0', 's1'])));
      expect(synced.topics[0]!.partitions[0]!.baseOffset).toBe(0);
      const r = await c.request('Produce', produceReq('unsynced', 0, encodeBatch({ records: [{ value: enc.encode('u2'), timestamp: 9e12 }] }), 1));
      expect(r.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 2 });

      // Written, acknowledged, not fsynced: a power loss now may take it back, so no reader sees it.
      const log = broker.context.topics.partition('unsynced', 0)!;
      expect(log.logEndOffset).toBe(3);
      expect(log.highWatermark).toBe(2);
      expect(await latest(0)).toBe(2);
      expect(await latest(0, 1)).toBe(2);
      expect(await byTime(0, 9e12)).toMatchObject({ offset: 2, timestamp: -1 });
      const f = await c.request('Fetch', fetchReq('unsynced', 0, 0));
      const p = f.topics[0]!.partitions[0]!;
      expect(p.highWatermark).toBe(2);
      expect(decodeBatches(p.records).flatMap((x) => x.records).map((x) => dec.decode(x.value!))).toEqual(['s0', 's1']);
      // Between the high watermark and the log end: empty, not out of range (as Kafka).
      const at = (await c.request('Fetch', fetchReq('unsynced', 0, 3))).topics[0]!.partitions[0]!;
      expect(at).toMatchObject({ errorCode: 0, highWatermark: 2 });
      expect(at.records.length).toBe(0);
      const end = await fetch(`${broker.httpUrl}/api/topics/unsynced`).then((x) => x.json() as Promise<{ partitions: Array<{ endOffset: string }> }>);
      expect(end.partitions[0]!.endOffset).toBe('2');

      // A long poll waiting at the high watermark wakes when an acks=all write on another
      // partition fsyncs the shared write-ahead log, which covers the acks=1 batch too.
      const waiting = c.request('Fetch', fetchReq('unsynced', 0, 2, 10_000));
      await c.request('Produce', produceReq('unsynced', 1, batch(['other'])));
      const woke = (await waiting).topics[0]!.partitions[0]!;
      expect(woke.highWatermark).toBe(3);
      expect(decodeBatches(woke.records).flatMap((x) => x.records).map((x) => dec.decode(x.value!))).toEqual(['u2']);
      expect(await latest(0)).toBe(3);
    } finally {
      c.close();
      await broker.stop();
    }
  });

  it('becomes visible within logFlushIntervalMs with no acks=all write at all', async () => {
    const broker = await testBroker({ logFlushIntervalMs: 50 });
    const c = await RawClient.connect(broker.url);
    try {
      await c.request('CreateTopics', { topics: [{ name: 'lazy', numPartitions: 1, configs: [] }], validateOnly: false });
      const waiting = c.request('Fetch', fetchReq('lazy', 0, 0, 10_000));
      const t0 = Date.now();
      await c.request('Produce', produceReq('lazy', 0, batch(['x']), 1));
      const p = (await waiting).topics[0]!.partitions[0]!;
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(p.highWatermark).toBe(1);
      expect(decodeBatches(p.records).flatMap((x) => x.records).map((x) => dec.decode(x.value!))).toEqual(['x']);
    } finally {
      c.close();
      await broker.stop();
    }
  });
});

describe('fetch answers under broker-wide answer memory pressure', () => {
  it('shrink to the least a fetch may ask for (still one whole batch) while unread answers fill the cap, and grow back once taken', async () => {
    const broker = await testBroker({ maxQueuedAnswerBytes: 1 << 20 });
    const c = await RawClient.connect(broker.url);
    try {
      await c.request('CreateTopics', { topics: [{ name: 'big', numPartitions: 1, configs: [] }], validateOnly: false });
      const value = 'x'.repeat(100 * 1024);
      for (let i = 0; i < 8; i++) await c.request('Produce', produceReq('big', 0, batch([value])));
      const fetchAll = { ...fetchReq('big', 0, 0), maxBytes: 16 << 20 };
      fetchAll.topics[0]!.partitions[0]!.partitionMaxBytes = 16 << 20;
      const free = await c.request('Fetch', fetchAll);
      expect(decodeBatches(free.topics[0]!.partitions[0]!.records)).toHaveLength(8);
      // Stalled clients hold the whole cap: the next answer is one batch (64 KiB asked, one 100 KiB batch served).
      const stalled = new ConnectionShare(broker.context.answers).hold(1 << 20);
      const squeezed = await c.request('Fetch', fetchAll);
      expect(decodeBatches(squeezed.topics[0]!.partitions[0]!.records)).toHaveLength(1);
      stalled();
      expect(broker.context.answers.queuedBytes).toBe(0);
      const again = await c.request('Fetch', fetchAll);
      expect(decodeBatches(again.topics[0]!.partitions[0]!.records)).toHaveLength(8);
    } finally {
      c.close();
      await broker.stop();
    }
  });
});

describe('request bytes in flight', () => {
  it('past the request limits (MAX_IN_FLIGHT_REQUEST_BYTES, maxQueuedRequestBytes) reading pauses and resumes: every pipelined produce is answered, in order, and stored', async () => {
    const broker = await testBroker();
    const c = await RawClient.connect(broker.url);
    try {
      await c.request('CreateTopics', { topics: [{ name: 'pipelined', numPartitions: 1, configs: [] }], validateOnly: false });
      const value = 'x'.repeat(900 * 1024);
      // 12 x 900 KiB sent at once: 10.5 MiB against limits of 4 MiB (the connection) and 2 MiB (the broker).
      const answers = await Promise.all(Array.from({ length: 12 }, () => c.request('Produce', produceReq('pipelined', 0, batch([value])))));
      expect(answers.map((a) => a.topics[0]!.partitions[0]!.errorCode)).toEqual(Array(12).fill(0));
      expect(answers.map((a) => a.topics[0]!.partitions[0]!.baseOffset)).toEqual([...Array(12).keys()]);
      const all = { ...fetchReq('pipelined', 0, 0), maxBytes: 16 << 20 };
      all.topics[0]!.partitions[0]!.partitionMaxBytes = 16 << 20;
      const read = await c.request('Fetch', all);
      expect(decodeBatches(read.topics[0]!.partitions[0]!.records)).toHaveLength(12);
      expect(broker.context.requests.heldBytes).toBe(0);
    } finally {
      c.close();
      await broker.stop();
    }
  });

  it('past the broker-wide cap, a connection with only a long-poll Fetch in flight still has its next requests read (heartbeats, commits)', async () => {
    const broker = await testBroker({ maxQueuedRequestBytes: 1 << 20 });
    const c = await RawClient.connect(broker.url);
    const flood = new ConnectionShare(broker.context.requests);
    try {
      await c.request('CreateTopics', { topics: [{ name: 'quiet', numPartitions: 1, configs: [] }], validateOnly: false });
      flood.add(4 << 20); // other connections hold 4 MiB of requests
      let polled = false;
      const poll = c.request('Fetch', fetchReq('quiet', 0, 0, 1500)).then(() => (polled = true));
      // Once the broker has read the Fetch (it counts), any pause it decided is in effect.
      while (broker.context.requests.heldBytes <= 4 << 20) await new Promise((r) => setImmediate(r));
      const meta = await c.request('Metadata', { topics: null });
      expect(meta.topics.map((t) => t.name)).toContain('quiet');
      expect(polled).toBe(false); // answered while the poll still waits
      await poll;
    } finally {
      flood.releaseAll();
      c.close();
      await broker.stop();
    }
  });

  it('past the broker-wide cap (maxQueuedRequestBytes), producers on both doors keep to what they have in flight, and all are answered', async () => {
    const cap = 1 << 20;
    const broker = await testBroker({ kafkaPort: 0, maxQueuedRequestBytes: cap });
    const ws = await Promise.all([0, 1].map(() => RawClient.connect(broker.url)));
    const k = await RawKafka.connect(broker.kafkaAddress!);
    let peak = 0;
    let sampling = true;
    const sample = () => {
      peak = Math.max(peak, broker.context.requests.heldBytes);
      if (sampling) setImmediate(sample);
    };
    try {
      await broker.context.topics.create('crowd', 3);
      const records = batch(['y'.repeat(256 * 1024)]);
      sample();
      // 3 connections x 12 x 256 KiB at once: 9 MiB, each connection under its own 4 MiB limit only by pausing.
      const sent = [
        ...ws.flatMap((c, i) => Array.from({ length: 12 }, () => c.request('Produce', produceReq('crowd', i, records)).then((a) => a.topics[0]!.partitions[0]!.errorCode))),
        ...Array.from({ length: 12 }, () =>
          k.request('Produce', 9, { acks: -1, timeoutMs: 5000, topicData: [{ name: 'crowd', topicId: '', partitionData: [{ index: 2, records }] }] }).then((a) => a.responses[0]!.partitionResponses[0]!.errorCode),
        ),
      ];
      expect(await Promise.all(sent)).toEqual(Array(36).fill(0));
      sampling = false;
      // Without the cap the three could hold 3 x 4 MiB; with it, the cap plus what each read before it paused.
      expect(peak).toBeGreaterThan(cap);
      expect(peak).toBeLessThanOrEqual(cap + 3 * 3 * 270 * 1024);
      for (const p of [0, 1, 2]) expect(broker.context.topics.partition('crowd', p)!.logEndOffset).toBe(12);
      expect(broker.context.requests.heldBytes).toBe(0);
    } finally {
      sampling = false;
      for (const c of ws) c.close();
      k.close();
      await broker.stop();
    }
  });
});
