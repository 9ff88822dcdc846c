// Consumer behaviour against an in-memory KIP-848 broker (fixtures/consumer-fakeGroupBroker.ts):
// positions, commits, rebalances, fencing, delivery guarantees, pause/seek, handler failures.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '@brook/protocol';
import { Brook, logLevel, type Consumer, type ConsumerConfig, type EachMessagePayload, type LogEntry } from '../src/index.js';
import { fakeGroupBroker, type FakeGroupBroker } from './fixtures/consumer-fakeGroupBroker.js';

const brokers: FakeGroupBroker[] = [];
const consumers: Consumer[] = [];

afterEach(async () => {
  await Promise.allSettled(consumers.splice(0).map((c) => c.disconnect()));
  await Promise.allSettled(brokers.splice(0).map((b) => b.close()));
});

async function broker(topics: Record<string, number>): Promise<FakeGroupBroker> {
  const b = await fakeGroupBroker(topics);
  brokers.push(b);
  return b;
}

function consumer(b: FakeGroupBroker, config: ConsumerConfig, logs?: LogEntry[]): Consumer {
  const logging = logs ? { logLevel: logLevel.WARN, logCreator: () => (e: LogEntry) => void logs.push(e) } : { logLevel: logLevel.NOTHING };
  const c = new Brook({ url: b.url, clientId: 'fake-test', ...logging }).consumer({ sessionTimeout: 6000, ...config });
  consumers.push(c);
  return c;
}

async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const txt = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const vals = (n: number, p = '') => Array.from({ length: n }, (_, i) => `${p}${i}`);

