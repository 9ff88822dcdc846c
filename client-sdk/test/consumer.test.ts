// The group consumer against the real broker (in-process consumers): positions and commits,
// splitting partitions, moving them without duplicates, independent groups, leaving at once,
// pause/resume, seek, at-most-once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '@brook/server';
import { Brook, logLevel, type Admin, type Consumer, type ConsumerConfig, type EachMessagePayload, type Producer } from '../src/index.js';

let broker: Broker;
let dataDir: string;
let brook: Brook;
let admin: Admin;
let producer: Producer;
const consumers: Consumer[] = [];
let topicSeq = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'brook-consumer-test-'));
  broker = await startBroker({ port: 0, dataDir, logLevel: 'silent', groupMinSessionTimeoutMs: 1000, groupHeartbeatIntervalMs: 500 });
  brook = new Brook({ url: broker.url, clientId: 'consumer-test', logLevel: logLevel.NOTHING });
  admin = brook.admin();
  await admin.connect();
  producer = brook.producer();
  await producer.connect();
});

afterEach(async () => {
  await Promise.allSettled(consumers.splice(0).map((c) => c.disconnect()));
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function topic(partitions: number): Promise<string> {
  const name = `ct-${++topicSeq}-${Date.now().toString(36)}`;
  await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions }] });
  return name;
}

/** n messages into every partition: values `p<partition>-<i><suffix>`. */
async function fill(t: string, partitions: number, n: number, suffix = ''): Promise<void> {
  for (let p = 0; p < partitions; p++) {
    await producer.send({ topic: t, messages: Array.from({ length: n }, (_, i) => ({ partition: p, value: `p${p}-${i}${suffix}` })) });
  }
}

