// The group state machine with a fake clock: joins, revoke-before-assign, leaves, crashes,
// static members, epochs and commit fencing. After every step: no partition has two holders.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pino } from 'pino';
import { ErrorCode, type ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatResponse, type TopicPartitions } from '@brook/protocol';
import { GroupCoordinator, type PersistedGroup } from '../../src/groups/coordinator.js';

interface Harness {
  gc: GroupCoordinator;
  clock: { now: number };
  topics: Map<string, number>;
  notified: string[];
  persisted: Map<string, PersistedGroup | null>;
}

function harness(topics: Record<string, number> = { t: 6 }): Harness {
  const clock = { now: 1_000_000 };
  const h: Harness = {
    clock,
    topics: new Map(Object.entries(topics)),
    notified: [],
    persisted: new Map(),
    gc: undefined as never,
  };
  h.gc = new GroupCoordinator({
    topics: () => h.topics,
    notify: (_c, p) => h.notified.push(p.memberId),
    persist: async (g, s) => void h.persisted.set(g, s),
    logger: pino({ level: 'silent' }),
    sweepIntervalMs: 0,
    now: () => clock.now,
  });
  return h;
}

/** A simulated member that reports exactly what it was told it owns. */
class Sim {
  epoch = 0;
  owned: TopicPartitions[] = [];
  constructor(
    readonly h: Harness,
    readonly id: string,
    readonly opts: { instanceId?: string; topics?: string[]; conn?: string; sessionTimeoutMs?: number } = {},
  ) {}
  get conn() {
    return this.opts.conn ?? `conn-${this.id}`;
  }
  async beat(over: Partial<ConsumerGroupHeartbeatRequest> = {}): Promise<ConsumerGroupHeartbeatResponse> {
    const r = await this.h.gc.heartbeat(
      {
        groupId: 'g',
        memberId: this.id,
        memberEpoch: this.epoch,
        instanceId: this.opts.instanceId ?? null,
        rackId: null,
        rebalanceTimeoutMs: 10_000,
        sessionTimeoutMs: this.opts.sessionTimeoutMs ?? 10_000,
        subscribedTopicNames: this.opts.topics ?? ['t'],
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: this.owned,
        ...over,
      },
      { connectionId: this.conn, clientId: this.id, clientHost: '127.0.0.1' },
    );
    if (r.errorCode === 0) {
      this.epoch = r.memberEpoch;
      if (r.assignment) this.owned = r.assignment;
    }
    assertSingleOwners(this.h);
    return r;
  }
  count() {
    return this.owned.reduce((s, tp) => s + tp.partitions.length, 0);
  }
}

function assertSingleOwners(h: Harness) {
  expect(h.gc.doubleOwners('g')).toEqual([]);
}

async function settle(sims: Sim[], rounds = 10) {
  for (let i = 0; i < rounds; i++) for (const s of sims) await s.beat();
}

