// The pure classic state machine, transition by transition: KIP-394 member ids, the initial delay,
// leader election and protocol selection, SyncGroup, Heartbeat, LeaveGroup, timeouts, static
// membership, the group size limit and offset-commit fencing by generation.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@brook/protocol';
import { validateClassicOffsetCommit } from '../../../src/groups/classic/index.js';
import type { JoinGroupRequest } from '../../../src/groups/classic/index.js';
import { bytes, Machine, text, TEST_CONFIG } from './pure.js';

/** Members joining together extend the initial delay once (Kafka's newMemberAdded): two delays. */
const settle = (m: Machine) => m.advance(2 * TEST_CONFIG.initialRebalanceDelayMs);

/** Two dynamic members a and b, Stable at generation 1 with assignments "A" and "B". */
function stableTwo(m = new Machine(), over: Partial<JoinGroupRequest> = {}) {
  const a = m.joinDynamic(over, 'a');
  const b = m.joinDynamic(over, 'b');
  settle(m);
  const leader = m.group!.leaderId!;
  const ids = [a.memberId, b.memberId];
  const syncA = m.sync(a.memberId, 1, leader === a.memberId ? [[a.memberId, 'A'], [b.memberId, 'B']] : []);
  const syncB = m.sync(b.memberId, 1, leader === b.memberId ? [[a.memberId, 'A'], [b.memberId, 'B']] : []);
  return { m, a: a.memberId, b: b.memberId, ids, syncA, syncB, joinA: a.request, joinB: b.request };
}

