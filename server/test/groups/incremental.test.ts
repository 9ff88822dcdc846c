// The incremental parts of the state machine against full recomputation, after every transition
// of random event sequences (joins, heartbeats with slow revocations, leaves, static leaves,
// timeouts, closed connections, subscription and topic changes):
// - the holder index and the target-owner index equal a rebuild from the members and targets;
// - every connected member whose next heartbeat would change what it holds has been pushed
//   (only members whose target changed, or who wait for a released partition, are looked at);
// - applying each transition's changed records to a store gives the records of a full write;
// - members the transition did not touch are shared with the input group, not copied.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ConsumerGroupHeartbeatRequest, TopicPartitions } from '@brook/protocol';
import {
  DEFAULT_GROUP_CONFIG,
  doubleHolders,
  groupRecords,
  holderIndex,
  newGroup,
  targetOwnerIndex,
  transition,
  type Effect,
  type Env,
  type Group,
  type GroupEvent,
  type GroupRecord,
} from '../../src/groups/index.js';
import { changedRecords } from '../../src/groups/persistence.js';

type Cmd =
  | { op: 'beat' | 'join' | 'leave' | 'staticLeave' | 'session' | 'rebalance' | 'close' | 'slow' | 'resubscribe'; slot: number }
  | { op: 'topics'; t: number; u: number };

const slot = fc.integer({ min: 0, max: 4 });
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 3, arbitrary: slot.map((s) => ({ op: 'join' as const, slot: s })) },
  { weight: 16, arbitrary: slot.map((s) => ({ op: 'beat' as const, slot: s })) },
  { weight: 1, arbitrary: slot.map((s) => ({ op: 'leave' as const, slot: s })) },
  { weight: 1, arbitrary: slot.map((s) => ({ op: 'staticLeave' as const, slot: s })) },
  { weight: 1, arbitrary: slot.map((s) => ({ op: 'session' as const, slot: s })) },
  { weight: 1, arbitrary: slot.map((s) => ({ op: 'rebalance' as const, slot: s })) },
  { weight: 1, arbitrary: slot.map((s) => ({ op: 'close' as const, slot: s })) },
  { weight: 2, arbitrary: slot.map((s) => ({ op: 'slow' as const, slot: s })) },
  { weight: 1, arbitrary: slot.map((s) => ({ op: 'resubscribe' as const, slot: s })) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('topics' as const), t: fc.integer({ min: 1, max: 12 }), u: fc.integer({ min: 0, max: 4 }) }) },
);

interface Proc {
  id: string;
  epoch: number;
  owned: TopicPartitions[];
  slow: boolean;
  topics: string[];
}

const sorted = <K, V>(m: Iterable<[K, V]>) => [...m].map(([k, v]) => `${String(k)}=${String(v)}`).sort();
const recordKey = (r: { kind: string; memberId: string | null }) => `${r.kind}:${r.memberId ?? ''}`;

function union(a: readonly TopicPartitions[], b: readonly TopicPartitions[]): TopicPartitions[] {
  const m = new Map<string, Set<number>>();
  for (const tp of [...a, ...b]) for (const p of tp.partitions) (m.get(tp.topic) ?? m.set(tp.topic, new Set()).get(tp.topic)!).add(p);
  return [...m].sort(([x], [y]) => (x < y ? -1 : 1)).map(([topic, s]) => ({ topic, partitions: [...s].sort((x, y) => x - y) }));
}

function request(p: Proc, over: Partial<ConsumerGroupHeartbeatRequest> = {}): ConsumerGroupHeartbeatRequest {
  return {
    groupId: 'g',
    memberId: p.id,
    memberEpoch: p.epoch,
    instanceId: p.id.startsWith('s0') || p.id.startsWith('s2') ? `pod-${p.id.slice(0, 2)}` : null,
    rackId: null,
    rebalanceTimeoutMs: 5000,
    sessionTimeoutMs: 10_000,
    subscribedTopicNames: p.epoch === 0 ? p.topics : null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: p.owned,
    ...over,
  };
}

/** Would the member's next heartbeat (reporting what the broker says it holds) change its holding? */
function wouldMove(g: Group, memberId: string, env: Env): boolean {
  const m = g.members.get(memberId)!;
  const holding = (x: typeof m) => `${JSON.stringify([...x.assigned])}|${JSON.stringify([...x.pendingRevocation])}`;
  const owned = union([...m.assigned].map(([topic, partitions]) => ({ topic, partitions: [...partitions] })), [...m.pendingRevocation].map(([topic, partitions]) => ({ topic, partitions: [...partitions] })));
  const req: ConsumerGroupHeartbeatRequest = {
    groupId: 'g', memberId, memberEpoch: m.memberEpoch, instanceId: m.instanceId, rackId: null, rebalanceTimeoutMs: -1, sessionTimeoutMs: -1,
    subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: owned,
  };
  const r = transition(g, { type: 'heartbeat', request: req, context: { connectionId: m.connectionId!, clientId: m.clientId, clientHost: m.clientHost } }, env);
  return holding(r.group.members.get(memberId)!) !== holding(m);
}

