// Browsers' cross-origin access: the WebSocket endpoint and the HTTP API answer the broker's own
// pages and the origins listed in allowedOrigins, and refuse (and log) any other page, including
// a DNS-rebinding page that reaches a loopback broker under a foreign host name.
import { request } from 'node:http';
import { pino } from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBroker } from './helpers.js';

type TB = Awaited<ReturnType<typeof testBroker>>;
type Line = { msg: string; origin?: string; host?: string };

/** Opens a WebSocket with these headers: resolves 'open', or the HTTP status it was refused with. */
function upgrade(url: string, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', reject);
  });
}

/** A GET with any headers (fetch will not send a foreign Host). */
function get(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: headers[':method'] ?? 'GET', headers: Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith(':'))) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('origins, by default', () => {
  let broker: TB;
  const lines: Line[] = [];
  beforeAll(async () => {
    broker = await testBroker({ logger: pino({ level: 'warn' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) }) });
  });
  afterAll(async () => broker.stop());

  it('opens WebSockets for the broker’s own pages, localhost pages on its port, and clients without an Origin', async () => {
    const port = new URL(broker.httpUrl).port;
    expect(await upgrade(broker.url, {})).toBe('open');
    expect(await upgrade(broker.url, { origin: broker.httpUrl })).toBe('open');
    expect(await upgrade(broker.url, { origin: `http://localhost:${port}` })).toBe('open');
  });

  it('refuses a WebSocket from another origin with 403, logs it, and leaves no socket open', async () => {
    const port = Number(new URL(broker.httpUrl).port);
    expect(await upgrade(broker.url, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgrade(broker.url, { origin: `http://localhost:${port + 1}` })).toBe(403);
    expect(await upgrade(broker.url, { origin: 'null' })).toBe(403);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'refused: ORIGIN_NOT_ALLOWED', origin: 'https://evil.example' }));
  });

  it('refuses HTTP requests from another origin, and answers same-origin ones without CORS headers', async () => {
    const evil = await get(broker.httpUrl, '/api/topics', { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body)).toMatchObject({ error: 'ORIGIN_NOT_ALLOWED' });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await get(broker.httpUrl, '/api/topics', { ':method': 'OPTIONS', origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    expect(preflight.status).toBe(403);
    const own = await get(broker.httpUrl, '/api/topics', { origin: broker.httpUrl });
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a DNS-rebinding page: a foreign Host on a loopback broker, even "same origin"', async () => {
    const port = new URL(broker.httpUrl).port;
    const rebound = await get(broker.httpUrl, '/api/topics', { host: `evil.example:${port}`, origin: `http://evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: 'HOST_NOT_ALLOWED' });
    expect((await get(broker.httpUrl, '/api/topics', { host: `evil.example:${port}` })).status).toBe(403);
    expect(await upgrade(broker.url, { host: `evil.example:${port}` })).toBe(403);
    expect((await get(broker.httpUrl, '/health', { host: `localhost:${port}` })).status).toBe(200);
  });
});

describe('origins listed in allowedOrigins', () => {
  let broker: TB;
  beforeAll(async () => {
    broker = await testBroker({ allowedOrigins: ['https://app.example.com'] });
  });
  afterAll(async () => broker.stop());

  it('opens WebSockets and answers CORS requests and preflights for them, and still refuses the rest', async () => {
    expect(await upgrade(broker.url, { origin: 'https://app.example.com' })).toBe('open');
    expect(await upgrade(broker.url, { origin: 'https://other.example.com' })).toBe(403);
    const cors = await get(broker.httpUrl, '/api/topics', { origin: 'https://app.example.com' });
    expect(cors.status).toBe(200);
    expect(cors.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const preflight = await get(broker.httpUrl, '/api/topics', { ':method': 'OPTIONS', origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']).toContain('content-type');
    expect((await get(broker.httpUrl, '/api/topics', { origin: 'https://other.example.com' })).status).toBe(403);
  });

  it('gives the live tail (a hijacked reply) its CORS headers too', async () => {
    await fetch(`${broker.httpUrl}/api/topics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'tailed', partitions: 1 }) });
    const abort = new AbortController();
    const res = await fetch(`${broker.httpUrl}/api/topics/tailed/partitions/0/tail`, { headers: { origin: 'https://app.example.com' }, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    abort.abort();
  });
});
