import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAME_PATTERN, encodeBatch } from '@brook/protocol';
import { RawClient, testBroker } from './helpers.js';

type TB = Awaited<ReturnType<typeof testBroker>>;
const enc = new TextEncoder();

describe('admin HTTP API', () => {
  let broker: TB;
  const http = (path: string, init?: RequestInit) => fetch(`${broker.httpUrl}${path}`, init);
  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    broker = await testBroker();
  });
  afterAll(async () => broker.stop());

  it('serves /health, /metrics and the OpenAPI document', async () => {
    expect(await (await http('/health')).json()).toMatchObject({ status: 'ok', listeners: { kafka: null } });
    const m = await (await http('/metrics')).text();
    expect(m).toContain('brook_request_duration_seconds');
    const spec = (await (await http('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/topics', '/api/topics/{topic}', '/api/groups/{group}']));
    expect((await http('/docs/')).status).toBe(200);
  });

  it('/metrics times the log writes: each synced LevelDB write, and each write\'s wait in the queue', async () => {
    // a series' value in the text format (0 before it exists)
    const count = (m: string, series: string) => Number(m.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? 0);
    const before = await (await http('/metrics')).text();
    expect((await http('/api/topics', json({ name: 'timed', partitions: 2 }))).status).toBe(201);
    const after = await (await http('/metrics')).text();
    const synced = 'brook_log_write_duration_seconds_count{synced="true"}';
    expect(count(after, synced) - count(before, synced)).toBeGreaterThanOrEqual(1);
    expect(count(after, 'brook_log_write_wait_seconds_count')).toBeGreaterThan(count(before, 'brook_log_write_wait_seconds_count'));
  });

  it('creates, lists, describes and deletes topics with JSON errors', async () => {
    const created = await http('/api/topics', json({ name: 'orders', partitions: 3, config: { 'retention.ms': 60000 } }));
    expect(created.status).toBe(201);
    expect((await http('/api/topics', json({ name: 'orders', partitions: 3 }))).status).toBe(409);
    const bad = await http('/api/topics', json({ name: 'x', partitions: 'many' }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'INVALID_REQUEST', message: expect.any(String) });
    expect((await http('/api/topics', json({ name: 'bad/name', partitions: 1 }))).status).toBe(400);
    expect((await http('/api/topics', json({ name: 'c', partitions: 1, config: { 'cleanup.policy': 'sometimes' } }))).status).toBe(400);
    expect((await http('/api/topics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' })).status).toBe(400);

    const list = (await (await http('/api/topics')).json()) as Array<{ name: string; partitions: number; internal: boolean }>;
    expect(list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'orders', partitions: 3, internal: false, records: 0, sizeBytes: 0 }),
        expect.objectContaining({ name: '__consumer_offsets', partitions: 1, internal: true }),
      ]),
    );

    const d = (await (await http('/api/topics/orders')).json()) as { partitions: unknown[]; config: Record<string, unknown> };
    expect(d.partitions).toEqual([0, 1, 2].map((partition) => ({ partition, startOffset: '0', endOffset: '0', records: 0, sizeBytes: 0 })));
    expect(d.config['retention.ms']).toBe(60000);
    const missing = await http('/api/topics/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'UNKNOWN_TOPIC_OR_PARTITION' });

    expect((await http('/api/topics/__consumer_offsets', { method: 'DELETE' })).status).toBe(400);
    expect((await http('/api/topics/orders', { method: 'DELETE' })).status).toBe(204);
    expect((await http('/api/topics/orders', { method: 'DELETE' })).status).toBe(404);
  });

  it('shows records as UTF-8 text where valid, else base64', async () => {
    await http('/api/topics', json({ name: 'browse', partitions: 1 }));
    const c = await RawClient.connect(broker.url);
    await c.request('Produce', {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topics: [
        {
          topic: 'browse',
          partitions: [
            {
              partition: 0,
              records: encodeBatch({
                records: [
                  { key: enc.encode('k1'), value: enc.encode('héllo'), headers: [{ key: 'h', value: enc.encode('x') }] },
                  { key: null, value: new Uint8Array([0xff, 0xfe, 0x00]) },
                  { key: null, value: enc.encode('third') },
                ],
              }),
            },
          ],
        },
      ],
    });
    c.close();
    const r = (await (await http('/api/topics/browse/partitions/0/records?offset=0&limit=2')).json()) as { records: Array<Record<string, unknown>> };
    expect(r.records).toEqual([
      { offset: '0', timestamp: expect.any(String), key: 'k1', keyEncoding: 'utf8', value: 'héllo', valueEncoding: 'utf8', headers: { h: 'x' }, headerEncodings: { h: 'utf8' } },
      { offset: '1', timestamp: expect.any(String), key: null, keyEncoding: null, value: '//4A', valueEncoding: 'base64', headers: {}, headerEncodings: {} },
    ]);
    const from2 = (await (await http('/api/topics/browse/partitions/0/records?offset=2')).json()) as { records: Array<{ value: string }> };
    expect(from2.records.map((x) => x.value)).toEqual(['third']);
    expect((await http('/api/topics/browse/partitions/0/records?offset=-1')).status).toBe(400);
    expect((await http('/api/topics/browse/partitions/9/records')).status).toBe(404);
  });

  it('exports consumer lag the way Kafka lag exporters name it', async () => {
    await http('/api/topics', json({ name: 'lagged', partitions: 1 }));
    const c = await RawClient.connect(broker.url);
    await c.request('Produce', {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topics: [{ topic: 'lagged', partitions: [{ partition: 0, records: encodeBatch({ records: Array.from({ length: 10 }, (_, i) => ({ value: enc.encode(String(i)) })) }) }] }],
    });
    await c.request('OffsetCommit', { groupId: 'slow', memberId: null, memberEpoch: -1, topics: [{ topic: 'lagged', partitions: [{ partition: 0, offset: 4, metadata: null }] }] });
    c.close();
    const m = await (await http('/metrics')).text();
    expect(m).toContain('brook_consumergroup_lag{group="slow",topic="lagged",partition="0"} 6');
    expect(m).toContain('brook_consumergroup_lag_sum{group="slow"} 6');
    expect(m).toContain('brook_consumergroup_lag_max{group="slow"} 6');
    expect(m).toMatch(/brook_leveldb_size_bytes \d+/);
    expect(m).toContain('brook_topic_records_in_total{topic="lagged"} 10');
    const groups = (await (await http('/api/groups')).json()) as Array<{ groupId: string; state: string; totalLag: string }>;
    expect(groups).toContainEqual({ groupId: 'slow', state: 'empty', members: 0, assignor: 'uniform', totalLag: '6' });
  });

  it('pages records with nextOffset without skipping any, and answers 416 outside the range', async () => {
    await http('/api/topics', json({ name: 'pagetest', partitions: 1 }));
    const c = await RawClient.connect(broker.url);
    const batch = encodeBatch({ records: Array.from({ length: 10 }, (_, i) => ({ key: null, value: enc.encode(`v${i}`) })) });
    await c.request('Produce', { transactionalId: null, acks: -1, timeoutMs: 1000, topics: [{ topic: 'pagetest', partitions: [{ partition: 0, records: batch }] }] });
    c.close();
    const seen: string[] = [];
    let offset = '0';
    for (let page = 0; page < 10 && offset !== '10'; page++) {
      const r = (await (await http(`/api/topics/pagetest/partitions/0/records?offset=${offset}&limit=3`)).json()) as {
        records: Array<{ offset: string; value: string }>;
        nextOffset: string;
      };
      expect(r.records.length).toBeLessThanOrEqual(3);
      seen.push(...r.records.map((x) => `${x.offset}:${x.value}`));
      offset = r.nextOffset;
    }
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `${i}:v${i}`));
    const atEnd = await http('/api/topics/pagetest/partitions/0/records?offset=10');
    expect(atEnd.status).toBe(200);
    expect(await atEnd.json()).toMatchObject({ records: [], nextOffset: '10', endOffset: '10' });
    const past = await http('/api/topics/pagetest/partitions/0/records?offset=999');
    expect(past.status).toBe(416);
    expect(await past.json()).toMatchObject({ error: 'OFFSET_OUT_OF_RANGE', startOffset: '0', endOffset: '10', message: expect.stringContaining('999') });
  });

  it('gives the overview the console shows: version, uptime, listeners, totals, live rates, groups by state, the worst lag', async () => {
    await http('/api/topics', json({ name: 'overview', partitions: 2 }));
    const c = await RawClient.connect(broker.url);
    const records = encodeBatch({ records: Array.from({ length: 20 }, (_, i) => ({ value: enc.encode(`r${i}`) })) });
    await c.request('Produce', { transactionalId: null, acks: -1, timeoutMs: 1000, topics: [{ topic: 'overview', partitions: [{ partition: 1, records }] }] });
    await c.request('OffsetCommit', { groupId: 'overview-readers', memberId: null, memberEpoch: -1, topics: [{ topic: 'overview', partitions: [{ partition: 1, offset: 1, metadata: null }] }] });
    c.close();
    type Overview = { version: string; uptimeSeconds: number; listeners: { http: number; kafka: number | null }; topics: number; records: number; sizeBytes: number; rates: { produceRecords: number }; groups: { total: number; byState: Record<string, number> }; worstLag: unknown };
    const overview = async () => (await (await http('/api/broker')).json()) as Overview;
    // Rates are sampled once a second over 5 s: they show the 20 records within a few seconds.
    let o = await overview();
    for (const deadline = Date.now() + 10_000; o.rates.produceRecords === 0 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 200));
      o = await overview();
    }
    expect(o.rates.produceRecords).toBeGreaterThan(0);
    expect(o).toMatchObject({ version: expect.any(String), listeners: { http: Number(new URL(broker.httpUrl).port), kafka: null } });
    expect(o.uptimeSeconds).toBeGreaterThan(0);
    expect(o.records).toBeGreaterThanOrEqual(20);
    expect(o.sizeBytes).toBeGreaterThan(0);
    expect(o.groups.byState.empty).toBeGreaterThanOrEqual(1);
    expect(o.worstLag).toMatchObject({ lag: expect.stringMatching(/^[0-9]+$/) });
    expect(Number((o.worstLag as { lag: string }).lag)).toBeGreaterThanOrEqual(19);
    const listed = ((await (await http('/api/topics')).json()) as Array<{ name: string; records: number; sizeBytes: number }>).find((t) => t.name === 'overview');
    expect(listed).toMatchObject({ records: 20, sizeBytes: expect.any(Number) });
    const parts = ((await (await http('/api/topics/overview')).json()) as { partitions: Array<{ records: number }> }).partitions;
    expect(parts.map((p) => p.records)).toEqual([0, 20]);
    expect(await (await http('/api/whoami')).json()).toEqual({ authEnabled: false, principal: null, admin: true });
  });

  it('browses records from a timestamp', async () => {
    await http('/api/topics', json({ name: 'bytime', partitions: 1 }));
    const c = await RawClient.connect(broker.url);
    const at = (ts: number, v: string) => encodeBatch({ records: [{ value: enc.encode(v), timestamp: ts }] });
    for (const [ts, v] of [[1000, 'a'], [2000, 'b'], [3000, 'c']] as const) {
      await c.request('Produce', { transactionalId: null, acks: -1, timeoutMs: 1000, topics: [{ topic: 'bytime', partitions: [{ partition: 0, records: at(ts, v) }] }] });
    }
    c.close();
    const page = async (q: string) => ((await (await http(`/api/topics/bytime/partitions/0/records?${q}`)).json()) as { records: Array<{ value: string }> }).records.map((r) => r.value);
    expect(await page('timestamp=1500')).toEqual(['b', 'c']);
    expect(await page('timestamp=3000')).toEqual(['c']);
    expect(await page('timestamp=9000')).toEqual([]);
    expect(await page('timestamp=1500&offset=0')).toEqual(['a', 'b', 'c']);
  });

  it('tails a partition live as server-sent events', async () => {
    await http('/api/topics', json({ name: 'tailed', partitions: 1 }));
    const c = await RawClient.connect(broker.url);
    const produce = (values: string[]) =>
      c.request('Produce', {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topics: [
          { topic: 'tailed', partitions: [{ partition: 0, records: encodeBatch({ records: values.map((v) => ({ value: enc.encode(v), headers: [{ key: 'h', value: enc.encode(v) }] })) }) }] },
        ],
      });
    await produce(['a', 'b']);
    const abort = new AbortController();
    const res = await http('/api/topics/tailed/partitions/0/tail?offset=0', { signal: abort.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const values: string[] = [];
    let buf = '';
    const readUntil = async (n: number) => {
      const deadline = Date.now() + 5000;
      while (values.length < n && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += new TextDecoder().decode(value);
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = ev.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const rec = JSON.parse(data.slice(6)) as { value: string; headers: Record<string, string> };
          expect(rec.headers, 'the tail shows headers as /records does').toEqual({ h: rec.value });
          values.push(rec.value);
        }
      }
    };
    await readUntil(2);
    expect(values).toEqual(['a', 'b']);
    await produce(['live']);
    await readUntil(3);
    expect(values).toEqual(['a', 'b', 'live']);
    abort.abort();
    c.close();
    expect((await http('/api/topics/nope/partitions/0/tail')).status).toBe(404);
  });
});

