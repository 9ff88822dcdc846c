// Randomized: client processes join (KIP-394 round trips, static and dynamic), sync (the leader
// assigns), heartbeat, leave (themselves or by instance id) and fall silent while time jumps, in
// any order. After every step the classic group's invariants hold:
// - the leader is a member (none only when there are no members), and at most one client believes
//   it leads the current generation;
// - no JoinGroup is parked once the join phase is over (CompletingRebalance, Stable), and no
//   SyncGroup outside CompletingRebalance;
// - JoinGroup answers carry the current generation, assignments are delivered only for it;
// - no member outlives its session unless it is parked in a rebalance (Kafka's rule);
// - every request is answered at most once.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorCode } from '@brook/protocol';
import { bytes, Machine, text, TEST_CONFIG } from './pure.js';

type Cmd =
  | { op: 'join' | 'sync' | 'heartbeat' | 'act' | 'leave' | 'kick'; slot: number; variant: number }
  | { op: 'advance'; ms: number };

const slotArb = fc.integer({ min: 0, max: 4 });
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('join' as const), slot: slotArb, variant: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('sync' as const), slot: slotArb, variant: fc.constant(0) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('heartbeat' as const), slot: slotArb, variant: fc.constant(0) }) },
  // What a well-behaved client does next: join without an id, sync after a join answer, else heartbeat.
  { weight: 8, arbitrary: fc.record({ op: fc.constant('act' as const), slot: slotArb, variant: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('leave' as const), slot: slotArb, variant: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('kick' as const), slot: slotArb, variant: fc.constant(0) }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 150 }).map((ms) => ({ op: 'advance' as const, ms })) },
  { weight: 1, arbitrary: fc.integer({ min: 150, max: 8000 }).map((ms) => ({ op: 'advance' as const, ms })) },
);

interface Client {
  memberId: string;
  instanceId: string | null;
  generation: number;
  leader: boolean;
  members: string[];
  synced: boolean;
  joins: number[];
  syncs: Array<{ requestId: number; generation: number }>;
}

const protocolsFor = (variant: number) =>
  [
    [{ name: 'range', metadata: bytes('r') }],
    [{ name: 'roundrobin', metadata: bytes('rr') }, { name: 'range', metadata: bytes('r') }],
    [{ name: 'range', metadata: bytes('r2') }],
    [{ name: 'sticky', metadata: bytes('s') }],
  ][variant]!;

/** How often the runs got somewhere, so the property is not vacuous. */
const reached = { Stable: 0, assigned: 0 };