describe('consumer (fake broker)', () => {
  it('reads everything from the beginning, in order, as Buffers with string offsets', async () => {
    const b = await broker({ t: 2 });
    b.append('t', 0, vals(10, 'a'));
    b.append('t', 1, vals(7, 'b'));
    const c = consumer(b, { groupId: 'g1' });
    const got: Array<{ p: number; off: string; v: string | null }> = [];
    let sample: EachMessagePayload['message'] | null = null;
    await c.connect();
    await c.subscribe({ topics: ['t'], fromBeginning: true });
    await c.run({
      eachMessage: async ({ partition, message }) => {
        sample ??= message;
        got.push({ p: partition, off: message.offset, v: txt(message.value) });
      },
    });
    expect(c.assignment()).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    await until(() => got.length === 17);
    expect(got.filter((g) => g.p === 0).map((g) => g.v)).toEqual(vals(10, 'a'));
    expect(got.filter((g) => g.p === 1).map((g) => g.off)).toEqual(vals(7));
    expect(Buffer.isBuffer(sample!.value)).toBe(true);
    expect(typeof sample!.timestamp).toBe('string');
    expect(txt(sample!.headers.h as Uint8Array)).toBe('x');
    // New messages arrive through the long poll.
    b.append('t', 0, ['late']);
    await until(() => got.length === 18);
    await c.disconnect();
    expect(b.offsets.get('g1|t|0')).toBe(11);
    expect(b.offsets.get('g1|t|1')).toBe(7);
    expect(b.members('g1')).toEqual([]);
  });

  it('resumes after the committed offset, skipping records of a batch below it', async () => {
    const b = await broker({ t: 1 });
    b.append('t', 0, vals(10));
    b.offsets.set('g|t|0', 6); // mid-batch (batches of 4: 4..7)
    const c = consumer(b, { groupId: 'g' });
    const got: string[] = [];
    await c.subscribe({ topic: 't', fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void got.push(message.offset) });
    await until(() => got.length === 4);
    // A later record arriving proves nothing else was coming: the partition is handled in order.
    b.append('t', 0, ['later']);
    await until(() => got.length === 5);
    expect(got).toEqual(['6', '7', '8', '9', '10']);
  });

  it("latest by default; 'none' crashes run() with a clear error", async () => {
    const b = await broker({ t: 1 });
    b.append('t', 0, vals(5));
    const c = consumer(b, { groupId: 'g' });
    const got: string[] = [];
    await c.subscribe({ topics: ['t'] });
    await c.run({ eachMessage: async ({ message }) => void got.push(txt(message.value)!) });
    b.append('t', 0, ['new']);
    await until(() => got.length === 1);
    expect(got).toEqual(['new']);

    const d = consumer(b, { groupId: 'other', autoOffsetReset: 'none' });
    const crashes: unknown[] = [];
    d.on('consumer.crash', (e) => crashes.push(e.payload));
    await d.subscribe({ topics: ['t'] });
    await expect(d.run({ eachMessage: async () => {} })).rejects.toThrow(/no valid committed offset.*'none'/);
    expect(crashes).toHaveLength(1);
  });

  it('ListOffsets failures are retried, then crash the consumer: a latest consumer is never positioned at 0', async () => {
    const b = await broker({ t: 1 });
    b.append('t', 0, vals(5));
    b.listOffsetsErrors.set('t|0', [ErrorCode.REQUEST_TIMED_OUT, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const c = consumer(b, { groupId: 'g' });
    const got: string[] = [];
    await c.subscribe({ topics: ['t'] });
    await c.run({ autoCommitThreshold: 1, eachMessage: async ({ message }) => void got.push(txt(message.value)!) });
    expect(b.listOffsetsErrors.get('t|0')).toEqual([]); // both failures were retried
    b.append('t', 0, ['new']);
    await until(() => got.length === 1);
    expect(got).toEqual(['new']);
    await until(() => b.offsets.get('g|t|0') === 6);
    expect(b.commits.map((x) => x.offset)).not.toContain(0);

    // A non-retriable error: the consumer crashes at once, naming the partition, and commits nothing.
    b.listOffsetsErrors.set('t|0', [ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
    const d = consumer(b, { groupId: 'other' });
    const crashes: unknown[] = [];
    d.on(d.events.CRASH, (e) => crashes.push(e.payload));
    await d.subscribe({ topics: ['t'] });
    await expect(d.run({ eachMessage: async () => {} })).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED', message: expect.stringContaining('t-0') });
    expect(crashes).toEqual([expect.objectContaining({ groupId: 'other', restart: false })]);
    await until(() => b.members('other').length === 0, 5000, 'the crashed member to leave');
    expect(b.commits.filter((x) => x.group === 'other')).toEqual([]);
  });

  it('subscribed topics that do not exist are reported once each (warn log and MISSING_TOPICS); the rest is consumed', async () => {
    const b = await broker({ t: 1 });
    b.append('t', 0, ['a']);
    const logs: LogEntry[] = [];
    const c = consumer(b, { groupId: 'g' }, logs);
    const missing: unknown[] = [];
    c.on('consumer.missing_topics', (e) => missing.push(e.payload));
    const got: string[] = [];
    await c.subscribe({ topics: ['t', 'nope'], fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void got.push(txt(message.value)!) });
    await until(() => missing.length === 1, 5000, 'MISSING_TOPICS');
    expect(missing).toEqual([{ groupId: 'g', topics: ['nope'] }]);
    expect(logs.filter((l) => l.label === 'WARN').map((l) => l.log)).toEqual([
      expect.objectContaining({ message: 'Subscribed topic(s) not found: nope; waiting for them to be created', topics: ['nope'] }),
    ]);
    await until(() => got.length === 1);
    // Subscribing again (the subscription is sent again): only the new missing name is reported.
    await c.subscribe({ topics: ['nope', 'nope2'] });
    await until(() => missing.length === 2, 5000, 'second MISSING_TOPICS');
    expect(missing[1]).toEqual({ groupId: 'g', topics: ['nope2'] });
  });

  it('two members split the partitions; a third joins; revoked partitions are committed before they move', async () => {
    const b = await broker({ t: 6 });
    for (let p = 0; p < 6; p++) b.append('t', p, vals(20, `${p}-`));
    const seen = new Map<string, string[]>();
    const handler = (name: string) => async ({ partition, message }: EachMessagePayload) => {
      const k = `${partition}-${message.offset}`;
      seen.set(k, [...(seen.get(k) ?? []), name]);
    };
    const revoked: string[] = [];
    const c1 = consumer(b, { groupId: 'g', onPartitionsRevoked: (ps) => void revoked.push(...ps.map((p) => `c1:${p.partition}`)) });
    const c2 = consumer(b, { groupId: 'g' });
    await c1.subscribe({ topics: ['t'], fromBeginning: true });
    await c2.subscribe({ topics: ['t'], fromBeginning: true });
    await c1.run({ eachMessage: handler('c1') });
    await c2.run({ eachMessage: handler('c2') });
    await until(() => c1.assignment().length === 3 && c2.assignment().length === 3, 5000, '3/3 split');
    await until(() => seen.size === 120, 5000, 'all consumed');
    expect([...seen.values()].every((v) => v.length === 1)).toBe(true);

    for (let p = 0; p < 6; p++) b.append('t', p, vals(20, `${p}-second-`));
    const c3 = consumer(b, { groupId: 'g' });
    await c3.subscribe({ topics: ['t'], fromBeginning: true });
    await c3.run({ eachMessage: handler('c3') });
    await until(() => c1.assignment().length === 2 && c2.assignment().length === 2 && c3.assignment().length === 2, 5000, '2/2/2');
    await until(() => seen.size === 240, 5000, 'all consumed after rebalance');
    // Revocation commits what was processed, so nothing was consumed twice in this clean run.
    expect([...seen.entries()].filter(([, v]) => v.length > 1)).toEqual([]);
    const owners = new Set([...c1.assignment(), ...c2.assignment(), ...c3.assignment()].map((tp) => tp.partition));
    expect(owners.size).toBe(6);
  });

  it('disconnect commits and leaves at once: the other member takes over without duplicates', async () => {
    const b = await broker({ t: 4 });
    for (let p = 0; p < 4; p++) b.append('t', p, vals(10));
    const seen: string[] = [];
    const c1 = consumer(b, { groupId: 'g' });
    const c2 = consumer(b, { groupId: 'g' });
    for (const c of [c1, c2]) {
      await c.subscribe({ topics: ['t'], fromBeginning: true });
      await c.run({ eachMessage: async ({ partition, message }) => void seen.push(`${partition}-${message.offset}`) });
    }
    await until(() => seen.length === 40);
    const stays = c2.groupMetadata().memberId;
    await c1.disconnect();
    // The leave heartbeat was answered before disconnect() resolved: not left to the session timeout.
    expect(b.members('g').map((m) => m.memberId)).toEqual([stays]);
    await until(() => c2.assignment().length === 4, 5000, 'takeover');
    for (let p = 0; p < 4; p++) b.append('t', p, ['x']);
    await until(() => seen.length === 44);
    expect(new Set(seen).size).toBe(44);
  });

  it('a fenced member loses its partitions without committing and rejoins', async () => {
    const b = await broker({ t: 2 });
    b.append('t', 0, vals(3));
    const lost: number[] = [];
    const joins: unknown[] = [];
    const c = consumer(b, { groupId: 'g', onPartitionsLost: (ps) => void lost.push(...ps.map((p) => p.partition)) });
    c.on(c.events.GROUP_JOIN, (e) => joins.push(e.payload));
    await c.subscribe({ topics: ['t'], fromBeginning: true });
    let n = 0;
    await c.run({ autoCommitInterval: 60_000, eachMessage: async () => void n++ });
    await until(() => n === 3);
    const { memberId } = c.groupMetadata();
    const commitsBefore = b.commits.length;
    b.expel('g', memberId);
    await until(() => lost.length === 2, 3000, 'lost');
    await until(() => c.assignment().length === 2 && b.members('g').length === 1, 3000, 'rejoined');
    expect(b.commits.slice(commitsBefore).filter((x) => x.errorCode === 0)).toEqual([]);
    await until(() => joins.length >= 2, 3000, 'second group.join');
    // Nothing was committed, so the rejoined member reads the partition again (at-least-once).
    await until(() => n === 6, 3000, 'redelivery');
  });

  it('a slow handler does not stop heartbeats', async () => {
    const b = await broker({ t: 1 });
    b.append('t', 0, ['slow']);
    const c = consumer(b, { groupId: 'g' });
    await c.subscribe({ topics: ['t'], fromBeginning: true });
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    let started = false;
    await c.run({
      eachMessage: async () => {
        started = true;
        await blocked;
      },
    });
    await until(() => started);
    const hb = b.heartbeats;
    await until(() => b.heartbeats - hb >= 3, 5000, 'three heartbeats while the handler is blocked');
    expect(started).toBe(true);
    expect(b.members('g')).toEqual([expect.objectContaining({ owned: ['t|0'] })]);
    release();
  });

  it('at-most-once commits the batch before handing it out; a failing handler is not retried', async () => {
    const b = await broker({ t: 1 });
    b.append('t', 0, vals(4));
    const c = consumer(b, { groupId: 'g' });
    await c.subscribe({ topics: ['t'], fromBeginning: true });
    const committedAtProcessing: Array<number | undefined> = [];
    const got: string[] = [];
    await c.run({
      deliveryGuarantee: 'at-most-once',
      eachMessage: async ({ message }) => {
        committedAtProcessing.push(b.offsets.get('g|t|0'));
        got.push(message.offset);
        if (message.offset === '1') throw new Error('boom');
      },
    });
    await until(() => got.length === 4);
    expect(committedAtProcessing).toEqual([4, 4, 4, 4]);
    // A retry of '1' would come before any later record of the partition.
    b.append('t', 0, ['later']);
    await until(() => got.length === 5);
    expect(got).toEqual(['0', '1', '2', '3', '4']);
  });

  it('at-least-once: a throwing handler is retried from the failed message; nothing past it is committed', async () => {
    const b = await broker({ t: 1 });
    b.append('t', 0, vals(5));
    const c = consumer(b, { groupId: 'g' });
    await c.subscribe({ topics: ['t'], fromBeginning: true });
    const got: string[] = [];
    let failures = 0;
    // Each commit is checked as it reaches the broker: never past the last message that succeeded.
    let succeeded = -1;
    const tooFar: number[] = [];
    b.onCommit = (commit) => {
      if (commit.offset > succeeded + 1) tooFar.push(commit.offset);
    };
    await c.run({
      autoCommitThreshold: 1,
      eachMessage: async ({ message }) => {
        got.push(message.offset);
        if (message.offset === '2' && failures < 2) {
          failures++;
          throw new Error('transient');
        }
        succeeded = Number(message.offset);
      },
    });
    await until(() => got.length === 7, 5000);
    expect(got).toEqual(['0', '1', '2', '2', '2', '3', '4']);
    await until(() => b.offsets.get('g|t|0') === 5);
    expect(tooFar).toEqual([]);
    expect(b.commits.map((x) => x.offset)).toContain(2); // committed up to the failing message while it was retried
  });

  it('eachBatch: resolveOffset, autoResolve, batch helpers', async () => {
    const b = await broker({ t: 1 });
    b.append('t', 0, vals(6));
    const c = consumer(b, { groupId: 'g' });
    await c.subscribe({ topics: ['t'], fromBeginning: true });
    const batches: Array<{ first: string | null; last: string; n: number; hw: string; lag: string }> = [];
    await c.run({
      eachBatch: async ({ batch, resolveOffset, isStale, isRunning }) => {
        expect(isStale()).toBe(false);
        expect(isRunning()).toBe(true);
        batches.push({ first: batch.firstOffset(), last: batch.lastOffset(), n: batch.messages.length, hw: batch.highWatermark, lag: batch.offsetLag() });
        for (const m of batch.messages) resolveOffset(m.offset);
      },
    });
    await until(() => batches.reduce((s, x) => s + x.n, 0) === 6);
    expect(batches[0]).toMatchObject({ first: '0', last: '5', hw: '6', lag: '0' });
    await c.disconnect();
    expect(b.offsets.get('g|t|0')).toBe(6);
  });

  it('pause/resume and seek (pending until assigned, and on an owned partition)', async () => {
    const b = await broker({ t: 2 });
    b.append('t', 0, vals(10));
    b.append('t', 1, vals(10));
    const c = consumer(b, { groupId: 'g' });
    await c.subscribe({ topics: ['t'], fromBeginning: true });
    c.seek({ topic: 't', partition: 0, offset: '7' });
    c.pause([{ topic: 't', partitions: [1] }]);
    const got: string[] = [];
    await c.run({ eachMessage: async ({ partition, message }) => void got.push(`${partition}:${message.offset}`) });
    await until(() => got.length === 3);
    // Later fetches (for a later record of partition 0) still leave the paused partition out.
    b.append('t', 0, ['later']);
    await until(() => got.length === 4);
    expect(got).toEqual(['0:7', '0:8', '0:9', '0:10']);
    expect(b.fetches.length).toBeGreaterThan(1);
    expect(b.fetches.filter((f) => f.includes('t|1'))).toEqual([]);
    expect(c.paused()).toEqual([{ topic: 't', partitions: [1] }]);
    c.resume([{ topic: 't', partitions: [1] }]);
    await until(() => got.length === 14);
    expect(c.paused()).toEqual([]);
    c.seek({ topic: 't', partition: 1, offset: '8' });
    await until(() => got.length === 16);
    expect(got.slice(14)).toEqual(['1:8', '1:9']);
  });

  it('pause() from inside eachMessage stops the partition; the returned function resumes it', async () => {
    const b = await broker({ t: 2 });
    b.append('t', 0, vals(5));
    const c = consumer(b, { groupId: 'g' });
    await c.subscribe({ topics: ['t'], fromBeginning: true });
    const got: string[] = [];
    let resume: (() => void) | null = null;
    await c.run({
      eachMessage: async ({ partition, message, pause }) => {
        got.push(`${partition}:${message.offset}`);
        if (partition === 0 && message.offset === '1' && !resume) resume = pause();
      },
    });
    await until(() => got.length === 2);
    // Offsets 2..4 are buffered already; unpaused, they would be handled before a record fetched later.
    b.append('t', 1, ['later']);
    await until(() => got.length === 3);
    expect(got).toEqual(['0:0', '0:1', '1:0']);
    resume!();
    await until(() => got.length === 6);
    expect(got).toEqual(['0:0', '0:1', '1:0', '0:2', '0:3', '0:4']);
  });

  it('commitOffsets and events', async () => {
    const b = await broker({ t: 1 });
    b.append('t', 0, vals(3));
    const c = consumer(b, { groupId: 'g' });
    const events: string[] = [];
    for (const e of ['consumer.group_join', 'consumer.commit_offsets', 'consumer.heartbeat', 'consumer.stop', 'consumer.connect', 'consumer.disconnect']) {
      c.on(e, (ev) => events.push(ev.type));
    }
    let joinPayload: Record<string, unknown> | null = null;
    const off = c.on(c.events.GROUP_JOIN, (ev) => (joinPayload = ev.payload));
    await c.subscribe({ topics: ['t'], fromBeginning: true });
    let n = 0;
    await c.run({ autoCommit: false, eachMessage: async () => void n++ });
    off();
    await until(() => n === 3);
    expect(joinPayload).toMatchObject({ groupId: 'g', memberAssignment: { t: [0] } });
    await c.commitOffsets([{ topic: 't', partition: 0, offset: '2' }]);
    expect(b.offsets.get('g|t|0')).toBe(2);
    await c.disconnect();
    expect(b.offsets.get('g|t|0')).toBe(2); // autoCommit off: no final commit
    expect(events).toEqual(expect.arrayContaining(['connect', 'group.join', 'heartbeat', 'commit', 'stop', 'disconnect']));
  });

  it('partitionsConsumedConcurrently > 1 runs partitions in parallel, each in order', async () => {
    const b = await broker({ t: 3 });
    for (let p = 0; p < 3; p++) b.append('t', p, vals(6));
    const c = consumer(b, { groupId: 'g' });
    await c.subscribe({ topics: ['t'], fromBeginning: true });
    let active = 0;
    let maxActive = 0;
    // The first handlers wait until three run at once: with less concurrency they would wait forever.
    let allThree!: () => void;
    const threeRunning = new Promise<void>((r) => (allThree = r));
    const got = new Map<number, string[]>();
    await c.run({
      partitionsConsumedConcurrently: 3,
      eachMessage: async ({ partition, message }) => {
        active++;
        maxActive = Math.max(maxActive, active);
        if (active === 3) allThree();
        await threeRunning;
        got.set(partition, [...(got.get(partition) ?? []), message.offset]);
        active--;
      },
    });
    await until(() => [...got.values()].reduce((n, v) => n + v.length, 0) === 18);
    expect(maxActive).toBe(3);
    for (const v of got.values()) expect(v).toEqual(vals(6));
  });

  it('a slow partition does not hold back the others (concurrency 2)', async () => {
    const b = await broker({ t: 2 });
    b.append('t', 0, ['slow']);
    b.append('t', 1, vals(5));
    const c = consumer(b, { groupId: 'g' });
    await c.subscribe({ topics: ['t'], fromBeginning: true });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const fast: string[] = [];
    await c.run({
      partitionsConsumedConcurrently: 2,
      eachMessage: async ({ partition, message }) => {
        if (partition === 0) await gate;
        else fast.push(message.offset);
      },
    });
    await until(() => fast.length === 5);
    b.append('t', 1, ['more']);
    await until(() => fast.length === 6);
    release();
  });
});