describe('classic group: joining (KIP-394) and the first rebalance', () => {
  it('a join without member id gets MEMBER_ID_REQUIRED and an id, then is parked until the initial delay ends', () => {
    const m = new Machine();
    const first = m.joins.get(m.join({}, 'client-1'))!;
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toBe('client-1-u1');
    expect(m.state).toBe('Empty');
    expect(m.group!.pendingJoinMembers.has('client-1-u1')).toBe(true);

    const parked = m.join({ memberId: 'client-1-u1' }, 'client-1');
    expect(m.joins.has(parked)).toBe(false);
    expect(m.state).toBe('PreparingRebalance');
    m.advance(TEST_CONFIG.initialRebalanceDelayMs - 1);
    expect(m.joins.has(parked)).toBe(false);
    m.advance(1);
    const r = m.joins.get(parked)!;
    expect(r).toMatchObject({ errorCode: 0, generationId: 1, memberId: 'client-1-u1', leader: 'client-1-u1', protocolType: 'consumer', protocolName: 'range' });
    expect(r.members.map((x) => [x.memberId, text(x.metadata)])).toEqual([['client-1-u1', 'm']]);
    expect(m.state).toBe('CompletingRebalance');
  });

  it('old clients (v0-3) join at once with a generated id; a join naming an unknown group is UNKNOWN_MEMBER_ID', () => {
    const m = new Machine();
    const id = m.join({ requireKnownMemberId: false }, 'old');
    expect(m.joins.has(id)).toBe(false);
    expect(m.group!.members.has('old-u1')).toBe(true);
    const fresh = new Machine();
    expect(fresh.joins.get(fresh.join({ memberId: 'who' }))!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(fresh.group).toBeNull();
  });

  it('refuses session timeouts outside the configured range', () => {
    const m = new Machine();
    expect(m.joins.get(m.join({ sessionTimeoutMs: 50 }))!.errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(m.group).toBeNull();
  });

  it('the initial delay is extended while new members keep arriving, up to the rebalance timeout', () => {
    const m = new Machine();
    const a = m.joinDynamic({ rebalanceTimeoutMs: 120 });
    m.advance(40);
    m.joinDynamic({ rebalanceTimeoutMs: 120 }); // during the delay: one more round
    m.advance(10); // first delay ends at 50: extended
    expect(m.state).toBe('PreparingRebalance');
    m.advance(49);
    expect(m.state).toBe('PreparingRebalance');
    m.advance(1);
    expect(m.joins.get(a.request)!.generationId).toBe(1);
    expect(m.group!.members.size).toBe(2);
  });

  it('the leader gets every member; followers get none; SyncGroup hands each member its bytes', () => {
    const { m, a, b, syncA, syncB, joinA, joinB } = stableTwo();
    const leader = m.group!.leaderId!;
    expect(leader).toBe(a); // the first member to join
    expect(m.joins.get(joinA)!.members.map((x) => x.memberId).sort()).toEqual([a, b].sort());
    expect(m.joins.get(joinB)!.members).toEqual([]);
    expect(m.joins.get(joinB)!.leader).toBe(a);
    expect(m.state).toBe('Stable');
    expect(text(m.syncs.get(syncA)!.assignment)).toBe('A');
    expect(text(m.syncs.get(syncB)!.assignment)).toBe('B');
    expect(m.syncs.get(syncB)!).toMatchObject({ errorCode: 0, protocolType: 'consumer', protocolName: 'range' });
    expect(m.persists).toBeGreaterThan(0);
  });

  it('followers that sync first wait for the leader', () => {
    const m = new Machine();
    const a = m.joinDynamic({}, 'a');
    const b = m.joinDynamic({}, 'b');
    settle(m);
    const waiting = m.sync(b.memberId, 1);
    expect(m.syncs.has(waiting)).toBe(false);
    expect(m.heartbeat(b.memberId, 1)).toBe(0); // heartbeats between join and sync are fine
    m.sync(a.memberId, 1, [[b.memberId, 'for-b']]);
    expect(text(m.syncs.get(waiting)!.assignment)).toBe('for-b');
    expect(m.group!.members.get(a.memberId)!.assignment.length).toBe(0); // the leader left itself out: empty bytes
  });
});

describe('classic group: SyncGroup and Heartbeat errors', () => {
  it('SyncGroup checks member, generation and protocol', () => {
    const { m, a } = stableTwo();
    expect(m.syncs.get(m.sync('nobody', 1))!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(m.syncs.get(m.sync(a, 0))!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(m.syncs.get(m.sync(a, 1, [], { protocolType: 'connect' }))!.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(m.syncs.get(m.sync(a, 1, [], { protocolName: 'roundrobin' }))!.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(text(m.syncs.get(m.sync(a, 1, [], { protocolType: 'consumer', protocolName: 'range' }))!.assignment)).toBe('A');
  });

  it('Heartbeat: ok when Stable, REBALANCE_IN_PROGRESS while preparing, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID', () => {
    const { m, a, b } = stableTwo();
    expect(m.heartbeat(a, 1)).toBe(0);
    expect(m.heartbeat(a, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(m.heartbeat('nobody', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    m.joinDynamic({}, 'c'); // a third member: rebalance
    expect(m.state).toBe('PreparingRebalance');
    expect(m.heartbeat(b, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(m.syncs.get(m.sync(b, 1))!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('a rebalance during CompletingRebalance tells parked syncs to rejoin', () => {
    const m = new Machine();
    const a = m.joinDynamic({}, 'a');
    const b = m.joinDynamic({}, 'b');
    settle(m);
    const parked = m.sync(b.memberId, 1);
    m.joinDynamic({}, 'c');
    expect(m.syncs.get(parked)!.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(m.state).toBe('PreparingRebalance');
    void a;
  });
});

describe('classic group: protocols', () => {
  it('selects the most voted protocol among those every member supports', () => {
    const m = new Machine();
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: bytes(name) }));
    const a = m.joinDynamic({ protocols: p('range', 'roundrobin') });
    m.joinDynamic({ protocols: p('roundrobin', 'range', 'sticky') });
    m.joinDynamic({ protocols: p('roundrobin', 'range') });
    settle(m);
    const r = m.joins.get(a.request)!;
    expect(r.protocolName).toBe('roundrobin');
    expect(r.members.map((x) => text(x.metadata))).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
  });

  it('refuses a member with no protocol in common, or of another protocol type, with INCONSISTENT_GROUP_PROTOCOL', () => {
    const { m } = stableTwo();
    expect(m.joins.get(m.join({ protocols: [{ name: 'sticky', metadata: bytes('') }] }))!.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(m.joins.get(m.join({ protocolType: 'connect' }))!.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(m.state).toBe('Stable');
    const empty = new Machine();
    expect(empty.joins.get(empty.join({ protocols: [] }))!.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('any protocol type works (Kafka Connect, Schema Registry)', () => {
    const m = new Machine();
    const w = m.joinDynamic({ protocolType: 'connect', protocols: [{ name: 'sessioned', metadata: bytes('worker') }] });
    m.advance(50);
    expect(m.joins.get(w.request)).toMatchObject({ errorCode: 0, protocolType: 'connect', protocolName: 'sessioned' });
  });
});

describe('classic group: timeouts', () => {
  it('a member that does not rejoin within the rebalance timeout is removed; the others go on', () => {
    const { m, a, b } = stableTwo();
    m.heartbeat(b, 1);
    const again = m.join({ memberId: a }); // the leader rejoins: rebalance
    expect(m.state).toBe('PreparingRebalance');
    m.advance(999); // b heartbeats in time but never rejoins
    expect(m.heartbeat(b, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    m.advance(1001);
    expect(m.joins.get(again)).toMatchObject({ errorCode: 0, generationId: 2, leader: a });
    expect([...m.group!.members.keys()]).toEqual([a]);
    expect(m.heartbeat(b, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('a member without heartbeats for its session timeout is removed and the group rebalances', () => {
    const { m, a, b } = stableTwo();
    m.advance(600);
    m.heartbeat(a, 1);
    m.advance(400); // b's session (1000 ms) ends
    expect(m.group!.members.has(b)).toBe(false);
    expect(m.state).toBe('PreparingRebalance');
    expect(m.heartbeat(a, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('a parked member is not expired by its session; a new member is, after the join timeout', () => {
    const m = new Machine({ ...TEST_CONFIG, initialRebalanceDelayMs: 10_000 });
    const a = m.joinDynamic({ rebalanceTimeoutMs: 60_000 });
    m.advance(TEST_CONFIG.newMemberJoinTimeoutMs);
    expect(m.joins.get(a.request)!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(m.group!.members.size).toBe(0);
  });

  it('a pending member id that never comes back expires after the session timeout', () => {
    const m = new Machine();
    m.join();
    m.advance(1000);
    expect(m.group!.pendingJoinMembers.size).toBe(0);
  });

  it('members that do not sync within the rebalance timeout are removed', () => {
    const m = new Machine();
    const a = m.joinDynamic({ sessionTimeoutMs: 5000 }, 'a');
    const b = m.joinDynamic({ sessionTimeoutMs: 5000 }, 'b');
    settle(m);
    m.sync(a.memberId, 1, [[a.memberId, 'A'], [b.memberId, 'B']]); // b never syncs
    m.advance(2000);
    expect(m.group!.members.has(b.memberId)).toBe(false);
    expect(m.state).toBe('PreparingRebalance');
  });

  it('the last member leaving empties the group and bumps the generation', () => {
    const { m, a, b } = stableTwo();
    const r = m.leave({ memberId: a }, { memberId: b }, { memberId: 'ghost' });
    expect(r.members.map((x) => x.errorCode)).toEqual([0, 0, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(m.state).toBe('Empty');
    expect(m.group!.generationId).toBe(2);
    expect(m.group!.leaderId).toBeNull();
  });
});

describe('classic group: static membership (KIP-345)', () => {
  function staticPair() {
    const m = new Machine();
    const a = m.join({ groupInstanceId: 'ia', sessionTimeoutMs: 5000 }, 'a');
    const b = m.join({ groupInstanceId: 'ib', sessionTimeoutMs: 5000 }, 'b');
    settle(m);
    const [ida, idb] = [m.joins.get(a)!.memberId, m.joins.get(b)!.memberId];
    expect(ida).toBe('ia-u1'); // no MEMBER_ID_REQUIRED for static members
    m.sync(ida, 1, [[ida, 'A'], [idb, 'B']]);
    m.sync(idb, 1);
    return { m, ida, idb };
  }

  it('a restarted instance takes its slot under a new id without a rebalance; the old id is fenced', () => {
    const { m, ida, idb } = staticPair();
    const persists = m.persists;
    const r = m.joins.get(m.join({ groupInstanceId: 'ib' }, 'b2'))!;
    expect(r).toMatchObject({ errorCode: 0, generationId: 1, skipAssignment: false, members: [] });
    const newId = r.memberId;
    expect(newId).not.toBe(idb);
    expect(m.state).toBe('Stable');
    expect(m.persists).toBe(persists + 1);
    expect(text(m.syncs.get(m.sync(newId, 1, [], { groupInstanceId: 'ib' }))!.assignment)).toBe('B');
    expect(m.heartbeat(idb, 1, 'ib')).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(m.heartbeat(ida, 1, 'ia')).toBe(0);
  });

  it('a static leader rejoining (v9+) gets the members with skipAssignment', () => {
    const { m, ida } = staticPair();
    const r = m.joins.get(m.join({ groupInstanceId: 'ia' }))!;
    expect(r.skipAssignment).toBe(true);
    expect(r.leader).toBe(r.memberId);
    expect(r.members).toHaveLength(2);
    expect(m.group!.leaderId).not.toBe(ida);
  });

  it('a static rejoin that changes the selected protocol rebalances', () => {
    const { m } = staticPair();
    m.join({ groupInstanceId: 'ib', protocols: [{ name: 'roundrobin', metadata: bytes('') }, { name: 'range', metadata: bytes('') }] });
    expect(m.state).toBe('Stable'); // range is still the only common protocol
    const m2 = staticPair().m;
    m2.join({ groupInstanceId: 'ia', protocols: [{ name: 'roundrobin', metadata: bytes('') }, { name: 'range', metadata: bytes('') }] });
    m2.join({ groupInstanceId: 'ib', protocols: [{ name: 'roundrobin', metadata: bytes('') }, { name: 'range', metadata: bytes('') }] });
    expect(m2.state).toBe('PreparingRebalance');
  });

  it('static members that do not rejoin in time stay; LeaveGroup by instance id removes them', () => {
    const { m, ida, idb } = staticPair();
    const again = m.join({ memberId: ida, groupInstanceId: 'ia' }); // leader rejoins: rebalance
    m.advance(2000);
    expect(m.joins.get(again)).toMatchObject({ errorCode: 0, generationId: 2 });
    expect(m.group!.members.has(idb)).toBe(true);
    const r = m.leave({ memberId: '', groupInstanceId: 'ib' }, { memberId: 'wrong', groupInstanceId: 'ia' });
    expect(r.members.map((x) => x.errorCode)).toEqual([0, ErrorCode.FENCED_INSTANCE_ID]);
    expect(m.group!.members.has(idb)).toBe(false);
  });
});

describe('classic group: size limit and offset commits', () => {
  it('GROUP_MAX_SIZE_REACHED once the group is full', () => {
    const m = new Machine({ ...TEST_CONFIG, maxGroupSize: 2 });
    stableTwo(m);
    const r = m.joins.get(m.join({ requireKnownMemberId: false }))!;
    expect(r.errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    expect(m.group!.members.size).toBe(2);
  });

  it('commits are fenced by generation and member as Kafka does', () => {
    const { m, a, b } = stableTwo(new Machine(), { sessionTimeoutMs: 5000 });
    const g = m.group!;
    expect(validateClassicOffsetCommit(g, a, null, 1, false)).toBe(0);
    expect(validateClassicOffsetCommit(g, a, null, 0, false)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(validateClassicOffsetCommit(g, 'ghost', null, 1, false)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(validateClassicOffsetCommit(g, '', null, -1, false)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    m.joinDynamic({}, 'c');
    // PreparingRebalance: the previous generation may still commit.
    expect(validateClassicOffsetCommit(m.group!, a, null, 1, false)).toBe(0);
    m.join({ memberId: a });
    m.join({ memberId: b });
    expect(m.state).toBe('CompletingRebalance'); // everyone rejoined: no waiting
    expect(validateClassicOffsetCommit(m.group!, a, null, 2, false)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(validateClassicOffsetCommit(m.group!, a, null, 2, true)).toBe(0);
    const empty = new Machine();
    empty.join();
    expect(validateClassicOffsetCommit(empty.group!, '', null, -1, false)).toBe(0);
  });
});
