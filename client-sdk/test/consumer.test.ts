// The group consumer against the real broker (in-process consumers): positions and commits,
// splitting partitions, moving them without duplicates, independent groups, leaving at once,
// pause/resume, seek, at-most-once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '@brook/server';
import { Brook, logLevel, type Admin, type Consumer, type ConsumerConfig, type EachMessagePayload, type GroupJoinPayload, type LogEntry, type Producer } from '../src/index.js';
import { deferred } from './consumer/unitFakes.js';

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
    // A later record arriving proves nothing else was coming: the partition is handled in order.
    await producer.send({ topic: t, messages: [{ partition: 0, value: 'later' }] });
    await until(() => second.length === 9, 10_000, 'later record');
    expect(second).toEqual(['12', '13', '14', '15', '16', '17', '18', '19', '20']);
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
    // Pacing, not a wait for something to (not) happen: c3's handlers are still running when partitions move.
    await c3.run({ eachMessage: col.handler('c3', async () => void (await sleep(1))) });
    await producing;
    await until(() => [c1, c2, c3].every((c) => c.assignment().length === 2), 10_000, '2/2/2 split');
    await until(() => col.seen.size === 360, 15_000, 'all 360 consumed');
    // Revocation commits what was processed before the partition moves: a clean run has no duplicates.
    expect(col.dups()).toEqual([]);
    const all = [c1, c2, c3].flatMap((c) => c.assignment().map((tp) => tp.partition));
    expect(new Set(all).size).toBe(6);
  });

  it('GROUP_JOIN reports the epoch the member then commits with, and how long this rebalance took', async () => {
    const t = await topic(2);
    const group = `g-${t}`;
    const joins: Array<{ at: number; payload: GroupJoinPayload }> = [];
    let heartbeats = 0;
    const c1 = consumer({ groupId: group });
    c1.on(c1.events.GROUP_JOIN, (e) => joins.push({ at: e.timestamp, payload: e.payload as unknown as GroupJoinPayload }));
    c1.on(c1.events.HEARTBEAT, () => heartbeats++);
    await c1.subscribe({ topics: [t] });
    await c1.run({ eachMessage: async () => {} });
    expect(joins.map((j) => j.payload.memberAssignment)).toEqual([{ [t]: [0, 1] }]); // run() resolves with it
    expect(joins[0]!.payload.memberEpoch).toBe(c1.groupMetadata().memberEpoch);
    // c1 has been in the group a while (two more heartbeats) when the rebalance begins.
    const hb = heartbeats;
    await until(() => heartbeats >= hb + 2, 10_000, 'two heartbeats');
    const c2 = consumer({ groupId: group });
    await c2.subscribe({ topics: [t] });
    const rebalanceBegan = Date.now();
    await c2.run({ eachMessage: async () => {} });
    await until(() => joins.length === 2, 10_000, "c1's GROUP_JOIN after giving up a partition");
    const { at, payload } = joins[1]!;
    expect(Object.values(payload.memberAssignment).flat()).toHaveLength(1);
    // The broker's epoch for c1, which its commits must carry, is the one the event reported.
    const described = await c1.describeGroup();
    expect(described.members.find((m) => m.memberId === payload.memberId)?.memberEpoch).toBe(payload.memberEpoch);
    expect(c1.groupMetadata().memberEpoch).toBe(payload.memberEpoch);
    // Both ends are clock readings taken around the event, so this holds however slow the machine is.
    expect(payload.duration).toBeLessThanOrEqual(at - rebalanceBegan);
  });

  it('a handler that stops the consumer at its first message, before run() resolved: run() resolves (the member had joined)', async () => {
    const t = await topic(1);
    await fill(t, 1, 3);
    const c = consumer({ groupId: `g-${t}` });
    await c.subscribe({ topics: [t], fromBeginning: true });
    let stopped: Promise<void> | null = null;
    await c.run({ eachMessage: async () => void (stopped ??= c.stop()) });
    await stopped;
    expect(stopped).not.toBeNull();
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
    await c1.disconnect();
    // The broker dropped c1 on its leave heartbeat, before disconnect() resolved: no session timeout involved.
    expect((await groupView(group)).members.map((m) => m.memberId)).toEqual([c2.groupMetadata().memberId]);
    await until(() => c2.assignment().length === 4, 10_000, 'takeover');
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
    // Partition 1's records were there from the start: unpaused, they would come before this later one.
    await producer.send({ topic: t, messages: [{ partition: 0, value: 'later' }] });
    await until(() => got.length === 6, 10_000, 'later record of partition 0');
    expect(got).toEqual(['0:0', '0:1', '0:2', '0:3', '0:4', '0:5']);
    expect(c.paused()).toEqual([{ topic: t, partitions: [1] }]);
    c.pause([{ topic: t }]);
    await fill(t, 2, 1, '-x');
    // With every partition paused nothing is fetched, so no later record can show that nothing
    // came: two heartbeats (500 ms apart, on their own timer) are the clock instead.
    let heartbeats = 0;
    const off = c.on(c.events.HEARTBEAT, () => heartbeats++);
    await until(() => heartbeats >= 2, 10_000, 'two heartbeats while paused');
    off();
    expect(got).toHaveLength(6);
    c.resume([{ topic: t }]);
    await until(() => got.length === 13, 10_000, 'after resume');
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
    let batchesFetched = 0;
    c.on(c.events.FETCH, (e) => void (batchesFetched += e.payload.numberOfBatches as number));
    // Record i+1 is sent while record i's handler runs, which waits until it has been fetched.
    const started = Array.from({ length: 10 }, () => deferred());
    const sent = Array.from({ length: 10 }, () => deferred());
    const late: string[] = [];
    let n = 0;
    const check = async (offset: string): Promise<void> => {
      const i = Number(offset);
      const fetchedBefore = batchesFetched;
      started[i]!.resolve();
      if (i < 9) {
        await sent[i + 1]!.promise;
        await until(() => batchesFetched > fetchedBefore, 10_000, `record ${i + 1} fetched while ${i} is handled`);
      }
      const v = await groupView(group);
      const committed = Number(v.offsets.find((o) => o.partition === 0)?.committedOffset ?? -1);
      if (committed <= i) late.push(`${offset} processed with ${committed} committed`);
      n++;
    };
    await c.run(
      kind === 'eachMessage'
        ? { deliveryGuarantee: 'at-most-once', eachMessage: async ({ message }) => check(message.offset) }
        : { deliveryGuarantee: 'at-most-once', eachBatch: async ({ batch }) => { for (const m of batch.messages) await check(m.offset); } },
    );
    for (let i = 0; i < 10; i++) {
      await producer.send({ topic: t, messages: [{ partition: 0, value: `m${i}` }] });
      sent[i]!.resolve();
      await started[i]!.promise;
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

  it('a subscribed topic that does not exist is reported, and consumed once it is created', async () => {
    const t = `ct-later-${++topicSeq}-${Date.now().toString(36)}`;
    const c = consumer({ groupId: `g-${t}` });
    const missing: unknown[] = [];
    c.on(c.events.MISSING_TOPICS, (e) => missing.push(e.payload));
    const got: string[] = [];
    await c.subscribe({ topics: [t], fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void got.push(txt(message.value)!) });
    await until(() => missing.length === 1, 10_000, 'MISSING_TOPICS');
    expect(missing).toEqual([{ groupId: `g-${t}`, topics: [t] }]);
    await admin.createTopics({ topics: [{ topic: t, numPartitions: 2 }] });
    await producer.send({ topic: t, messages: [{ partition: 1, value: 'hello' }] });
    await until(() => got.length === 1, 10_000, 'the message of the topic created later');
    expect(got).toEqual(['hello']);
    expect(c.assignment()).toHaveLength(2);
    expect(missing).toHaveLength(1);
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
    const logs: LogEntry[] = [];
    const logged = new Brook({ url: broker.url, clientId: 'consumer-test', logLevel: logLevel.INFO, logCreator: () => (e) => void logs.push(e) });
    const b = logged.consumer({ groupId: group, groupInstanceId: 'same', sessionTimeout: 1500, heartbeatInterval: 500 });
    consumers.push(b);
    const crashes: unknown[] = [];
    b.on(b.events.CRASH, (e) => crashes.push(e.payload));
    await b.subscribe({ topics: [t] });
    await expect(b.run({ eachMessage: async () => {} })).rejects.toMatchObject({
      type: 'UNRELEASED_INSTANCE_ID',
      message: expect.stringContaining('(after 1500 ms)'),
    });
    // It kept asking (the other instance might have been leaving) before it gave up.
    expect(logs.filter((l) => l.log.message === 'instance id not released yet; retrying').length).toBeGreaterThanOrEqual(2);
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
    // The first handler runs for six accepted heartbeats, 500 ms apart: well past the 1.5 s session.
    let heartbeats = 0;
    c.on(c.events.HEARTBEAT, () => heartbeats++);
    await c.run({
      eachMessage: async ({ message }) => {
        if (message.offset === '0') {
          const from = heartbeats;
          await until(() => heartbeats >= from + 6, 10_000, 'six heartbeats during the handler');
        }
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
