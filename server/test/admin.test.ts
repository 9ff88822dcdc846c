import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatch } from '@brook/protocol';
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
    expect(list).toEqual(expect.arrayContaining([{ name: 'orders', partitions: 3, internal: false }, { name: '__consumer_offsets', partitions: 1, internal: true }]));

    const d = (await (await http('/api/topics/orders')).json()) as { partitions: unknown[]; config: Record<string, unknown> };
    expect(d.partitions).toEqual([0, 1, 2].map((partition) => ({ partition, startOffset: '0', endOffset: '0' })));
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
      { offset: '0', timestamp: expect.any(String), key: 'k1', keyEncoding: 'utf8', value: 'héllo', valueEncoding: 'utf8', headers: { h: 'x' } },
      { offset: '1', timestamp: expect.any(String), key: null, keyEncoding: null, value: '//4A', valueEncoding: 'base64', headers: {} },
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
    expect(groups).toContainEqual({ groupId: 'slow', state: 'empty', members: 0, totalLag: '6' });
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