/** A request fetch() refuses to send (TRACE, QUERY): status, Allow header and body. */
function rawRequest(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, allow: res.headers.allow, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('admin HTTP API: requests are taken as sent', () => {
  let broker: TB;
  const http = (path: string, init?: RequestInit) => fetch(`${broker.httpUrl}${path}`, init);
  const post = (path: string, body: string, contentType = 'application/json') => http(path, { method: 'POST', headers: { 'content-type': contentType }, body });
  const answer = async (r: Promise<Response>) => {
    const res = await r;
    return { status: res.status, body: (await res.json()) as { error: string; message: string } };
  };

  beforeAll(async () => {
    broker = await testBroker();
  });
  afterAll(async () => broker.stop());

  it('refuses wrong types and unknown fields, naming the field, and creates nothing', async () => {
    const refused = async (body: unknown, message: string) => {
      expect(await answer(post('/api/topics', JSON.stringify(body)))).toEqual({ status: 400, body: { error: 'INVALID_REQUEST', message } });
    };
    await refused({ name: false, partitions: 1 }, 'body/name must be string');
    await refused({ name: 'flag', partitions: true }, 'body/partitions must be integer');
    await refused({ name: 12345, partitions: '2' }, 'body/name must be string');
    await refused({ name: 'n', partitions: '2' }, 'body/partitions must be integer');
    await refused({ name: 'n', partitions: 1, replicas: 3 }, 'body/replicas is not a known field');
    await refused({ name: 'n', partitions: 1, config: { 'retention.hours': 1 } }, 'body/config/retention.hours is not a known field');
    await refused({ name: 'n', partitions: 1, config: { 'retention.ms': true } }, expect.stringContaining('body/config/retention.ms') as unknown as string);
    const names = ((await (await http('/api/topics')).json()) as Array<{ name: string }>).map((t) => t.name);
    expect(names).toEqual(['__consumer_offsets']);
    // Config numbers as JSON integers or as decimal text (as Kafka's configs are text); both are kept as numbers.
    expect((await post('/api/topics', JSON.stringify({ name: 'typed', partitions: 1, config: { 'retention.ms': '60000', 'max.message.bytes': 2048 } }))).status).toBe(201);
    expect(((await (await http('/api/topics/typed')).json()) as { config: Record<string, unknown> }).config).toMatchObject({ 'retention.ms': 60000, 'max.message.bytes': 2048 });
    // Kafka's fsync cadence: -1 (unset) by default, Kafka's minimum 1 for flush.messages.
    expect((await post('/api/topics', JSON.stringify({ name: 'fast', partitions: 1, config: { 'flush.ms': '5', 'flush.messages': 1000 } }))).status).toBe(201);
    expect(((await (await http('/api/topics/fast')).json()) as { config: Record<string, unknown> }).config).toMatchObject({ 'flush.ms': 5, 'flush.messages': 1000 });
    expect(((await (await http('/api/topics/typed')).json()) as { config: Record<string, unknown> }).config).toMatchObject({ 'flush.ms': -1, 'flush.messages': -1 });
    expect((await post('/api/topics', JSON.stringify({ name: 'never', partitions: 1, config: { 'flush.messages': 0 } }))).status).toBe(400);

    const reset = (to: unknown) => answer(post('/api/groups/g/offsets/reset', JSON.stringify({ topic: 'typed', to })));
    expect(await reset({ offset: 'x' })).toEqual({ status: 400, body: { error: 'INVALID_REQUEST', message: expect.stringMatching(/^body\/to is invalid: earliest, latest/) } });
    expect((await reset({ timestamp: 'yesterday' })).status).toBe(400);
    expect((await reset({ offset: 0, extra: 1 })).status).toBe(400);
    // An RFC 3339 leap second is a valid date-time (JavaScript's Date.parse alone refuses it).
    expect((await reset({ timestamp: '2016-12-31T23:59:60Z' })).status).toBe(200);
  });

  it("reads query and path numbers from text, strictly, and answers Brook's error names, not the framework's", async () => {
    await post('/api/topics', JSON.stringify({ name: 'q', partitions: 1 }));
    expect((await http('/api/topics/q/partitions/0/records?offset=0&limit=5')).status).toBe(200);
    for (const query of ['offset=abc', 'offset=1.5', 'offset=-1', 'limit=0', 'limit=1&limit=2']) {
      expect(await answer(http(`/api/topics/q/partitions/0/records?${query}`)), query).toMatchObject({ status: 400, body: { error: 'INVALID_REQUEST' } });
    }
    expect((await http('/api/topics/q/partitions/x/records')).status).toBe(400);

    expect(await answer(post('/api/topics', '{not json'))).toMatchObject({ status: 400, body: { error: 'INVALID_JSON' } });
    expect(await answer(post('/api/topics', ''))).toMatchObject({ status: 400, body: { error: 'INVALID_JSON' } });
    expect(await answer(post('/api/topics', 'name=x', 'text/plain'))).toMatchObject({ status: 415, body: { error: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(await answer(post('/api/topics', 'x', 'application/x-www-form-urlencoded'))).toMatchObject({ status: 415, body: { error: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(await answer(post('/api/topics', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), partitions: 1 })))).toMatchObject({ status: 413, body: { error: 'BODY_TOO_LARGE' } });
    expect(await answer(http('/api/topics/%zz'))).toMatchObject({ status: 400, body: { error: 'INVALID_URL' } });
    expect(await answer(http('/api/nothing-here'))).toMatchObject({ status: 404, body: { error: 'NOT_FOUND' } });
  });

  it('answers 405 with Allow for a known path and a method it does not serve', async () => {
    const wrong = await http('/api/topics/q', { method: 'PUT' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('DELETE, GET, HEAD');
    expect(await wrong.json()).toMatchObject({ error: 'METHOD_NOT_ALLOWED', message: expect.stringContaining('PUT') });
    expect((await http('/health', { method: 'POST' })).headers.get('allow')).toBe('GET, HEAD');
    for (const method of ['TRACE', 'QUERY']) {
      const r = await rawRequest(`${broker.httpUrl}/api/topics`, method);
      expect({ status: r.status, allow: r.allow }, method).toEqual({ status: 405, allow: 'GET, HEAD, POST' });
      expect(r.body).not.toContain('FST_');
    }
    expect((await http('/nowhere', { method: 'DELETE' })).status).toBe(404);
  });

  it('takes the names the broker takes, in paths as in bodies', async () => {
    const long = 'n'.repeat(249); // longer than fastify's default limit for a path segment (100)
    expect((await post('/api/topics', JSON.stringify({ name: long, partitions: 1 }))).status).toBe(201);
    expect((await http(`/api/topics/${long}`)).status).toBe(200);
    expect((await post('/api/topics', JSON.stringify({ name: 'n'.repeat(250), partitions: 1 }))).status).toBe(400);
    const cafe = await answer(http(`/api/groups/${encodeURIComponent('café')}`));
    expect(cafe).toMatchObject({ status: 400, body: { error: 'INVALID_REQUEST', message: expect.stringContaining('ASCII letters') } });
    expect((await http('/api/topics/__consumer_offsets', { method: 'DELETE' })).status).toBe(400);
    expect((await http('/api/topics/__consumer_offsets')).status).toBe(200);
  });

  it('starts a tail on an idle partition at once (the status is not held back until a record comes)', async () => {
    await post('/api/topics', JSON.stringify({ name: 'idle', partitions: 1 }));
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 5000); // the keep-alive comes only after 15 s
    const res = await http('/api/topics/idle/partitions/0/tail', { signal: abort.signal });
    clearTimeout(timer);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    abort.abort();
  });

  it('publishes an OpenAPI document with every answer each route gives', async () => {
    type Op = { parameters?: Array<{ name: string; in: string; schema: { pattern?: string } }>; requestBody?: unknown; responses: Record<string, { content?: Record<string, unknown> }>; security?: unknown };
    const spec = (await (await http('/openapi.json')).json()) as { paths: Record<string, Record<string, Op>> };
    const ops = Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));
    expect(ops.length).toBe(15);
    for (const { name, op } of ops) {
      const statuses = Object.keys(op.responses);
      expect(statuses.some((s) => /^2/.test(s)), `${name} declares its success`).toBe(true);
      const success = op.responses[statuses.find((s) => /^2/.test(s))!]!;
      if (!name.startsWith('DELETE')) expect(success.content, `${name} declares what it answers`).toBeDefined();
      if (op.parameters?.length || op.requestBody) expect(statuses, name).toContain('400');
      if (op.requestBody || name.startsWith('DELETE')) expect(statuses, name).toEqual(expect.arrayContaining(['413', '415']));
      expect(op.security, `${name}: no auth on this broker`).toBeUndefined();
      for (const p of op.parameters ?? []) if (p.name === 'group') expect(p.schema.pattern).toBe(NAME_PATTERN);
    }
    const records = spec.paths['/api/topics/{topic}/partitions/{partition}/records']!.get!;
    expect(Object.keys(records.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '416', '503']));
    expect(Object.keys(spec.paths['/api/topics/{topic}/partitions/{partition}/tail']!.get!.responses['200']!.content!)).toEqual(['text/event-stream']);
  });
});
