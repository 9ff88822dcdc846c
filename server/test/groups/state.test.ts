// The pure transitions of the group state machine: no mutation of the input, effects as data, clock injection.
import { describe, expect, it } from 'vitest';
import { ErrorCode, type ConsumerGroupHeartbeatRequest } from '@brook/protocol';
import {
  DEFAULT_GROUP_CONFIG,
  doubleHolders,
  groupState,
  newGroup,
  groupRecords,
  restore,
  transition,
  type Effect,
  type Env,
  type Group,
} from '../../src/groups/index.js';
import { WAITING_HEARTBEAT_INTERVAL_MS, WAITING_POLL_INTERVAL_MS } from '../../src/groups/transitions.js';

const env = (now: number, topics: Record<string, number> = { t: 4 }): Env => ({ now, topics: new Map(Object.entries(topics)), config: { ...DEFAULT_GROUP_CONFIG, minSessionTimeoutMs: 1000 } });

function req(memberId: string, memberEpoch: number, over: Partial<ConsumerGroupHeartbeatRequest> = {}): ConsumerGroupHeartbeatRequest {
  return {
    groupId: 'g',
    memberId,
    memberEpoch,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 5000,
    sessionTimeoutMs: 10_000,
    subscribedTopicNames: ['t'],
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: [],
    ...over,
  };
}

const ctx = (id: string) => ({ connectionId: `c-${id}`, clientId: id, clientHost: 'h' });
const hb = (g: Group, r: ConsumerGroupHeartbeatRequest, now = 0) => transition(g, { type: 'heartbeat', request: r, context: ctx(r.memberId) }, env(now));
const ofType = <T extends Effect['type']>(effects: Effect[], type: T) => effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);