describe('group coordinator', () => {
  it('first member gets everything; a second joins and gets half only after the first revokes', async () => {
    const h = harness();
    const a = new Sim(h, 'a');
    await a.beat();
    expect(a.count()).toBe(6);
    const b = new Sim(h, 'b');
    await b.beat();
    expect(b.count()).toBe(0); // its partitions are still held by a
    expect(h.notified).toContain('a'); // a is told to heartbeat now
    await a.beat(); // a learns it must give up 3 partitions
    expect(a.count()).toBe(3);
    expect(h.gc.describe('g').members.find((m) => m.memberId === 'a')!.state).toBe('unrevoked_partitions');
    h.notified.length = 0;
    await a.beat(); // a reports it no longer owns them
    expect(h.notified).toContain('b'); // b is pushed: its partitions are free
    await b.beat();
    expect(b.count()).toBe(3);
    expect(h.gc.describe('g').state).toBe('stable');
  });

  it('3 members on 6 partitions get 2 each; 7 members leave one idle', async () => {
    const h = harness();
    const sims = Array.from({ length: 7 }, (_, i) => new Sim(h, `m${i}`));
    await settle(sims.slice(0, 3));
    expect(sims.slice(0, 3).map((s) => s.count())).toEqual([2, 2, 2]);
    await settle(sims);
    const counts = sims.map((s) => s.count()).sort();
    expect(counts).toEqual([0, 1, 1, 1, 1, 1, 1]);
    const d = h.gc.describe('g');
    expect(d.state).toBe('stable');
    expect(d.members.filter((m) => m.assignment.length === 0)).toHaveLength(1);
  });

  it('leave frees partitions at once and bumps the epoch', async () => {
    const h = harness();
    const [a, b] = [new Sim(h, 'a'), new Sim(h, 'b')];
    await settle([a, b]);
    const epoch = h.gc.describe('g').groupEpoch;
    await a.beat({ memberEpoch: -1 });
    expect(h.gc.describe('g').groupEpoch).toBe(epoch + 1);
    await b.beat();
    expect(b.count()).toBe(6);
  });

  it('a crashed member is expelled after its session timeout and its partitions move', async () => {
    const h = harness();
    const [a, b] = [new Sim(h, 'a'), new Sim(h, 'b')];
    await settle([a, b]);
    h.clock.now += 5000;
    await b.beat();
    h.gc.tick(h.clock.now);
    expect(h.gc.describe('g').members).toHaveLength(2);
    h.clock.now += 6000; // a: 11 s without a heartbeat > 10 s session
    h.gc.tick(h.clock.now);
    expect(h.gc.describe('g').members.map((m) => m.memberId)).toEqual(['b']);
    await b.beat();
    expect(b.count()).toBe(6);
    expect((await a.beat()).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a member that does not revoke within the rebalance timeout is expelled', async () => {
    const h = harness();
    const a = new Sim(h, 'a');
    await a.beat();
    const b = new Sim(h, 'b');
    await b.beat();
    await a.beat({ topicPartitions: a.owned }); // told to revoke...
    // ...but keeps reporting all six (a stuck revoke callback), heartbeating all the while.
    const all = [{ topic: 't', partitions: [0, 1, 2, 3, 4, 5] }];
    for (let i = 0; i < 4; i++) {
      h.clock.now += 3000;
      await a.beat({ topicPartitions: all });
      await b.beat();
      h.gc.tick(h.clock.now);
    }
    expect(h.gc.describe('g').members.map((m) => m.memberId)).toEqual(['b']);
    await b.beat();
    expect(b.count()).toBe(6);
  });

  it('a stale epoch is fenced; the member rejoins with epoch 0 and owns nothing until reassigned', async () => {
    const h = harness();
    const a = new Sim(h, 'a');
    await a.beat();
    const r = await a.beat({ memberEpoch: a.epoch + 5 });
    expect(r.errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    a.epoch = 0;
    a.owned = [];
    await a.beat();
    expect(a.count()).toBe(6);
  });

  it('static member: leaving with -2 keeps its partitions; rejoining gets exactly them; nobody else moves', async () => {
    const h = harness();
    const s = new Sim(h, 's1', { instanceId: 'pod-0' });
    const o = new Sim(h, 'o');
    await settle([s, o]);
    const mine = JSON.stringify(s.owned);
    const others = JSON.stringify(o.owned);
    await s.beat({ memberEpoch: -2 });
    await o.beat();
    expect(JSON.stringify(o.owned)).toBe(others);
    const s2 = new Sim(h, 's2', { instanceId: 'pod-0' });
    await s2.beat();
    expect(JSON.stringify(s2.owned)).toBe(mine);
    await o.beat();
    expect(JSON.stringify(o.owned)).toBe(others);
  });

  it('static newcomer is refused while the holder is connected, and takes over once its connection closes', async () => {
    const h = harness();
    const s = new Sim(h, 's1', { instanceId: 'pod-0' });
    const o = new Sim(h, 'o');
    await settle([s, o]);
    const mine = JSON.stringify(s.owned);
    const s2 = new Sim(h, 's2', { instanceId: 'pod-0' });
    expect((await s2.beat()).errorCode).toBe(ErrorCode.UNRELEASED_INSTANCE_ID);
    h.gc.connectionClosed(s.conn); // the old pod crashed: its socket is gone
    const epoch = h.gc.describe('g').groupEpoch;
    await s2.beat();
    expect(JSON.stringify(s2.owned)).toBe(mine);
    expect(h.gc.describe('g').groupEpoch).toBe(epoch);
    expect(h.gc.describe('g').members.map((m) => m.memberId).sort()).toEqual(['o', 's2']);
  });

  it('more partitions on a subscribed topic trigger a new target', async () => {
    const h = harness({ t: 2 });
    const [a, b] = [new Sim(h, 'a'), new Sim(h, 'b')];
    await settle([a, b]);
    h.topics.set('t', 6);
    h.gc.topicsChanged();
    await settle([a, b]);
    expect([a.count(), b.count()]).toEqual([3, 3]);
  });

  it('fences offset commits by member, epoch and ownership', async () => {
    const h = harness();
    const [a, b] = [new Sim(h, 'a'), new Sim(h, 'b')];
    await settle([a, b]);
    const aPart = a.owned[0]!.partitions[0]!;
    const bPart = b.owned[0]!.partitions[0]!;
    expect(h.gc.validateOffsetCommit('g', 'a', a.epoch, 't', aPart)).toBe(0);
    expect(h.gc.validateOffsetCommit('g', 'a', a.epoch, 't', bPart)).toBe(ErrorCode.NOT_PARTITION_OWNER);
    expect(h.gc.validateOffsetCommit('g', 'a', a.epoch + 7, 't', aPart)).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect(h.gc.validateOffsetCommit('g', 'zombie', 1, 't', aPart)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.gc.validateOffsetCommit('g', null, -1, 't', aPart)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.gc.validateOffsetCommit('other', null, -1, 't', 0)).toBe(0);
  });

  it('restores members, epochs and assignments from a snapshot', async () => {
    const h = harness();
    const [a, b] = [new Sim(h, 'a'), new Sim(h, 'b')];
    await settle([a, b]);
    const snap = h.persisted.get('g')!;
    const h2 = harness();
    h2.gc.load([JSON.parse(JSON.stringify(snap)) as PersistedGroup]);
    const a2 = Object.assign(new Sim(h2, 'a'), { epoch: a.epoch, owned: a.owned });
    const r = await a2.beat();
    expect(r.errorCode).toBe(0);
    expect(a2.owned).toEqual(a.owned);
    expect(h2.gc.describe('g').members).toHaveLength(2);
  });

  it('property: random joins, leaves, crashes and heartbeats never give a partition two holders', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('beat' as const), who: fc.nat(5) }),
      fc.record({ kind: fc.constant('leave' as const), who: fc.nat(5) }),
      fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 100, max: 12_000 }) }),
      fc.record({ kind: fc.constant('lie' as const), who: fc.nat(5) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60 }), async (ops) => {
        const h = harness({ t: 5, u: 3 });
        const sims = Array.from({ length: 6 }, (_, i) => new Sim(h, `m${i}`, { topics: i % 2 ? ['t', 'u'] : ['t'], instanceId: i === 0 ? 'static' : undefined }));
        for (const o of ops) {
          if (o.kind === 'time') {
            h.clock.now += o.ms;
            h.gc.tick(h.clock.now);
          } else {
            const s = sims[o.who]!;
            if (o.kind === 'leave') {
              await s.beat({ memberEpoch: -1 });
              s.epoch = 0;
              s.owned = [];
            } else if (o.kind === 'lie') {
              await s.beat({ topicPartitions: [{ topic: 't', partitions: [0, 1, 2, 3, 4] }] }); // claims more than it has
            } else {
              const r = await s.beat();
              if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || r.errorCode === ErrorCode.FENCED_MEMBER_EPOCH) {
                s.epoch = 0;
                s.owned = [];
              }
            }
          }
          assertSingleOwners(h);
        }
      }),
      { numRuns: 150, seed: 31 },
    );
  });
});