function run(cmds: Cmd[]): void {
  const m = new Machine({ ...TEST_CONFIG, maxGroupSize: 4, newMemberJoinTimeoutMs: 3000 });
  const clients: Client[] = Array.from({ length: 5 }, (_, i) => ({ memberId: '', instanceId: i % 2 === 0 ? `pod-${i}` : null, generation: -1, leader: false, members: [], synced: false, joins: [], syncs: [] }));
  const seenJoins = new Set<number>();
  const seenSyncs = new Set<number>();

  const absorb = () => {
    for (const c of clients) {
      for (const id of c.joins) {
        const r = m.joins.get(id);
        if (!r || seenJoins.has(id)) continue;
        seenJoins.add(id);
        if (r.errorCode === 0) {
          expect(r.generationId, 'JoinGroup answered with an old generation').toBe(m.generationAtAnswer.get(id));
          Object.assign(c, { memberId: r.memberId, generation: r.generationId, leader: r.leader === r.memberId, members: r.members.map((x) => x.memberId), synced: false });
        } else if (r.errorCode === ErrorCode.MEMBER_ID_REQUIRED) c.memberId = r.memberId;
        else if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || r.errorCode === ErrorCode.FENCED_INSTANCE_ID) Object.assign(c, { memberId: '', generation: -1, leader: false });
      }
      for (const s of c.syncs) {
        const r = m.syncs.get(s.requestId);
        if (!r || seenSyncs.has(s.requestId)) continue;
        seenSyncs.add(s.requestId);
        if (r.errorCode === 0) c.synced = true;
        if (r.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) c.generation = -1;
        if (r.errorCode === 0) {
          expect(s.generation, 'assignment delivered for an old generation').toBe(m.generationAtAnswer.get(s.requestId));
          if (r.assignment.length > 0) {
            expect(text(r.assignment)).toBe(`for ${c.memberId}`);
            reached.assigned++;
          }
        }
      }
    }
  };

  const check = () => {
    absorb();
    expect(new Set(m.answered).size, 'a request was answered twice').toBe(m.answered.length);
    const g = m.group;
    if (!g) return;
    if (g.members.size === 0) expect(g.leaderId).toBeNull();
    else expect(g.members.has(g.leaderId ?? ''), 'the leader is not a member').toBe(true);
    const leaders = clients.filter((c) => c.leader && c.generation === g.generationId && c.memberId !== '' && g.members.has(c.memberId));
    expect(leaders.length, 'two clients lead the same generation').toBeLessThanOrEqual(1);
    for (const mem of g.members.values()) {
      if (g.state === 'CompletingRebalance' || g.state === 'Stable') expect(mem.awaitingJoin, `parked join in ${g.state}`).toBeNull();
      if (g.state !== 'CompletingRebalance') expect(mem.awaitingSync, `parked sync in ${g.state}`).toBeNull();
      const parked = !mem.isNew && (mem.awaitingJoin !== null || mem.awaitingSync !== null);
      if (!parked) expect(mem.heartbeatDeadline, `${mem.memberId} outlived its session`).toBeGreaterThan(m.now);
    }
    for (const deadline of g.pendingJoinMembers.values()) expect(deadline).toBeGreaterThan(m.now);
    if (g.state === 'Stable') {
      expect(g.protocolName).not.toBeNull();
      reached.Stable++;
    }
  };

  for (const cmd of cmds) {
    if (cmd.op === 'advance') {
      m.advance(cmd.ms);
      check();
      continue;
    }
    const c = clients[cmd.slot]!;
    const waiting = c.joins.some((id) => !m.joins.has(id)) || c.syncs.some((x) => !m.syncs.has(x.requestId));
    const op = cmd.op !== 'act' ? cmd.op : waiting ? 'wait' : c.generation < 0 || c.memberId === '' ? 'join' : !c.synced ? 'sync' : 'heartbeat';
    switch (op) {
      case 'join':
        c.joins.push(m.join({ memberId: c.memberId, groupInstanceId: c.instanceId, protocols: protocolsFor(cmd.variant), sessionTimeoutMs: 4000, rebalanceTimeoutMs: 5000 }, `client-${cmd.slot}`));
        break;
      case 'sync': {
        const assignments: Array<[string, string]> = c.leader ? c.members.map((id) => [id, `for ${id}`]) : [];
        c.syncs.push({ requestId: m.sync(c.memberId, c.generation, assignments, { groupInstanceId: c.instanceId }), generation: c.generation });
        break;
      }
      case 'heartbeat':
        // A rebalance (or a lost membership) sends a client back to JoinGroup.
        if (m.heartbeat(c.memberId, c.generation, c.instanceId) !== 0) c.generation = -1;
        break;
      case 'leave':
        m.leave({ memberId: c.memberId, groupInstanceId: c.instanceId });
        break;
      case 'kick':
        if (c.instanceId !== null) m.leave({ memberId: '', groupInstanceId: c.instanceId });
        break;
      case 'wait':
        break;
    }
    check();
  }
}

describe('classic group invariants (property-based)', () => {
  it('hold after every step of random joins, syncs, heartbeats, leaves and time jumps', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { minLength: 20, maxLength: 120 }), (cmds) => run(cmds)),
      { numRuns: 200 },
    );
    // The runs are random: over 12 runs here Stable was reached 331-474 times and an assignment
    // delivered 117-168 (once, in CI, 92). The bounds only catch a driver that stopped getting there.
    expect(reached.Stable).toBeGreaterThan(100);
    expect(reached.assigned).toBeGreaterThan(40);
  });

  it('a group of well-behaved members reaches Stable with everyone assigned', () => {
    const m = new Machine();
    const ids = [0, 1, 2].map((i) => m.joinDynamic({}, `c${i}`));
    m.advance(2 * TEST_CONFIG.initialRebalanceDelayMs);
    const leader = ids.find((x) => m.joins.get(x.request)!.members.length > 0)!;
    const syncs = ids.map((x) => m.sync(x.memberId, 1, x === leader ? ids.map((y) => [y.memberId, `for ${y.memberId}`]) : []));
    expect(m.state).toBe('Stable');
    ids.forEach((x, i) => expect(text(m.syncs.get(syncs[i]!)!.assignment)).toBe(`for ${x.memberId}`));
  });
});
