// Producer behaviour under injected failures, against an in-memory fake broker.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@brook/protocol';
import { Brook, BrookError, ProducerEvents, logLevel } from '../src/index.js';
import { count, fakeBroker, type FakeBroker } from './fakeBroker.js';

let fb: FakeBroker | null = null;
afterEach(async () => {
  await fb?.close();
  fb = null;
});

const brookFor = (url: string, retries = 5) => new Brook({ url, clientId: 'fake-test', logLevel: logLevel.NOTHING, retry: { retries } });

describe('producer against a fake broker', () => {
  it('coalesces concurrent sends into one request with per-send offsets', async () => {
    fb = await fakeBroker({ t: 2 });
    const p = brookFor(fb.url).producer();
    await p.connect();
    const res = await Promise.all(Array.from({ length: 100 }, (_, i) => p.send({ topic: 't', messages: [{ value: String(i), partition: i % 2 }, { value: 'x', partition: i % 2 }] })));
    expect(fb.requests.filter((r) => r.name === 'Produce')).toHaveLength(1);
    for (let i = 0; i < 100; i++) expect(res[i]).toEqual([expect.objectContaining({ partition: i % 2, baseOffset: String(Math.floor(i / 2) * 2) })]);
    expect(count(fb, 't', 0) + count(fb, 't', 1)).toBe(200);
    await p.disconnect();
  });

  it('retries retriable partition errors with backoff, then succeeds', async () => {
    fb = await fakeBroker({ t: 1 });
    fb.produceHook = (_t, _p, attempt) => (attempt <= 2 ? ErrorCode.STORAGE_ERROR : 0);
    const p = brookFor(fb.url).producer({ retry: { initialRetryTime: 10 } });
    const res = await p.send({ topic: 't', messages: [{ value: 'a' }] });
    expect(res[0]!.baseOffset).toBe('0');
    expect(fb.requests).toHaveLength(3);
    expect(count(fb, 't', 0)).toBe(1);
    await p.disconnect();
  });

  it('gives up after retry.retries and rejects with the last error', async () => {
    fb = await fakeBroker({ t: 1 });
    fb.produceHook = () => ErrorCode.STORAGE_ERROR;
    const p = brookFor(fb.url).producer({ retry: { retries: 2, initialRetryTime: 5 } });
    const err = await p.send({ topic: 't', messages: [{ value: 'a' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrookError);
    expect((err as BrookError).type).toBe('STORAGE_ERROR');
    expect(fb.requests).toHaveLength(3);
    await p.disconnect();
  });

  it('does not retry non-retriable errors', async () => {
    fb = await fakeBroker({ t: 1 });
    fb.produceHook = () => ErrorCode.INVALID_RECORD;
    const p = brookFor(fb.url).producer({ retry: { initialRetryTime: 5 } });
    await expect(p.send({ topic: 't', messages: [{ value: 'a' }] })).rejects.toMatchObject({ type: 'INVALID_RECORD' });
    expect(fb.requests).toHaveLength(1);
    await p.disconnect();
  });

  it('reconnects and resends when the connection drops mid-request (NETWORK_EXCEPTION)', async () => {
    fb = await fakeBroker({ t: 1 });
    fb.dropNextProduce = 1;
    const p = brookFor(fb.url).producer({ retry: { initialRetryTime: 10 } });
    const res = await p.send({ topic: 't', messages: [{ value: 'a' }] });
    expect(res[0]!.baseOffset).toBe('0');
    expect(fb.requests).toHaveLength(2);
    await p.disconnect();
  });

  it('keeps at most maxInFlightRequests outstanding and batches what queues meanwhile', async () => {
    fb = await fakeBroker({ t: 1 });
    const p = brookFor(fb.url).producer({ maxInFlightRequests: 1 });
    let requests = 0;
    p.on(ProducerEvents.REQUEST, () => requests++);
    const first = p.send({ topic: 't', messages: [{ value: 'first' }] });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    // While the first request is in flight, these accumulate into one request.
    const rest = Array.from({ length: 50 }, (_, i) => p.send({ topic: 't', messages: [{ value: String(i) }] }));
    await Promise.all([first, ...rest]);
    expect(requests).toBeLessThanOrEqual(3);
    expect(count(fb, 't', 0)).toBe(51);
    await p.disconnect();
  });

  it('splits a large flush into requests of maxRequestSize, at most maxInFlightRequests outstanding, written in send order', async () => {
    fb = await fakeBroker({ t: 1 });
    fb.produceDelayMs = 20;
    const p = brookFor(fb.url).producer({ maxInFlightRequests: 2, batchSize: 4096, maxRequestSize: 16 * 1024 });
    await p.connect();
    const value = 'v'.repeat(100);
    // About 110 KB queued in one tick: 7 or more requests of at most 16 KiB.
    const sends = Array.from({ length: 100 }, (_, i) => p.send({ topic: 't', messages: Array.from({ length: 10 }, (_, j) => ({ value: `${i * 10 + j} ${value}`, partition: 0 })) }));
    const results = await Promise.all(sends);
    expect(fb.produceRecordBytes.length).toBeGreaterThanOrEqual(7);
    for (const n of fb.produceRecordBytes) expect(n).toBeLessThanOrEqual(16 * 1024);
    expect(fb.maxOutstanding).toBe(2);
    results.forEach((r, i) => expect(r[0]!.baseOffset).toBe(String(i * 10)));
    const log = fb.topics.get('t')![0]!;
    expect(log).toHaveLength(1000);
    await p.disconnect();
  });

  it('splits after MESSAGE_TOO_LARGE from a topic with a smaller limit', async () => {
    fb = await fakeBroker({ t: 1 });
    const p = brookFor(fb.url).producer();
    await p.connect();
    fb.maxMessageBytes = 1000; // after the handshake: the producer still believes 1 MiB
    const res = await Promise.all(Array.from({ length: 20 }, () => p.send({ topic: 't', messages: [{ value: 'x'.repeat(200) }] })));
    expect(new Set(res.map((r) => r[0]!.baseOffset)).size).toBe(20);
    expect(count(fb, 't', 0)).toBe(20);
    const [ok, bad] = await Promise.allSettled([
      p.send({ topic: 't', messages: [{ value: 'small' }] }),
      p.send({ topic: 't', messages: [{ value: 'y'.repeat(3000) }] }),
    ]);
    expect(ok.status).toBe('fulfilled');
    expect(bad.status === 'rejected' && (bad.reason as BrookError).type).toBe('MESSAGE_TOO_LARGE');
    await p.disconnect();
  });

  it('acks 0 resolves without a response', async () => {
    fb = await fakeBroker({ t: 1 });
    const p = brookFor(fb.url).producer();
    const res = await p.send({ topic: 't', acks: 0, messages: [{ value: 'a' }] });
    expect(res).toEqual([expect.objectContaining({ topic: 't', partition: 0, baseOffset: '-1' })]);
    await p.disconnect();
    expect(fb.requests[0]!.acks).toBe(0);
  });

  it('uses a custom KafkaJS partitioner', async () => {
    fb = await fakeBroker({ t: 4 });
    const p = brookFor(fb.url).producer({ createPartitioner: () => ({ partitionMetadata }) => partitionMetadata.length - 1 });
    const res = await p.send({ topic: 't', messages: [{ key: 'a', value: '1' }, { value: '2' }] });
    expect(res.map((r) => r.partition)).toEqual([3]);
    await p.disconnect();
  });
});
