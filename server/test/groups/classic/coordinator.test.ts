// The classic coordinator shell with a fake clock: delayed JoinGroup/SyncGroup answers, timers,
// persistence and restore, and the shared group-id namespace with the KIP-848 coordinator.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ErrorCode } from '@brook/protocol';
import { ClassicGroupCoordinator, type PersistedClassicGroup } from '../../../src/groups/classic/index.js';
import { FakeClock, harness } from '../harness.js';
import { bytes, joinRequest, text } from './pure.js';

function classic(clock = new FakeClock(), opts: { consumerGroups?: ReturnType<typeof harness>['gc'] } = {}) {
  const persisted = new Map<string, PersistedClassicGroup | null>();
  let uuid = 0;
  const cc = new ClassicGroupCoordinator({
    persist: async (g, s) => void persisted.set(g, s === null ? null : (JSON.parse(JSON.stringify(s)) as PersistedClassicGroup)),
    logger: pino({ level: 'silent' }),
    minSessionTimeoutMs: 100,
    initialRebalanceDelayMs: 100,
    now: () => clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    randomUUID: () => `u${++uuid}`,
    ...(opts.consumerGroups ? { consumerGroups: opts.consumerGroups } : {}),
  });
  const advance = async (ms: number) => clock.advance(ms, cc as never);
  return { cc, clock, persisted, advance };
}

const ctx = { clientId: 'c', clientHost: '/10.0.0.1' };
let settled = 0;
const track = <T>(p: Promise<T>) => {
  const box: { value?: T } = {};
  void p.then((v) => {
    box.value = v;
    settled++;
  });
  return box;
};

async function joinedMember(cc: ClassicGroupCoordinator, clientId: string) {
  const first = await cc.joinGroup(joinRequest(), { ...ctx, clientId });
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  const join = track(cc.joinGroup(joinRequest({ memberId: first.memberId }), { ...ctx, clientId }));
  await cc.idle(); // parked, its timers armed
  return { memberId: first.memberId, join };
}

describe('classic coordinator', () => {
  it('answers JoinGroup only when the join phase completes, and SyncGroup when the leader assigns', async () => {
    const { cc, advance, persisted } = classic();
    const a = await joinedMember(cc, 'a');
    const b = await joinedMember(cc, 'b');
    await cc.idle();
    expect(a.join.value).toBeUndefined();
    await advance(199); // the initial delay, extended once for b
    expect(a.join.value).toBeUndefined();
    await advance(1);
    expect(a.join.value).toMatchObject({ errorCode: 0, generationId: 1, leader: a.memberId });
    expect(b.join.value!.members).toEqual([]);

    const followerSync = track(cc.syncGroup({ groupId: 'g', generationId: 1, memberId: b.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] }));
    await cc.idle();
    expect(followerSync.value).toBeUndefined();
    const leaderSync = await cc.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: a.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [
        { memberId: a.memberId, assignment: bytes('A') },
        { memberId: b.memberId, assignment: bytes('B') },
      ],
    });
    expect(text(leaderSync.assignment)).toBe('A');
    await cc.idle();
    expect(text(followerSync.value!.assignment)).toBe('B');
    expect(cc.describe('g')!.state).toBe('Stable');
    // The snapshot was written before the answers went out.
    expect(persisted.get('g')!.members.map((m) => Buffer.from(m.assignment, 'base64').toString()).sort()).toEqual(['A', 'B']);
    expect(await cc.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId, groupInstanceId: null })).toEqual({ errorCode: 0 });
  });

  it('session timers expel silent members; a rebalance waits for them no longer', async () => {
    const { cc, advance } = classic();
    const a = await joinedMember(cc, 'a');
    await advance(100);
    await cc.syncGroup({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    const b = await joinedMember(cc, 'b'); // a new member: rebalance, a must rejoin
    await cc.idle();
    expect(await cc.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null })).toEqual({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS });
    await advance(1000); // a never rejoins nor heartbeats: its session ends, and b alone completes the join
    expect(b.join.value).toMatchObject({ errorCode: 0, generationId: 2, leader: b.memberId });
    expect(cc.describe('g')!.members.map((m) => m.memberId)).toEqual([b.memberId]);
    await advance(1000); // b never syncs nor heartbeats: gone too
    expect(cc.hasMembers('g')).toBe(false);
  });

  it('persists Stable groups and restores them; restored members must heartbeat within their session', async () => {
    const first = classic();
    const a = await joinedMember(first.cc, 'a');
    await first.advance(100);
    await first.cc.syncGroup({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId: a.memberId, assignment: bytes('A') }] });
    first.cc.close();

    const second = classic();
    second.cc.load([...first.persisted.values()]);
    const d = second.cc.describe('g')!;
    expect(d).toMatchObject({ state: 'Stable', groupEpoch: 1, assignor: 'range', protocolType: 'consumer' });
    expect(await second.cc.syncGroup({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })).toMatchObject({ errorCode: 0 });
    await second.advance(1001); // no heartbeat after the restart: expelled, and the group empties
    expect(second.cc.describe('g')!.state).toBe('Empty');
    expect(second.persisted.get('g')!.members).toEqual([]);
    expect(second.persisted.get('g')!.generationId).toBe(2);
  });

  it('close answers parked requests', async () => {
    const { cc } = classic();
    const a = await joinedMember(cc, 'a');
    await cc.idle();
    cc.close();
    await Promise.resolve();
    expect(a.join.value).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE });
  });

  it('deletes only Empty groups, with a tombstone', async () => {
    const { cc, persisted, advance } = classic();
    const a = await joinedMember(cc, 'a');
    await advance(100);
    expect(cc.deleteGroup('g')).toBe(ErrorCode.NON_EMPTY_GROUP);
    await cc.leaveGroup({ groupId: 'g', members: [{ memberId: a.memberId, groupInstanceId: null, reason: null }] });
    expect(cc.deleteGroup('g')).toBe(0);
    await cc.idle();
    expect(persisted.get('g')).toBeNull();
    expect(cc.deleteGroup('g')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });
});