function consumer(config: ConsumerConfig): Consumer {
  const c = brook.consumer({ sessionTimeout: 6000, heartbeatInterval: 500, ...config });
  consumers.push(c);
  return c;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const txt = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

async function groupView(group: string): Promise<{ members: Array<{ memberId: string; assignment: Array<{ topic: string; partitions: number[] }> }>; offsets: Array<{ topic: string; partition: number; committedOffset: string | null }> }> {
  const res = await fetch(`${broker.httpUrl}/api/groups/${encodeURIComponent(group)}`);
  if (!res.ok) throw new Error(`GET group ${group}: ${res.status}`);
  return (await res.json()) as never;
}

/** Collects `topic/partition/offset` → list of consumer names that processed it. */
function collector() {
  const seen = new Map<string, string[]>();
  return {
    seen,
    handler:
      (name: string, extra?: (p: EachMessagePayload) => Promise<void> | void) =>
      async (p: EachMessagePayload): Promise<void> => {
        if (extra) await extra(p);
        const k = `${p.partition}/${p.message.offset}`;
        seen.set(k, [...(seen.get(k) ?? []), name]);
      },
    dups: () => [...seen.entries()].filter(([, v]) => v.length > 1),
  };
}

describe('consumer (real broker)', () => {
  it('reads everything from the beginning, in order', async () => {
    const t = await topic(3);
    await fill(t, 3, 50);
    const got: Array<{ p: number; o: string; v: string | null }> = [];
    const c = consumer({ groupId: `g-${t}` });
    await c.connect();
    await c.subscribe({ topics: [t], fromBeginning: true });
    await c.run({ eachMessage: async ({ partition, message }) => void got.push({ p: partition, o: message.offset, v: txt(message.value) }) });
    expect(c.assignment()).toHaveLength(3);
    await until(() => got.length === 150, 10_000, 'all messages');
    for (let p = 0; p < 3; p++) {
      const mine = got.filter((g) => g.p === p);
      expect(mine.map((g) => g.o)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
      expect(mine.map((g) => g.v)).toEqual(Array.from({ length: 50 }, (_, i) => `p${p}-${i}`));
    }
  });

  it('traffic on one of several partitions is not held back by the long poll on the others', async () => {
    const t = await topic(3);
    const got: string[] = [];
    // A 20 s long poll: were the busy partition left out of the next Fetch while its handler runs,
    // each message below would wait for the poll on the two idle partitions to time out.
    const c = consumer({ groupId: `g-${t}`, maxWaitTimeInMs: 20_000 });
    await c.connect();
    await c.subscribe({ topics: [t], fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void got.push(txt(message.value)!) });
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic: t, messages: [{ partition: 0, value: `m${i}` }] });
      await until(() => got.length === i + 1, 15_000, `message ${i} before the idle partitions' long poll ends`);
    }
    expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('commit then restart resumes after the committed offset', async () => {
    const t = await topic(1);
    await fill(t, 1, 20);
    const group = `g-${t}`;
    const first: string[] = [];
    const c1 = consumer({ groupId: group });
    await c1.subscribe({ topic: t, fromBeginning: true });
    await c1.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        first.push(message.offset);
      },
    });
    await until(() => first.length === 20, 10_000, 'first pass');
    await c1.commitOffsets([{ topic: t, partition: 0, offset: '12' }]);
    await c1.disconnect();
    const view = await groupView(group);
    expect(view.offsets.find((o) => o.topic === t && o.partition === 0)?.committedOffset).toBe('12');

    const second: string[] = [];
    const c2 = consumer({ groupId: group });
    await c2.subscribe({ topic: t, fromBeginning: true });
    await c2.run({ eachMessage: async ({ message }) => void second.push(message.offset) });
    await until(() => second.length === 8, 10_000, 'second pass');
    await sleep(200);
    expect(second).toEqual(['12', '13', '14', '15', '16', '17', '18', '19']);
  });

  it('two members split 6 partitions 3/3; a third joins and partitions move without duplicates', async () => {
    const t = await topic(6);
    await fill(t, 6, 30);
    const group = `g-${t}`;
    const col = collector();
    const c1 = consumer({ groupId: group });
    const c2 = consumer({ groupId: group });
    for (const [name, c] of [['c1', c1], ['c2', c2]] as const) {
      await c.subscribe({ topics: [t], fromBeginning: true });
      await c.run({ eachMessage: col.handler(name) });
    }
    await until(() => c1.assignment().length === 3 && c2.assignment().length === 3, 10_000, '3/3 split');
    await until(() => col.seen.size === 180, 10_000, 'all 180 consumed');
    expect(col.dups()).toEqual([]);

    // A third member joins while messages keep flowing.
    const c3 = consumer({ groupId: group });
    await c3.subscribe({ topics: [t], fromBeginning: true });
    const producing = fill(t, 6, 30, '-b');
    await c3.run({ eachMessage: col.handler('c3', async () => void (await sleep(1))) });
    await producing;
    await until(() => [c1, c2, c3].every((c) => c.assignment().length === 2), 10_000, '2/2/2 split');
    await until(() => col.seen.size === 360, 15_000, 'all 360 consumed');
    // Revocation commits what was processed before the partition moves: a clean run has no duplicates.
    expect(col.dups()).toEqual([]);
    const all = [c1, c2, c3].flatMap((c) => c.assignment().map((tp) => tp.partition));
    expect(new Set(all).size).toBe(6);
  });

  it('two groups read the same topic independently', async () => {
    const t = await topic(2);
    await fill(t, 2, 10);
    const a = collector();
    const b = collector();
    const ca = consumer({ groupId: `ga-${t}` });
    const cb = consumer({ groupId: `gb-${t}` });
    await ca.subscribe({ topics: [t], fromBeginning: true });
    await cb.subscribe({ topics: [t], fromBeginning: true });
    await ca.run({ eachMessage: a.handler('a') });
    await cb.run({ eachMessage: b.handler('b') });
    await until(() => a.seen.size === 20 && b.seen.size === 20, 10_000, 'both groups');
    await ca.disconnect();
    await cb.disconnect();
    const va = await groupView(`ga-${t}`);
    const vb = await groupView(`gb-${t}`);
    expect(va.offsets.map((o) => o.committedOffset)).toEqual(['10', '10']);
    expect(vb.offsets.map((o) => o.committedOffset)).toEqual(['10', '10']);
  });

  it('disconnect leaves at once: the other member gets the partitions well under the session timeout', async () => {
    const t = await topic(4);
    await fill(t, 4, 10);
    const group = `g-${t}`;
    const col = collector();
    const c1 = consumer({ groupId: group, sessionTimeout: 30_000 });
    const c2 = consumer({ groupId: group, sessionTimeout: 30_000 });
    for (const [name, c] of [['c1', c1], ['c2', c2]] as const) {
      await c.subscribe({ topics: [t], fromBeginning: true });
      await c.run({ eachMessage: col.handler(name) });
    }
    await until(() => c1.assignment().length === 2 && c2.assignment().length === 2, 10_000, '2/2');
    await until(() => col.seen.size === 40, 10_000, 'all consumed');
    const t0 = Date.now();
    await c1.disconnect();
    await until(() => c2.assignment().length === 4, 5_000, 'takeover');
    const took = Date.now() - t0;
    expect(took).toBeLessThan(3000);
    await fill(t, 4, 5, '-late');
    await until(() => col.seen.size === 60, 10_000, 'late messages');
    expect(col.dups()).toEqual([]);
    const view = await groupView(group);
    expect(view.members).toHaveLength(1);
  });

  it('pause and resume', async () => {
    const t = await topic(2);
    await fill(t, 2, 5);
    const got: string[] = [];
    const c = consumer({ groupId: `g-${t}` });
    await c.subscribe({ topics: [t], fromBeginning: true });
    c.pause([{ topic: t, partitions: [1] }]);
    await c.run({ eachMessage: async ({ partition, message }) => void got.push(`${partition}:${message.offset}`) });
    await until(() => got.length === 5, 10_000, 'partition 0');
    await sleep(300);
    expect(got.every((g) => g.startsWith('0:'))).toBe(true);
    expect(c.paused()).toEqual([{ topic: t, partitions: [1] }]);
    c.pause([{ topic: t }]);
    await fill(t, 2, 1, '-x');
    await sleep(300);
    expect(got).toHaveLength(5);
    c.resume([{ topic: t }]);
    await until(() => got.length === 12, 10_000, 'after resume');
    expect(got.filter((g) => g.startsWith('1:'))).toEqual(['1:0', '1:1', '1:2', '1:3', '1:4', '1:5']);
  });

  it('seek overrides the committed position (before assignment and while owned)', async () => {
    const t = await topic(1);
    await fill(t, 1, 20);
    const group = `g-${t}`;
    const got: string[] = [];
    const c = consumer({ groupId: group });
    await c.subscribe({ topics: [t], fromBeginning: true });
    c.seek({ topic: t, partition: 0, offset: '15' });
    await c.run({ eachMessage: async ({ message }) => void got.push(message.offset) });
    await until(() => got.length === 5, 10_000, 'from 15');
    expect(got).toEqual(['15', '16', '17', '18', '19']);
    c.seek({ topic: t, partition: 0, offset: '3' });
    await until(() => got.length === 22, 10_000, 'from 3');
    expect(got.slice(5, 8)).toEqual(['3', '4', '5']);
    // External offset storage: seek from onPartitionsAssigned.
    await c.disconnect();
    const got2: string[] = [];
    const d = consumer({ groupId: group });
    await d.subscribe({ topics: [t] });
    await d.run({
      onPartitionsAssigned: (tps) => {
        for (const tp of tps) d.seek({ ...tp, offset: '18' });
      },
      eachMessage: async ({ message }) => void got2.push(message.offset),
    });
    await until(() => got2.length === 2, 10_000, 'from 18');
    expect(got2).toEqual(['18', '19']);
  });

  it('at-most-once commits a batch before processing it', async () => {
    const t = await topic(1);
    await fill(t, 1, 10);
    const group = `g-${t}`;
    const c = consumer({ groupId: group });
    await c.subscribe({ topics: [t], fromBeginning: true });
    const committedWhenProcessing: Array<string | null | undefined> = [];
    let n = 0;
    await c.run({
      deliveryGuarantee: 'at-most-once',
      eachMessage: async () => {
        if (n++ === 0) {
          const v = await groupView(group);
          committedWhenProcessing.push(v.offsets.find((o) => o.partition === 0)?.committedOffset);
        }
      },
    });
    await until(() => n === 10, 10_000, 'all processed');
    expect(committedWhenProcessing).toEqual(['10']);
  });

  it.each(['eachMessage', 'eachBatch'] as const)('at-most-once (%s): records fetched while the handler is busy are committed before they are processed', async (kind) => {
    const t = await topic(1);
    const group = `g-${t}`;
    const c = consumer({ groupId: group });
    await c.subscribe({ topics: [t], fromBeginning: true });
    const late: string[] = [];
    let n = 0;
    const check = async (offset: string): Promise<void> => {
      // Slow enough that the next records arrive (and are fetched) while this one runs.
      await sleep(30);
      const v = await groupView(group);
      const committed = Number(v.offsets.find((o) => o.partition === 0)?.committedOffset ?? -1);
      if (committed <= Number(offset)) late.push(`${offset} processed with ${committed} committed`);
      n++;
    };
    await c.run(
      kind === 'eachMessage'
        ? { deliveryGuarantee: 'at-most-once', eachMessage: async ({ message }) => check(message.offset) }
        : { deliveryGuarantee: 'at-most-once', eachBatch: async ({ batch }) => { for (const m of batch.messages) await check(m.offset); } },
    );
    for (let i = 0; i < 10; i++) {
      await producer.send({ topic: t, messages: [{ partition: 0, value: `m${i}` }] });
      await sleep(10);
    }
    await until(() => n === 10, 15_000, 'all processed');
    expect(late).toEqual([]);
  });

  it('subscribes by RegExp (KafkaJS substring semantics)', async () => {
    const t = await topic(1);
    await fill(t, 1, 3);
    const got: string[] = [];
    const c = consumer({ groupId: `g-${t}` });
    await c.subscribe({ topic: new RegExp(`${t.slice(3)}$`), fromBeginning: true });
    await c.run({ eachMessage: async ({ topic: tp, message }) => void got.push(`${tp}:${message.offset}`) });
    await until(() => got.length === 3, 10_000, 'regex subscription');
    expect(got[0]).toBe(`${t}:0`);
  });

  it('keeps RegExp flags RE2 knows (i, m, s) and refuses the others at subscribe', async () => {
    const t = await topic(1);
    await fill(t, 1, 2);
    const got: string[] = [];
    const c = consumer({ groupId: `g-${t}` });
    await c.subscribe({ topic: new RegExp(`^${t.toUpperCase()}$`, 'i'), fromBeginning: true });
    await c.run({ eachMessage: async ({ topic: tp, message }) => void got.push(`${tp}:${message.offset}`) });
    await until(() => got.length === 2, 10_000, 'case-insensitive regex subscription');
    expect(got).toEqual([`${t}:0`, `${t}:1`]);
    await expect(consumer({ groupId: `g2-${t}` }).subscribe({ topic: /ct-/y })).rejects.toThrow(/flag.*y/);
  });

  it('subscribing to another topic while running adds its partitions; stop() then run() again', async () => {
    const t1 = await topic(1);
    const t2 = await topic(2);
    await fill(t1, 1, 3);
    await fill(t2, 2, 3);
    const got = new Set<string>();
    const c = consumer({ groupId: `g-${t1}` });
    await c.subscribe({ topics: [t1], fromBeginning: true });
    const handler = async ({ topic: tp, partition, message }: EachMessagePayload) => void got.add(`${tp}:${partition}:${message.offset}`);
    await c.run({ eachMessage: handler });
    await until(() => got.size === 3, 10_000, 't1');
    await c.subscribe({ topics: [t2], fromBeginning: true });
    await until(() => c.assignment().length === 3 && got.size === 9, 10_000, 't2 added');
    await c.stop();
    expect(c.assignment()).toEqual([]);
    await fill(t2, 2, 1, '-after-stop');
    await c.run({ eachMessage: handler });
    await until(() => got.size === 11, 10_000, 'after re-run');
  });

  it('a second live instance with the same groupInstanceId is refused (UNRELEASED_INSTANCE_ID) and crashes after its session timeout', async () => {
    const t = await topic(2);
    const group = `g-${t}`;
    const a = consumer({ groupId: group, groupInstanceId: 'same' });
    await a.subscribe({ topics: [t] });
    await a.run({ eachMessage: async () => {} });
    const b = consumer({ groupId: group, groupInstanceId: 'same', sessionTimeout: 1500 });
    const crashes: unknown[] = [];
    b.on(b.events.CRASH, (e) => crashes.push(e.payload));
    await b.subscribe({ topics: [t] });
    const t0 = Date.now();
    await expect(b.run({ eachMessage: async () => {} })).rejects.toMatchObject({ type: 'UNRELEASED_INSTANCE_ID' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(crashes).toHaveLength(1);
    expect(a.assignment()).toHaveLength(2);
  });

  it('a handler slower than the session timeout does not get the member expelled', async () => {
    const t = await topic(1);
    await fill(t, 1, 2);
    const group = `g-${t}`;
    const lost: unknown[] = [];
    const c = consumer({ groupId: group, sessionTimeout: 1500, onPartitionsLost: (ps) => void lost.push(...ps) });
    await c.subscribe({ topics: [t], fromBeginning: true });
    const done: string[] = [];
    await c.run({
      eachMessage: async ({ message }) => {
        await sleep(message.offset === '0' ? 3500 : 0);
        done.push(message.offset);
      },
    });
    await until(() => done.length === 2, 10_000, 'slow messages');
    expect(lost).toEqual([]);
    const v = await groupView(group);
    expect(v.members).toHaveLength(1);
    expect(v.members[0]!.assignment).toEqual([{ topic: t, partitions: [0] }]);
  });
});
