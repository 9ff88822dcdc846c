// The group coordinator with a fake clock: joins, revoke-before-assign, leaves, crashes, static
// members, epochs, topic changes, commit fencing, group deletion (persistence is in
// persistence.test.ts). Every Sim.beat() asserts that no partition has two holders.
import { describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '@brook/protocol';
import { GroupCoordinator } from '../../src/groups/index.js';
import { pino } from 'pino';
import { count, harness, labels, settle, Sim } from './harness.js';

const member = (h: ReturnType<typeof harness>, id: string) => h.gc.describe('g').members.find((m) => m.memberId === id);

describe('group coordinator: membership and rebalances', () => {
  it('first member gets everything; a second gets half only after the first revokes', async () => {
    const h = harness();
    const a = new Sim(h, 'a');
    const r = await a.beat();
    expect(r.memberEpoch).toBe(1);
    expect(a.count()).toBe(6);
    expect(h.gc.describe('g').state).toBe('stable');

    const b = new Sim(h, 'b');
    await b.beat();
    expect(b.count()).toBe(0); // still held by a
    expect(member(h, 'b')!.state).toBe('unreleased_partitions');
    expect(h.notified.map((n) => n.memberId)).toEqual(['a']); // a is pushed: it must revoke
    expect(h.notified[0]!.connectionId).toBe('conn-a');

    a.slow = true;
    const ra = await a.beat(); // a learns its new assignment, keeps its old epoch
    expect(count(ra.assignment!)).toBe(3);
    expect(ra.memberEpoch).toBe(1);
    expect(member(h, 'a')!.state).toBe('unrevoked_partitions');
    expect(h.gc.describe('g').state).toBe('reconciling');
    await b.beat(); // still nothing for b: a has not confirmed
    expect(b.count()).toBe(0);

    h.notified.length = 0;
    a.revoke();
    const ra2 = await a.beat(); // a no longer reports them
    expect(ra2.memberEpoch).toBe(2);
    expect(h.notified.map((n) => n.memberId)).toEqual(['b']); // b is pushed: its partitions are free
    await b.beat();
    expect(b.count()).toBe(3);
    expect(b.epoch).toBe(2);
    expect(h.gc.describe('g').state).toBe('stable');
    expect(new Set([...a.labels(), ...b.labels()]).size).toBe(6);
  });

  it('a member whose assignment does not change just gets the new epoch', async () => {
    const h = harness({ t: 2 });
    const [a, b] = [new Sim(h, 'a'), new Sim(h, 'b')];
    await settle([a, b]);
    const before = a.labels();
    const c = new Sim(h, 'c');
    await c.beat(); // 3 members, 2 partitions: c idle, nobody moves
    const r = await a.beat();
    expect(r.assignment).toBeNull(); // unchanged
    expect(r.memberEpoch).toBe(3);
    expect(a.labels()).toEqual(before);
    expect(c.count()).toBe(0);
  });

  it('3 members on 6 partitions get 2 each; 7 members leave one idle', async () => {
    const h = harness();
    const sims = Array.from({ length: 7 }, (_, i) => new Sim(h, `m${i}`));
    await settle(sims.slice(0, 3));
    expect(sims.slice(0, 3).map((s) => s.count())).toEqual([2, 2, 2]);
    expect(h.gc.describe('g').state).toBe('stable');
    await settle(sims);
    expect(sims.map((s) => s.count()).sort()).toEqual([0, 1, 1, 1, 1, 1, 1]);
    const d = h.gc.describe('g');
    expect(d.state).toBe('stable');
    expect(d.members.filter((m) => m.assignment.length === 0)).toHaveLength(1);
    expect(h.gc.list()).toEqual([{ groupId: 'g', state: 'stable', members: 7 }]);
  });

  it('leave (-1) frees partitions at once and bumps the epoch', async () => {
    const h = harness();
    const [a, b] = [new Sim(h, 'a'), new Sim(h, 'b')];
    await settle([a, b]);
    const epoch = h.gc.describe('g').groupEpoch;
    h.notified.length = 0;
    const r = await a.leave();
    expect(r.errorCode).toBe(0);
    expect(r.memberEpoch).toBe(-1);
    expect(h.gc.describe('g').groupEpoch).toBe(epoch + 1);
    expect(h.notified.map((n) => n.memberId)).toEqual(['b']);
    await b.beat();
    expect(b.count()).toBe(6);
    // Leaving again is harmless.
    expect((await a.leave()).errorCode).toBe(0);
  });

  it('repeated join with the same member id is idempotent', async () => {
    const h = harness();
    const a = new Sim(h, 'a');
    await a.beat();
    const epoch = h.gc.describe('g').groupEpoch;
    const r = await a.beat({ memberEpoch: 0 });
    expect(r.errorCode).toBe(0);
    expect(r.memberEpoch).toBe(1);
    expect(count(r.assignment!)).toBe(6); // full state again
    expect(h.gc.describe('g').groupEpoch).toBe(epoch);
    expect(h.gc.describe('g').members).toHaveLength(1);
  });

  it('a crashed member is expelled after its session timeout and its partitions move', async () => {
    const h = harness();
    const [a, b] = [new Sim(h, 'a'), new Sim(h, 'b')];
    await settle([a, b]);
    await h.clock.advance(5000, h.gc);
    await b.beat();
    await h.clock.advance(4000, h.gc);
    expect(h.gc.describe('g').members).toHaveLength(2);
    h.notified.length = 0;
    await h.clock.advance(1500, h.gc); // a: 10.5 s without a heartbeat > 10 s
    expect(h.gc.describe('g').members.map((m) => m.memberId)).toEqual(['b']);
    expect(h.notified.map((n) => n.memberId)).toEqual(['b']);
    await b.beat();
    expect(b.count()).toBe(6);
    const r = await a.beat();
    expect(r.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // It rejoins with epoch 0 and gets its share back after b revokes.
    a.epoch = 0;
    await settle([a, b]);
    expect([a.count(), b.count()]).toEqual([3, 3]);
  });

  it('a member that does not revoke within the rebalance timeout is expelled', async () => {
    const h = harness();
    const a = new Sim(h, 'a', { rebalanceTimeoutMs: 3000 });
    a.slow = true;
    await a.beat();
    const b = new Sim(h, 'b');
    await b.beat();
    await a.beat(); // told to revoke 3, does not
    expect(member(h, 'a')!.state).toBe('unrevoked_partitions');
    await h.clock.advance(2000, h.gc);
    await a.beat(); // still owns them: keeps heartbeating, but that does not extend the deadline
    await b.beat();
    expect(b.count()).toBe(0);
    await h.clock.advance(1500, h.gc);
    expect(h.gc.describe('g').members.map((m) => m.memberId)).toEqual(['b']);
    await b.beat();
    expect(b.count()).toBe(6);
    expect((await a.beat()).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('revoking in time cancels the rebalance deadline', async () => {
    const h = harness();
    const a = new Sim(h, 'a', { rebalanceTimeoutMs: 3000 });
    await a.beat();
    const b = new Sim(h, 'b');
    await b.beat();
    await a.beat();
    await a.beat();
    await h.clock.advance(3500, h.gc);
    await settle([a, b], 1);
    expect(h.gc.describe('g').members).toHaveLength(2);
  });

  it('a stale epoch gets FENCED_MEMBER_EPOCH, an unknown member UNKNOWN_MEMBER_ID', async () => {
    const h = harness();
    const [a, b] = [new Sim(h, 'a'), new Sim(h, 'b')];
    await settle([a, b]);
    expect(a.epoch).toBe(2);
    expect((await a.beat({ memberEpoch: 7 })).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    a.epoch = 2;
    // The previous epoch is fine when the member claims nothing it may not hold (a lost response).
    const prev = await a.beat({ memberEpoch: 1, topicPartitions: [{ topic: 't', partitions: [0] }] });
    expect(prev.errorCode).toBe(0);
    expect(prev.assignment).not.toBeNull(); // answered in full
    expect((await a.beat({ memberEpoch: 1, topicPartitions: [{ topic: 't', partitions: [0, 1, 2, 3, 4, 5] }] })).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    expect((await new Sim(h, 'ghost').beat({ memberEpoch: 3 })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await new Sim(h, 'ghost', { group: 'nope' }).beat({ memberEpoch: 3 })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.gc.describe('nope').errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('validates session timeout, assignor, group size', async () => {
    const h = harness({ t: 6 }, { maxGroupSize: 2, minSessionTimeoutMs: 6000 });
    expect((await new Sim(h, 'a', { sessionTimeoutMs: 5999 }).beat()).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await new Sim(h, 'a', { sessionTimeoutMs: 1_800_001 }).beat()).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await new Sim(h, 'a', { assignor: 'sticky' }).beat()).errorCode).toBe(ErrorCode.UNSUPPORTED_ASSIGNOR);
    expect(h.gc.list()).toEqual([]); // failed joins leave no group behind
    expect((await new Sim(h, 'a').beat()).errorCode).toBe(0);
    expect((await new Sim(h, 'b').beat()).errorCode).toBe(0);
    expect((await new Sim(h, 'c').beat()).errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
  });

  it('uses the requested assignor and the configured heartbeat interval', async () => {
    const h = harness({ t: 4 }, { heartbeatIntervalMs: 1234 });
    const [a, b] = [new Sim(h, 'a', { assignor: 'range' }), new Sim(h, 'b', { assignor: 'range' })];
    await settle([a, b]);
    expect(h.gc.describe('g').assignor).toBe('range');
    expect(a.labels()).toEqual(['t-0', 't-1']);
    expect(b.labels()).toEqual(['t-2', 't-3']);
    expect(a.last!.heartbeatIntervalMs).toBe(1234);
    const r = await h.gc.heartbeat(a.request(), { connectionId: a.conn, clientId: 'a', clientHost: 'h', heartbeatIntervalMs: 500 });
    expect(r.heartbeatIntervalMs).toBe(500);
  });

  it('never tells a member to heartbeat less often than a third of its session timeout', async () => {
    const h = harness({ t: 2 }, { heartbeatIntervalMs: 3000 });
    const a = new Sim(h, 'a', { sessionTimeoutMs: 1500 });
    await settle([a]);
    expect(a.last!.heartbeatIntervalMs).toBe(500);
  });

  it('a subscription change bumps the epoch and reassigns', async () => {
    const h = harness({ t: 2, u: 2 });
    const [a, b] = [new Sim(h, 'a'), new Sim(h, 'b')];
    await settle([a, b]);
    const epoch = h.gc.describe('g').groupEpoch;
    await a.beat({ subscribedTopicNames: ['t', 'u'] });
    expect(h.gc.describe('g').groupEpoch).toBe(epoch + 1);
    a.opts.topics = ['t', 'u'];
    await settle([a, b]);
    expect(a.labels().filter((l) => l.startsWith('u'))).toEqual(['u-0', 'u-1']);
    expect(h.gc.describe('g').state).toBe('stable');
  });

  it('regex subscriptions match existing and new topics', async () => {
    const h = harness({ 'orders-eu': 2, other: 2 });
    const a = new Sim(h, 'a', { topics: [] });
    await a.beat({ subscribedTopicRegex: 'orders-.*' });
    expect(a.labels()).toEqual(['orders-eu-0', 'orders-eu-1']);
    h.topics.set('orders-us', 1);
    h.gc.topicsChanged();
    await h.gc.idle();
    await a.beat();
    expect(a.labels()).toEqual(['orders-eu-0', 'orders-eu-1', 'orders-us-0']);
    expect((await new Sim(h, 'b').beat({ subscribedTopicRegex: '(' })).errorCode).toBe(ErrorCode.INVALID_REGULAR_EXPRESSION);
  });

  it('regexes use RE2 syntax, as Kafka (RE2J): what only a backtracking engine has is refused', async () => {
    const h = harness({ orders: 1, ORDERS: 1 });
    for (const re of ['(?=o)orders', '(o)\\1rders', 'orders(?!x)']) {
      const r = await new Sim(h, `bad-${re}`, { topics: [] }).beat({ subscribedTopicRegex: re });
      expect(r.errorCode, re).toBe(ErrorCode.INVALID_REGULAR_EXPRESSION);
    }
    const a = new Sim(h, 'a', { topics: [] });
    await a.beat({ subscribedTopicRegex: '(?i)orders' });
    expect(a.labels()).toEqual(['ORDERS-0', 'orders-0']);
  });

  it('a catastrophic regex against many 249-character topic names resolves in linear time', async () => {
    // (a|aa)+b against "aaa…a" takes a backtracking engine fib(length) steps: years at 249.
    const names = Array.from({ length: 200 }, (_, i) => 'a'.repeat(245) + String(i).padStart(4, '0'));
    const h = harness(Object.fromEntries([...names.map((n) => [n, 1] as const), ['aab', 2]]));
    const a = new Sim(h, 'a', { topics: [] });
    const started = performance.now();
    await a.beat({ subscribedTopicRegex: '(a|aa)+b' });
    h.topics.set('a'.repeat(248) + 'z', 1);
    h.gc.topicsChanged();
    await h.gc.idle();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(a.labels()).toEqual(['aab-0', 'aab-1']);
  });

  it('resolves a regex once per topic change, not on every rebalance', async () => {
    let scans = 0;
    const h = harness({ 'orders-eu': 2, other: 2 });
    h.topics = new (class extends Map<string, number> {
      override keys() {
        scans++;
        return super.keys();
      }
    })(h.topics);
    const sims = ['a', 'b', 'c'].map((id) => new Sim(h, id, { topics: [] }));
    for (const s of sims) await s.beat({ subscribedTopicRegex: 'orders-.*' });
    await settle(sims);
    expect(scans).toBe(1); // three joins, three rebalances, one resolution
    h.topics.set('orders-us', 2);
    h.gc.topicsChanged();
    await h.gc.idle();
    expect(scans).toBe(2);
    await settle(sims);
    expect(sims.flatMap((s) => s.labels()).sort()).toEqual(['orders-eu-0', 'orders-eu-1', 'orders-us-0', 'orders-us-1']);
  });

  it('a partition count increase gives a new target; a deleted topic is dropped', async () => {
    const h = harness({ t: 2, u: 2 });
    const [a, b] = [new Sim(h, 'a', { topics: ['t', 'u'] }), new Sim(h, 'b', { topics: ['t', 'u'] })];
    await settle([a, b]);
    const epoch = h.gc.describe('g').groupEpoch;
    h.topics.set('t', 6);
    h.notified.length = 0;
    h.gc.topicsChanged();
    await h.gc.idle();
    expect(h.gc.describe('g').groupEpoch).toBe(epoch + 1);
    expect(h.notified.map((n) => n.memberId).sort()).toEqual(['a', 'b']);
    await settle([a, b]);
    expect([a.count(), b.count()]).toEqual([4, 4]);
    h.topics.delete('u');
    h.gc.topicsChanged();
    await h.gc.idle();
    await settle([a, b]);
    expect([...a.labels(), ...b.labels()].sort()).toEqual(['t-0', 't-1', 't-2', 't-3', 't-4', 't-5']);
    expect([a.count(), b.count()]).toEqual([3, 3]);
    // Unrelated topics do not bump.
    const e2 = h.gc.describe('g').groupEpoch;
    h.topics.set('zzz', 3);
    h.gc.topicsChanged();
    await h.gc.idle();
    expect(h.gc.describe('g').groupEpoch).toBe(e2);
  });

  it('counts rebalances in stats()', async () => {
    const h = harness();
    const [a, b] = [new Sim(h, 'a'), new Sim(h, 'b')];
    await settle([a, b]);
    await a.leave();
    expect(h.gc.stats()).toEqual({ groups: 1, members: 1, rebalances: 3 });
  });
});

describe('group coordinator: static membership', () => {
  it('-2 keeps the partitions reserved; the same instance id gets exactly them back, nobody else moves', async () => {
    const h = harness({ t: 6 });
    const a = new Sim(h, 'a1', { instanceId: 'pod-a' });
    const b = new Sim(h, 'b1', { instanceId: 'pod-b' });
    const c = new Sim(h, 'c1', { instanceId: 'pod-c' });
    await settle([a, b, c]);
    const owned = { a: a.labels(), b: b.labels(), c: c.labels() };
    const epoch = h.gc.describe('g').groupEpoch;
    expect((await a.beat({ memberEpoch: -2, topicPartitions: null })).errorCode).toBe(0);
    expect(h.gc.describe('g').groupEpoch).toBe(epoch);
    await h.clock.advance(8000, h.gc);
    await settle([b, c]);
    expect(b.labels()).toEqual(owned.b);
    expect(c.labels()).toEqual(owned.c);
    expect(member(h, 'a1')!.assignment.length).toBeGreaterThan(0); // reserved
    // A new process, a new member id, the same instance id.
    const a2 = new Sim(h, 'a2', { instanceId: 'pod-a' });
    const r = await a2.beat();
    expect(r.errorCode).toBe(0);
    expect(a2.labels()).toEqual(owned.a);
    expect(h.gc.describe('g').groupEpoch).toBe(epoch);
    expect(h.gc.describe('g').members.map((m) => m.memberId).sort()).toEqual(['a2', 'b1', 'c1']);
    await settle([a2, b, c]);
    expect([a2.labels(), b.labels(), c.labels()]).toEqual([owned.a, owned.b, owned.c]);
    expect(h.gc.describe('g').state).toBe('stable');
    expect((await a.beat({ memberEpoch: a.epoch })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a static member that does not come back is expelled after its session timeout', async () => {
    const h = harness({ t: 4 });
    const a = new Sim(h, 'a1', { instanceId: 'pod-a' });
    const b = new Sim(h, 'b1');
    await settle([a, b]);
    await a.beat({ memberEpoch: -2, topicPartitions: null });
    await h.clock.advance(9000, h.gc);
    await b.beat();
    expect(b.count()).toBe(2);
    await h.clock.advance(1500, h.gc);
    await settle([b]);
    expect(b.count()).toBe(4);
  });

  it('a newcomer with a connected holder is refused; after connectionClosed it takes over at once', async () => {
    const h = harness({ t: 6 });
    const a = new Sim(h, 'a1', { instanceId: 'pod-a' });
    const b = new Sim(h, 'b1', { instanceId: 'pod-b' });
    await settle([a, b]);
    const [ownedA, ownedB] = [a.labels(), b.labels()];
    const a2 = new Sim(h, 'a2', { instanceId: 'pod-a' });
    expect((await a2.beat()).errorCode).toBe(ErrorCode.UNRELEASED_INSTANCE_ID);
    h.gc.connectionClosed('conn-a1'); // the old pod's WebSocket is gone (crash)
    await h.gc.idle();
    const epoch = h.gc.describe('g').groupEpoch;
    h.notified.length = 0;
    const r = await a2.beat();
    expect(r.errorCode).toBe(0);
    expect(a2.labels()).toEqual(ownedA);
    expect(h.gc.describe('g').groupEpoch).toBe(epoch);
    expect(h.notified).toEqual([]); // nobody else is disturbed
    await b.beat();
    expect(b.labels()).toEqual(ownedB);
    expect(b.last!.assignment).toBeNull();
  });

  it('takeover releases what the crashed holder was revoking', async () => {
    const h = harness({ t: 4 });
    const a = new Sim(h, 'a1', { instanceId: 'pod-a' });
    a.slow = true;
    await a.beat();
    const b = new Sim(h, 'b1');
    await b.beat();
    await a.beat(); // pending revocation of 2 partitions, never confirmed
    await b.beat();
    expect(b.count()).toBe(0);
    h.gc.connectionClosed('conn-a1');
    await h.gc.idle();
    const a2 = new Sim(h, 'a2', { instanceId: 'pod-a' });
    await a2.beat();
    await b.beat();
    expect([a2.count(), b.count()]).toEqual([2, 2]);
  });
});

describe('group coordinator: offset commit validation', () => {
  it('fences commits by member, epoch and ownership', async () => {
    const h = harness({ t: 2 });
    const v = (m: string | null, e: number, p: number) => h.gc.validateOffsetCommit('g', m, e, 't', p);
    expect(v(null, -1, 0)).toBe(0); // no group yet: admin commit
    expect(v('a', 1, 0)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const a = new Sim(h, 'a');
    await a.beat();
    expect(v(null, -1, 0)).toBe(ErrorCode.UNKNOWN_MEMBER_ID); // group has members
    expect(v('zz', 1, 0)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(v('a', 1, 0)).toBe(0);
    expect(v('a', 5, 0)).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    const b = new Sim(h, 'b');
    await b.beat();
    a.slow = true;
    await a.beat(); // a is revoking one partition: it may still commit it (final commit)
    const revoking = [0, 1].find((p) => !a.told.has(`t-${p}`))!;
    expect(v('a', 1, revoking)).toBe(0);
    expect(v('b', 2, revoking)).toBe(ErrorCode.NOT_PARTITION_OWNER);
    a.revoke();
    await a.beat();
    expect(a.epoch).toBe(2);
    expect(v('a', 2, revoking)).toBe(ErrorCode.NOT_PARTITION_OWNER);
    expect(v('a', 1, 1 - revoking)).toBe(0); // previous epoch accepted while catching up
    expect(v('a', 0, 1 - revoking)).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    await b.beat();
    expect(v('b', 2, revoking)).toBe(0);
    await a.leave();
    await b.leave();
    expect(v(null, -1, 0)).toBe(0); // empty again
  });
});

describe('group coordinator: groups, persistence', () => {
  it('deleteGroup refuses non-empty and unknown groups; has() tells whether the group exists', async () => {
    const h = harness();
    const del = (groupId: string) => h.gc.inGroupQueue(groupId, () => h.gc.deleteGroup(groupId));
    expect(await del('g')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(h.gc.has('g')).toBe(false);
    const a = new Sim(h, 'a');
    await a.beat();
    expect(h.gc.has('g')).toBe(true);
    expect(await del('g')).toBe(ErrorCode.NON_EMPTY_GROUP);
    await a.leave();
    expect(h.gc.hasMembers('g')).toBe(false);
    expect(h.gc.describe('g').state).toBe('empty');
    expect(await del('g')).toBe(0);
    expect(h.stored.has('g')).toBe(false);
    expect(h.batches.at(-1)).toEqual({ groupId: 'g', records: null });
    expect(h.gc.describe('g').errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(h.gc.has('g')).toBe(false);
    expect(h.gc.list()).toEqual([]);
  });

  it('runs one group step at a time: a heartbeat waits for the previous persist', async () => {
    let release!: () => void;
    let started: (() => void) | null = null;
    /** Resolves when the next persist has started (and holds until release()). */
    const nextPersist = () => new Promise<void>((r) => (started = r));
    const order: string[] = [];
    const h = harness({ t: 2 }, {
      persist: async () => {
        order.push('persist-start');
        started?.();
        await new Promise<void>((r) => (release = r));
        order.push('persist-end');
      },
    });
    const a = new Sim(h, 'a');
    const first = nextPersist();
    const p1 = a.beat().then(() => order.push('a-answered'));
    await first;
    const p2 = new Sim(h, 'b').beat().then(() => order.push('b-answered'));
    const second = nextPersist();
    release();
    await second;
    release();
    await Promise.all([p1, p2]);
    // b's step starts only after a's persist ended; each answer comes after its own persist.
    expect(order.filter((x) => x.startsWith('persist'))).toEqual(['persist-start', 'persist-end', 'persist-start', 'persist-end']);
    expect(order.indexOf('a-answered')).toBeGreaterThan(1);
    expect(order.at(-1)).toBe('b-answered');
  });

  it('close() clears every timer', async () => {
    const h = harness();
    await new Sim(h, 'a').beat();
    expect(h.clock.pending()).toBeGreaterThan(0);
    h.gc.close();
    expect(h.clock.pending()).toBe(0);
  });

  it('uses real timers by default', async () => {
    const gc = new GroupCoordinator({ topics: () => new Map([['t', 1]]), notify: () => {}, persist: async () => {}, logger: pino({ level: 'silent' }), minSessionTimeoutMs: 1 });
    const r = await gc.heartbeat(
      { groupId: 'g', memberId: 'a', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: -1, sessionTimeoutMs: 30, subscribedTopicNames: ['t'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] },
      { connectionId: 'c', clientId: 'x', clientHost: 'h' },
    );
    expect(r.assignment).toEqual([{ topic: 't', partitions: [0] }]);
    // The real session timer (30 ms) expels the member: wait for that, not for a fixed time.
    await vi.waitFor(async () => {
      await gc.idle();
      expect(gc.hasMembers('g')).toBe(false);
    }, { timeout: 5000, interval: 10 });
    gc.close();
  });
});
