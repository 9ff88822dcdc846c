// Requests naming many partitions start over several turns of the event loop (api/turns.ts), and a
// connection's later requests wait until such a request has started all its partitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBatches, encodeBatch } from '@brook/protocol';
import { DispatchGate, PARTITIONS_PER_TURN, startInTurns, turnTaker } from '../src/api/turns.js';
import { RawClient, testBroker } from './helpers.js';
import { RawKafka } from './kafka/rawKafka.js';

const topicsOf = (n: number) => [{ topic: 't', partitions: Array.from({ length: n }, (_, i) => i) }];

describe('startInTurns', () => {
  it('starts every partition in order, PARTITIONS_PER_TURN to a turn, holding the connection until the last started', async () => {
    const conn = { dispatch: new DispatchGate() };
    const started: Array<[number, number]> = [];
    // Counts turns of the event loop while it runs.
    let turns = 0;
    let done = false;
    const tick = (): void => void setImmediate(() => ((turns += 1), done || tick()));
    tick();
    const n = PARTITIONS_PER_TURN * 3 + 5;
    const openSeen: boolean[] = [];
    const results = await startInTurns(conn, topicsOf(n), async (_t, p) => {
      started.push([p, turns]);
      openSeen.push(conn.dispatch.open);
      return p * 2;
    });
    done = true;
    expect(results[0]).toEqual(Array.from({ length: n }, (_, i) => i * 2));
    expect(started.map(([p]) => p)).toEqual(Array.from({ length: n }, (_, i) => i));
    // Four chunks, each on a later turn than the one before.
    const turnOf = (p: number) => started[p]![1];
    expect(turnOf(PARTITIONS_PER_TURN)).toBeGreaterThan(turnOf(PARTITIONS_PER_TURN - 1));
    expect(turnOf(3 * PARTITIONS_PER_TURN)).toBeGreaterThan(turnOf(2 * PARTITIONS_PER_TURN));
    expect(openSeen[0]).toBe(true);
    expect(openSeen[PARTITIONS_PER_TURN]).toBe(false);
    expect(conn.dispatch.open).toBe(true);
  });

  it('a partition that fails before later ones started rejects the whole, and is no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const conn = { dispatch: new DispatchGate() };
      const run = startInTurns(conn, topicsOf(PARTITIONS_PER_TURN * 2), async (_t, p) => {
        if (p === 0) throw new Error('first');
        return p;
      });
      await expect(run).rejects.toThrow('first');
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).toEqual([]);
      expect(conn.dispatch.open).toBe(true);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a small request starts at once and never holds the connection', async () => {
    const conn = { dispatch: new DispatchGate() };
    let startedSync = 0;
    const run = startInTurns(conn, topicsOf(PARTITIONS_PER_TURN), async () => void startedSync++);
    expect(startedSync).toBe(PARTITIONS_PER_TURN);
    expect(conn.dispatch.open).toBe(true);
    await run;
  });
});

describe('turnTaker', () => {
  it('asks for a turn of the event loop once every PARTITIONS_PER_TURN calls', async () => {
    // Counts turns of the event loop while it runs.
    let turns = 0;
    let done = false;
    const tick = (): void => void setImmediate(() => ((turns += 1), done || tick()));
    tick();
    const turn = turnTaker();
    const asked: number[] = [];
    for (let i = 1; i <= PARTITIONS_PER_TURN * 3; i++) {
      const next = turn();
      if (!next) continue;
      asked.push(i);
      const before = turns;
      await next;
      expect(turns).toBeGreaterThan(before);
    }
    done = true;
    expect(asked).toEqual([1, 2, 3].map((k) => k * PARTITIONS_PER_TURN));
  });
});

describe('a Produce of many partitions, then another on the same connection', () => {
  let broker: Awaited<ReturnType<typeof testBroker>>;
  let c: RawClient;
  beforeAll(async () => {
    broker = await testBroker({ kafkaPort: 0 });
    c = await RawClient.connect(broker.url);
  });
  afterAll(async () => {
    c.close();
    await broker.stop();
  });

  it('the later request reaches a partition the earlier one starts in its last turn after it, as sent', async () => {
    const n = PARTITIONS_PER_TURN * 4;
    await c.request('CreateTopics', { topics: [{ name: 'wide', numPartitions: n, configs: [] }], validateOnly: false });
    const batch = (text: string) => encodeBatch({ records: [{ value: new TextEncoder().encode(text) }] });
    const produce = (partitions: Array<{ partition: number; records: Uint8Array }>) =>
      c.request('Produce', { transactionalId: null, acks: -1, timeoutMs: 30_000, topics: [{ topic: 'wide', partitions }] });
    // Sent back to back, not awaited.
    const wide = produce(Array.from({ length: n }, (_, partition) => ({ partition, records: batch('first') })));
    const last = produce([{ partition: n - 1, records: batch('second') }]);
    const [a, b] = await Promise.all([wide, last]);
    expect(a.topics[0]!.partitions.every((p) => p.errorCode === 0)).toBe(true);
    expect(b.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, baseOffset: 1 });
    const fetched = await c.request('Fetch', {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      topics: [{ topic: 'wide', partitions: [{ partition: n - 1, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
    });
    const values = decodeBatches(fetched.topics[0]!.partitions[0]!.records as Uint8Array).map((x) => new TextDecoder().decode(x.records[0]!.value!));
    expect(values).toEqual(['first', 'second']);
  });

  it('a Fetch and a ListOffsets of all those partitions, spread over turns, answer each partition in order', async () => {
    const n = PARTITIONS_PER_TURN * 4;
    const fetched = await c.request('Fetch', {
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 64 << 20,
      isolationLevel: 0,
      topics: [{ topic: 'wide', partitions: Array.from({ length: n }, (_, partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) }],
    });
    const parts = fetched.topics[0]!.partitions;
    expect(parts.map((p) => p.partition)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(parts.map((p) => decodeBatches(p.records as Uint8Array).length)).toEqual(Array.from({ length: n }, (_, i) => (i === n - 1 ? 2 : 1)));
    const latest = await c.request('ListOffsets', { isolationLevel: 0, topics: [{ topic: 'wide', partitions: Array.from({ length: n }, (_, partition) => ({ partition, timestamp: -1 })) }] });
    expect(latest.topics[0]!.partitions.map((p) => [p.partition, p.errorCode, p.offset])).toEqual(Array.from({ length: n }, (_, i) => [i, 0, i === n - 1 ? 2 : 1]));
  });
  it('the same on the Kafka door', async () => {
    const n = PARTITIONS_PER_TURN * 4;
    await c.request('CreateTopics', { topics: [{ name: 'wide-kafka', numPartitions: n, configs: [] }], validateOnly: false });
    const k = await RawKafka.connect(broker.kafkaAddress!);
    try {
      const batch = (text: string) => encodeBatch({ records: [{ value: new TextEncoder().encode(text) }] });
      const produce = (partitionData: Array<{ index: number; records: Uint8Array }>) =>
        k.request('Produce', 9, { acks: -1, timeoutMs: 30_000, topicData: [{ name: 'wide-kafka', topicId: '', partitionData }] });
      const wide = produce(Array.from({ length: n }, (_, index) => ({ index, records: batch('first') })));
      const last = produce([{ index: n - 1, records: batch('second') }]);
      const [a, b] = await Promise.all([wide, last]);
      expect(a.responses[0]!.partitionResponses.every((p) => p.errorCode === 0)).toBe(true);
      expect(b.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 1 });
    } finally {
      k.socket.destroy();
    }
  });
});