describe('pure transitions', () => {
  it('never mutate the input group', () => {
    const g0 = newGroup('g');
    const r1 = hb(g0, req('a', 0));
    expect(g0.members.size).toBe(0);
    expect(g0.groupEpoch).toBe(0);
    const frozen = JSON.stringify(groupRecords(r1.group));
    const holders = [...r1.group.holders];
    const r2 = hb(r1.group, req('b', 0));
    hb(r2.group, req('a', 1, { topicPartitions: r1.response!.assignment }));
    expect(JSON.stringify(groupRecords(r1.group))).toBe(frozen);
    expect([...r1.group.holders]).toEqual(holders);
  });

  it('a member waiting for partitions another member holds is told to heartbeat sooner (sooner still without push), then the regular interval again', () => {
    const a = hb(newGroup('g'), req('a', 0));
    const b = hb(a.group, req('b', 0), 10);
    // b's target is half of t, all still held by a: it waits, and polls at the short interval
    // (its connection has no push, as on the Kafka door)
    expect(b.response).toMatchObject({ memberId: 'b', assignment: [], heartbeatIntervalMs: WAITING_POLL_INTERVAL_MS });
    // a member the broker can push to is told when the partitions are free: its poll is a fallback
    const pushed = transition(a.group, { type: 'heartbeat', request: req('b', 0), context: { ...ctx('b'), pushes: true } }, env(10));
    expect(pushed.response).toMatchObject({ memberId: 'b', assignment: [], heartbeatIntervalMs: WAITING_HEARTBEAT_INTERVAL_MS });
    expect(WAITING_POLL_INTERVAL_MS).toBeLessThan(WAITING_HEARTBEAT_INTERVAL_MS);
    const aRevokes = hb(b.group, req('a', 1, { topicPartitions: a.response!.assignment }), 20);
    const kept = aRevokes.response!.assignment!;
    expect(kept[0]!.partitions).toHaveLength(2);
    expect(aRevokes.response!.heartbeatIntervalMs).toBe(3000);
    const released = hb(aRevokes.group, req('a', 1, { topicPartitions: kept }), 30);
    const bGets = hb(released.group, req('b', b.response!.memberEpoch, { topicPartitions: [] }), 40);
    expect(bGets.response!.assignment![0]!.partitions).toHaveLength(2);
    expect(bGets.response!.heartbeatIntervalMs).toBe(3000);
  });

  it('a join schedules the session deadline, persists, logs, and bumps the epoch', () => {
    const r = hb(newGroup('g'), req('a', 0), 500);
    expect(r.response).toMatchObject({ errorCode: 0, memberId: 'a', memberEpoch: 1, heartbeatIntervalMs: 3000, assignment: [{ topic: 't', partitions: [0, 1, 2, 3] }] });
    expect(ofType(r.effects, 'schedule')).toEqual([{ type: 'schedule', kind: 'session', memberId: 'a', deadline: 10_500 }]);
    expect(ofType(r.effects, 'persist')).toHaveLength(1);
    expect(ofType(r.effects, 'log').map((e) => e.msg)).toEqual(['member joined', 'rebalance']);
    expect(r.group.groupEpoch).toBe(1);
    expect(groupState(r.group)).toBe('stable');
  });

  it('revocation: notify, rebalance deadline, cancel once done; then the waiting member is notified', () => {
    let g = hb(newGroup('g'), req('a', 0)).group;
    const rb = hb(g, req('b', 0), 100);
    g = rb.group;
    expect(ofType(rb.effects, 'notify')).toEqual([{ type: 'notify', memberId: 'a', connectionId: 'c-a' }]);
    expect(rb.response!.assignment).toEqual([]);
    expect(groupState(g)).toBe('reconciling');

    const ra = hb(g, req('a', 1, { topicPartitions: [{ topic: 't', partitions: [0, 1, 2, 3] }] }), 200);
    g = ra.group;
    expect(ra.response!.memberEpoch).toBe(1); // keeps its epoch while revoking
    expect(ra.response!.assignment).toEqual([{ topic: 't', partitions: [0, 1] }]);
    expect(ofType(ra.effects, 'schedule')).toContainEqual({ type: 'schedule', kind: 'rebalance', memberId: 'a', deadline: 5200 });
    expect(ofType(ra.effects, 'notify')).toEqual([]); // b gets nothing yet
    expect(doubleHolders(g)).toEqual([]);

    const ra2 = hb(g, req('a', 1, { topicPartitions: [{ topic: 't', partitions: [0, 1] }] }), 300);
    g = ra2.group;
    expect(ra2.response!.memberEpoch).toBe(2);
    expect(ra2.response!.assignment).toBeNull(); // unchanged since the last response
    expect(ofType(ra2.effects, 'cancel')).toContainEqual({ type: 'cancel', kind: 'rebalance', memberId: 'a' });
    expect(ofType(ra2.effects, 'notify')).toEqual([{ type: 'notify', memberId: 'b', connectionId: 'c-b' }]);

    const rb2 = hb(g, req('b', 2), 400);
    expect(rb2.response!.assignment).toEqual([{ topic: 't', partitions: [2, 3] }]);
    expect(groupState(rb2.group)).toBe('stable');
  });

  it('timeouts: stale deadlines are ignored, due ones expel', () => {
    let g = hb(newGroup('g'), req('a', 0), 0).group;
    g = hb(g, req('b', 0), 0).group;
    g = hb(g, req('a', 1, { topicPartitions: [{ topic: 't', partitions: [0, 1, 2, 3] }] }), 5000).group; // a's deadline moves to 15000
    const stale = transition(g, { type: 'sessionTimeout', memberId: 'a', deadline: 10_000 }, env(10_000));
    expect(stale.group).toBe(g);
    expect(stale.effects).toEqual([]);
    const due = transition(g, { type: 'sessionTimeout', memberId: 'b', deadline: 10_000 }, env(10_000));
    expect([...due.group.members.keys()]).toEqual(['a']);
    expect(ofType(due.effects, 'cancel').map((e) => e.kind).sort()).toEqual(['rebalance', 'session']);
    expect(ofType(due.effects, 'log').map((e) => [e.level, e.msg])).toContainEqual(['warn', 'member expelled']);
    expect(due.group.groupEpoch).toBe(g.groupEpoch + 1);

    // a is revoking (deadline 5000 + 5000); the rebalance timeout expels it.
    const early = transition(g, { type: 'rebalanceTimeout', memberId: 'a', deadline: 9000 }, env(9000));
    expect(early.effects).toEqual([]);
    const late = transition(g, { type: 'rebalanceTimeout', memberId: 'a', deadline: 10_000 }, env(10_000));
    expect([...late.group.members.keys()]).toEqual(['b']);
  });

  it('errors leave the group untouched and carry no effects', () => {
    const g = hb(newGroup('g'), req('a', 0)).group;
    for (const [r, code] of [
      [req('a', 9), ErrorCode.FENCED_MEMBER_EPOCH],
      [req('x', 3), ErrorCode.UNKNOWN_MEMBER_ID],
      [req('x', 0, { sessionTimeoutMs: 10 }), ErrorCode.INVALID_SESSION_TIMEOUT],
      [req('x', 0, { serverAssignor: 'cooperative-sticky' }), ErrorCode.UNSUPPORTED_ASSIGNOR],
      [req('', 0), ErrorCode.INVALID_REQUEST],
      [req('x', -3), ErrorCode.INVALID_REQUEST],
    ] as const) {
      const out = hb(g, r);
      expect(out.response!.errorCode).toBe(code);
      expect(out.group).toBe(g);
      expect(out.effects).toEqual([]);
    }
  });

  it('connectionClosed only forgets the connection', () => {
    const g = hb(newGroup('g'), req('a', 0)).group;
    const r = transition(g, { type: 'connectionClosed', connectionId: 'c-a' }, env(1));
    expect(r.group.members.get('a')!.connectionId).toBeNull();
    expect(ofType(r.effects, 'persist')).toEqual([]);
    expect(transition(g, { type: 'connectionClosed', connectionId: 'other' }, env(1)).group).toBe(g);
  });

  it('a static leave keeps the slot, pushes its session deadline and does not bump', () => {
    const g = hb(newGroup('g'), req('a', 0, { instanceId: 'i' })).group;
    const r = hb(g, req('a', -2, { instanceId: 'i', topicPartitions: null }), 2000);
    expect(r.response).toMatchObject({ errorCode: 0, memberEpoch: -2 });
    expect(r.group.groupEpoch).toBe(g.groupEpoch);
    expect(r.group.members.get('a')!.leftStatic).toBe(true);
    expect(ofType(r.effects, 'schedule')).toEqual([{ type: 'schedule', kind: 'session', memberId: 'a', deadline: 12_000 }]);
  });

  it('restore gives a fresh session deadline and no connection', () => {
    const g = hb(newGroup('g'), req('a', 0)).group;
    const { group, effects, upgraded } = restore('g', JSON.parse(JSON.stringify(groupRecords(g))), 50_000)!;
    expect(upgraded).toBe(false);
    expect(group.members.get('a')).toMatchObject({ connectionId: null, sessionDeadline: 60_000, memberEpoch: 1 });
    expect(effects).toEqual([{ type: 'schedule', kind: 'session', memberId: 'a', deadline: 60_000 }]);
    expect(groupRecords(group)).toEqual(groupRecords(g));
    expect([...group.holders]).toEqual([...g.holders]);
  });

  it("keeps a member's principal, and resolves its regex through env.regexTopics with it", () => {
    const asked: Array<[string, string | null]> = [];
    const e: Env = { ...env(0, { t: 2, secret: 1 }), regexTopics: (re, principal) => (asked.push([re, principal]), ['t']) };
    const r = transition(newGroup('g'), { type: 'heartbeat', request: req('a', 0, { subscribedTopicNames: null, subscribedTopicRegex: '.*' }), context: { ...ctx('a'), principal: 'billing' } }, e);
    expect(r.response!.assignment).toEqual([{ topic: 't', partitions: [0, 1] }]);
    expect(asked[0]).toEqual(['.*', 'billing']);
    const records = JSON.parse(JSON.stringify(groupRecords(r.group))) as ReturnType<typeof groupRecords>;
    expect(records.find((rec) => rec.kind === 'member')!.value).toMatchObject({ principal: 'billing' });
    const restored = restore('g', records, 0)!.group;
    expect(restored.members.get('a')!.principal).toBe('billing');
  });
});
