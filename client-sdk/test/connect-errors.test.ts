// Connecting to the wrong place says what is wrong: the socket's error is kept as `cause`, a
// refused port names the URL and the attempts, a malformed URL fails at construction with the fix,
// and an HTTP server that does not upgrade (a wrong path) fails at once instead of being retried.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Brook, BrookError, ErrorCode, Kafka, logLevel } from '../src/index.js';
import { brokerUrlProblem } from '../src/socket.js';
import { testBroker, type TestBroker } from './helpers.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await testBroker();
});
afterAll(async () => broker.stop());

async function connectError(url: string, retries = 5): Promise<BrookError> {
  const admin = new Brook({ url, clientId: 'connect-errors', logLevel: logLevel.NOTHING, retry: { retries } }).admin();
  const e = await admin.connect().then(
    () => null,
    (err: unknown) => err,
  );
  await admin.disconnect();
  expect(e).toBeInstanceOf(BrookError);
  return e as BrookError;
}

/** A port nothing listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('connect errors', () => {
  it('a refused port: NETWORK_EXCEPTION naming the URL and the attempts, with the socket error as cause', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}/ws`;
    const e = await connectError(url, 1);
    expect(e.code).toBe(ErrorCode.NETWORK_EXCEPTION);
    expect(e.message).toContain(`cannot connect to ${url}`);
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).toContain('2 attempts');
    expect((e.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('a wrong path on a real broker fails at once: no Brook broker at this path (HTTP 404)', async () => {
    const e = await connectError(`ws://127.0.0.1:${broker.port}/wrong`);
    expect(e.code).toBe(ErrorCode.INVALID_CONFIG);
    expect(e.message).toContain('no Brook broker at this path');
    expect(e.message).toContain('HTTP 404');
    expect(e.message).toContain(`ws://127.0.0.1:${broker.port}/ws`);
    expect((e.cause as { status?: number }).status).toBe(404);
  });

  it('a URL without /ws gets the /ws URL as the fix', async () => {
    const e = await connectError(`ws://127.0.0.1:${broker.port}`);
    expect(e.message).toContain('no Brook broker at this path');
    expect(e.message).toContain(`Brook serves its WebSocket at /ws: ws://127.0.0.1:${broker.port}/ws`);
  });

  describe('an HTTP server that answers the upgrade with anything but 101', () => {
    let server: Server;
    let requests = 0;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        requests++;
        res.writeHead(503).end('not a broker');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => new Promise((resolve) => server.close(resolve)));

    it('is asked once, not retried', async () => {
      const { port } = server.address() as AddressInfo;
      const e = await connectError(`ws://127.0.0.1:${port}/ws`, 5);
      expect(e.message).toContain('no Brook broker at this path');
      expect(e.message).toContain('HTTP 503');
      expect(requests).toBe(1);
    });
  });

  it("a KafkaJS-style url: 'host:port' fails at construction and suggests ws://host:port/ws", () => {
    expect(() => new Brook({ url: '127.0.0.1:7092' })).toThrow(/has no scheme: use url: 'ws:\/\/127\.0\.0\.1:7092\/ws'/);
    expect(() => new Brook({ url: 'localhost:7092' })).toThrow(/ws:\/\/localhost:7092\/ws/);
    expect(() => new Brook({ url: 'ftp://127.0.0.1:7092/ws' })).toThrow(/must be a ws:\/\/ or wss:\/\/ URL/);
    expect(() => new Brook({ url: 'ws://' })).toThrow(/not a valid URL/);
  });

  it("brokers: ['ws://host:port/ws'] reaches the broker's WebSocket; in Node a bare host:port speaks Kafka's protocol", async () => {
    const admin = new Kafka({ clientId: 'connect-errors', brokers: [`ws://127.0.0.1:${broker.port}/ws`], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    expect(Array.isArray(await admin.listTopics())).toBe(true);
    await admin.disconnect();
    // The HTTP port does not speak Kafka: the answer is not a Kafka frame and the connection fails.
    const kafkaAdmin = new Kafka({ clientId: 'connect-errors', brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    await expect(kafkaAdmin.connect()).rejects.toMatchObject({ type: 'NETWORK_EXCEPTION', message: expect.stringContaining(`127.0.0.1:${broker.port}`) });
  });

  it('the suggested URL for any host:port is itself accepted', () => {
    const host = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6().map((ip) => `[${ip}]`));
    fc.assert(
      fc.property(host, fc.integer({ min: 1, max: 65535 }), (h, port) => {
        const problem = brokerUrlProblem(`${h}:${port}`);
        expect(problem).toContain('has no scheme');
        const suggested = /use url: '([^']+)'/.exec(problem!)![1]!;
        expect(brokerUrlProblem(suggested)).toBeNull();
        expect(new URL(suggested).pathname).toBe('/ws');
      }),
    );
  });
});