function run(cmds: Cmd[]): void {
  let g = newGroup('g');
  let now = 0;
  const topics = new Map([['t', 6], ['u', 2]]);
  const env = (): Env => ({ now, topics: new Map(topics), config: { ...DEFAULT_GROUP_CONFIG, minSessionTimeoutMs: 1000 } });
  const procs: Array<Proc | null> = Array.from({ length: 5 }, () => null);
  const gens = new Array<number>(5).fill(0);
  const pushed = new Set<string>();
  const store = new Map<string, string>();

  const step = (event: GroupEvent, beating: string | null): ReturnType<typeof transition> => {
    now += 100;
    const before = g;
    const r = transition(before, event, env());
    g = r.group;
    if (beating !== null && r.response?.errorCode === 0) pushed.delete(beating);
    for (const e of r.effects) if (e.type === 'notify') pushed.add(e.memberId);
    for (const id of pushed) if (!g.members.has(id)) pushed.delete(id);

    // Indexes equal a rebuild.
    expect(sorted(g.holders)).toEqual(sorted(holderIndex(g)));
    expect(sorted(g.targetOwners)).toEqual(sorted(targetOwnerIndex(g)));
    expect(doubleHolders(g)).toEqual([]);

    // Deltas rebuild the full write.
    const persist = r.effects.find((e): e is Extract<Effect, { type: 'persist' }> => e.type === 'persist');
    if (persist) {
      for (const rec of changedRecords(g, persist) as GroupRecord[]) {
        if (rec.value === null) store.delete(recordKey(rec));
        else store.set(recordKey(rec), JSON.stringify(rec.value));
      }
    }
    // (A group that never had a member was never written.)
    if (g.groupEpoch > 0) expect(sorted(store)).toEqual(sorted(groupRecords(g).map((rec) => [recordKey(rec), JSON.stringify(rec.value)] as [string, string])));

    // Untouched members are shared with the input group.
    const mentioned = new Set<string>(beating === null ? [] : [beating]);
    for (const e of r.effects) {
      if (e.type === 'persist') e.members.forEach((id) => mentioned.add(id));
      else if (e.type === 'log') mentioned.add(String(e.fields.memberId ?? ''));
      else if ('memberId' in e) mentioned.add(e.memberId);
    }
    for (const [id, m] of g.members) if (!mentioned.has(id)) expect(m, `${id} copied without a change`).toBe(before.members.get(id));

    // Nobody who could move is left waiting without a push.
    for (const [id, m] of g.members) {
      if (m.connectionId === null || m.leftStatic || pushed.has(id)) continue;
      expect(wouldMove(g, id, env()), `${id} can move but was not pushed`).toBe(false);
    }
    return r;
  };

  const beat = (p: Proc, over: Partial<ConsumerGroupHeartbeatRequest> = {}) => {
    const r = step({ type: 'heartbeat', request: request(p, over), context: { connectionId: `c-${p.id}`, clientId: p.id, clientHost: 'h' } }, p.id);
    const res = r.response!;
    if (res.errorCode !== 0) {
      p.epoch = 0;
      p.owned = [];
    } else if (res.memberEpoch >= 0) {
      p.epoch = res.memberEpoch;
      if (res.assignment) p.owned = p.slow ? union(p.owned, res.assignment) : res.assignment;
    }
  };

  for (const c of cmds) {
    if (c.op === 'topics') {
      topics.set('t', Math.max(topics.get('t')!, c.t)); // partitions only grow
      if (c.u === 0) topics.delete('u');
      else topics.set('u', Math.max(topics.get('u') ?? 0, c.u));
      step({ type: 'topicsChanged' }, null);
      continue;
    }
    const p = procs[c.slot];
    switch (c.op) {
      case 'join':
        if (!p) {
          const proc: Proc = { id: `s${c.slot}-${++gens[c.slot]!}`, epoch: 0, owned: [], slow: false, topics: c.slot % 3 === 0 ? ['t', 'u'] : ['t'] };
          procs[c.slot] = proc;
          beat(proc);
        }
        break;
      case 'beat':
        if (p) beat(p);
        break;
      case 'slow':
        // Toggling: a slow member reports revoked partitions until it is prompt again.
        if (p) {
          p.slow = !p.slow;
          if (!p.slow) p.owned = [];
        }
        break;
      case 'resubscribe':
        if (p && p.epoch > 0) {
          p.topics = p.topics.length === 1 ? ['t', 'u'] : ['t'];
          beat(p, { subscribedTopicNames: p.topics });
        }
        break;
      case 'leave':
      case 'staticLeave':
        if (p) {
          step({ type: 'heartbeat', request: request(p, { memberEpoch: c.op === 'leave' ? -1 : -2, topicPartitions: null }), context: { connectionId: `c-${p.id}`, clientId: p.id, clientHost: 'h' } }, p.id);
          procs[c.slot] = null;
        }
        break;
      case 'close':
        if (p) {
          step({ type: 'connectionClosed', connectionId: `c-${p.id}` }, null);
          procs[c.slot] = null;
        }
        break;
      case 'session':
      case 'rebalance': {
        const m = p ? g.members.get(p.id) : undefined;
        const deadline = c.op === 'session' ? m?.sessionDeadline : m?.rebalanceDeadline;
        if (m && deadline != null) {
          now = Math.max(now, deadline - 100);
          step({ type: c.op === 'session' ? 'sessionTimeout' : 'rebalanceTimeout', memberId: m.memberId, deadline }, null);
        }
        break;
      }
    }
  }
}

// GROUP_PROPERTY_RUNS=2000 for a longer search.
const RUNS = Number(process.env.GROUP_PROPERTY_RUNS ?? 150);

describe('incremental group state equals full recomputation', () => {
  it('holder and target-owner indexes, pushes, persisted deltas, shared members', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { minLength: 1, maxLength: 80, size: 'max' }), (cmds) => run(cmds)),
      { numRuns: RUNS },
    );
  }, Math.max(120_000, RUNS * 300));
});