describe('one group-id namespace with KIP-848 groups', () => {
  const hb = (memberId: string, memberEpoch = 0) => ({
    groupId: 'g',
    memberId,
    memberEpoch,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 60_000,
    sessionTimeoutMs: 45_000,
    subscribedTopicNames: ['t'],
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: [],
  });
  const hctx = { connectionId: 'conn', clientId: 'x', clientHost: 'h' };

  function both() {
    const h = harness();
    const c = classic(h.clock, { consumerGroups: h.gc });
    // As broker.ts wires them: each asks the other before creating a group.
    (h.gc as unknown as { deps: { claimGroupId: (g: string, j: boolean) => unknown } }).deps.claimGroupId = (g, j) => c.cc.claimForConsumerGroup(g, j);
    return { h, ...c };
  }

  it('a classic join to a consumer group with members is INCONSISTENT_GROUP_PROTOCOL; an empty one is replaced', async () => {
    const { h, cc } = both();
    await h.gc.heartbeat(hb('m1'), hctx);
    expect((await cc.joinGroup(joinRequest(), ctx)).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(cc.has('g')).toBe(false);
    await h.gc.heartbeat(hb('m1', -1), hctx); // leaves: the consumer group is empty
    expect((await cc.joinGroup(joinRequest(), ctx)).errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(h.gc.has('g')).toBe(false);
    expect(cc.has('g')).toBe(true);
  });

  it('a ConsumerGroupHeartbeat to a classic group with members is GROUP_ID_NOT_FOUND; an empty one is replaced on join', async () => {
    const { h, cc, advance } = both();
    const a = await joinedMember(cc, 'a');
    await advance(100);
    const r = await h.gc.heartbeat(hb('m1'), hctx);
    expect(r.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(h.gc.has('g')).toBe(false);
    await cc.leaveGroup({ groupId: 'g', members: [{ memberId: a.memberId, groupInstanceId: null, reason: null }] });
    expect(cc.describe('g')!.state).toBe('Empty');
    expect((await h.gc.heartbeat(hb('m1', 5), hctx)).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND); // not a join
    expect((await h.gc.heartbeat(hb('m1'), hctx)).errorCode).toBe(0);
    expect(cc.has('g')).toBe(false);
    expect(h.gc.has('g')).toBe(true);
  });
});
