import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorCode, PROTOCOL_VERSION, Writer, encodeRequest } from '@brook/protocol';
import { RawClient, testBroker } from './helpers.js';

type TB = Awaited<ReturnType<typeof testBroker>>;

describe('hostile and careless input', () => {
  let broker: TB;
  beforeAll(async () => {
    broker = await testBroker({ maxFrameBytes: 64 * 1024 });
  });
  afterAll(async () => broker.stop());

  it('requires the handshake first', async () => {
    const c = await RawClient.connect(broker.url, false);
    const r = await c.sendRaw(encodeRequest('Metadata', 5, { topics: null }));
    expect(r).toMatchObject({ correlationId: 5, errorCode: ErrorCode.HANDSHAKE_REQUIRED });
    c.close();
  });

  it('refuses a client that speaks another protocol version', async () => {
    const c = await RawClient.connect(broker.url, false);
    await expect(c.request('Handshake', { clientId: 'x', clientSoftware: 'x', minProtocol: 7, maxProtocol: 9, username: null, password: null })).rejects.toMatchObject({
      code: ErrorCode.UNSUPPORTED_VERSION,
    });
    c.close();
  });

  it('answers a malformed body with INVALID_REQUEST and keeps the connection', async () => {
    const c = await RawClient.connect(broker.url);
    const w = new Writer();
    w.int16(3);
    w.int16(0);
    w.int32(42);
    w.int32(1_000_000); // a count far beyond the frame
    expect(await c.sendRaw(w.finish())).toMatchObject({ correlationId: 42, errorCode: ErrorCode.INVALID_REQUEST });
    const ok = await c.request('Metadata', { topics: null });
    expect(Array.isArray(ok.topics)).toBe(true);
    c.close();
  });

  it('closes on a frame too short for a header, on text frames and on oversized frames', async () => {
    const a = await RawClient.connect(broker.url);
    expect(await a.sendRaw(new Uint8Array([1, 2, 3]))).toBe('closed');
    expect((await a.closed).code).toBe(1002);
    const b = await RawClient.connect(broker.url);
    expect(await b.sendRaw('hello')).toBe('closed');
    expect((await b.closed).code).toBe(1003);
    const c = await RawClient.connect(broker.url);
    expect(await c.sendRaw(new Uint8Array(100 * 1024))).toBe('closed');
    expect((await c.closed).code).toBe(1009);
  });

  it('survives random and mutated frames while serving another client', async () => {
    const bystander = await RawClient.connect(broker.url);
    const valid = [
      encodeRequest('Metadata', 1, { topics: ['x'] }),
      encodeRequest('Fetch', 2, { maxWaitMs: 0, minBytes: 1, maxBytes: 100, isolationLevel: 0, topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 10 }] }] }),
      encodeRequest('Handshake', 3, { clientId: 'a', clientSoftware: 'b', minProtocol: PROTOCOL_VERSION, maxProtocol: PROTOCOL_VERSION, username: null, password: null }),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ minLength: 8, maxLength: 200 }),
          fc.tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 5 })).map(([f, muts]) => {
            const copy = f.slice();
            for (const [i, v] of muts) copy[8 + (i % Math.max(1, copy.length - 8))] = v;
            return copy;
          }),
        ),
        async (frame) => {
          const c = await RawClient.connect(broker.url);
          // Whatever the frame gets (an error answer, a closed connection, or nothing for acks 0),
          // the broker must keep answering everyone else.
          await Promise.race([c.sendRaw(frame), new Promise((res) => setTimeout(res, 1000))]);
          c.close();
          const md = await bystander.request('Metadata', { topics: null });
          expect(md.topics.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 150, seed: 99 },
    );
    const md = await bystander.request('Metadata', { topics: null });
    expect(md.topics.length).toBeGreaterThan(0);
    bystander.close();
  });
});
