// Assignors: every partition of a subscribed topic exactly once to a subscriber, balance,
// stickiness of uniform, determinism; fast-check property tests plus a few examples.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TopicPartitions } from '@brook/protocol';
import { range, roundrobin, uniform, type Assignor, type AssignorMember, type AssignorOutput } from '../../src/groups/assignors/index.js';

const id = (i: number) => `m${String(i).padStart(2, '0')}`;
const count = (tps: readonly TopicPartitions[]) => tps.reduce((s, tp) => s + tp.partitions.length, 0);
const flat = (out: AssignorOutput) => [...out].flatMap(([m, tps]) => tps.flatMap((tp) => tp.partitions.map((p) => ({ m, topic: tp.topic, tp: `${tp.topic}-${p}` }))));
const owners = (out: AssignorOutput) => new Map(flat(out).map((x) => [x.tp, x.m]));

function members(ids: string[], topics: string[], current: AssignorOutput = new Map()): AssignorMember[] {
  return ids.map((memberId) => ({ memberId, instanceId: null, topics, current: current.get(memberId) ?? [] }));
}

const topicsArb = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: 1, max: 16 }), { minKeys: 1 });
/** Members with possibly different subscriptions (each a non-empty subset of a..d). */
const heteroArb = fc.record({
  topics: topicsArb,
  subs: fc.array(fc.subarray(['a', 'b', 'c', 'd'], { minLength: 1 }), { minLength: 1, maxLength: 9 }),
});

function checkExactlyOnce(out: AssignorOutput, ms: AssignorMember[], topics: Map<string, number>) {
  const subscribed = new Set(ms.flatMap((m) => m.topics).filter((t) => topics.has(t)));
  const expected = [...subscribed].flatMap((t) => Array.from({ length: topics.get(t)! }, (_, p) => `${t}-${p}`)).sort();
  const got = flat(out);
  expect(got.map((x) => x.tp).sort()).toEqual(expected);
  const subsOf = new Map(ms.map((m) => [m.memberId, new Set(m.topics)]));
  for (const x of got) expect(subsOf.get(x.m)!.has(x.topic)).toBe(true);
  expect([...out.keys()].sort()).toEqual(ms.map((m) => m.memberId).sort());
}

describe.each([
  ['uniform', uniform],
  ['range', range],
  ['roundrobin', roundrobin],
] as Array<[string, Assignor]>)('%s assignor', (name, assignor) => {
  it('assigns every partition of a subscribed topic exactly once, to a subscriber, deterministically', () => {
    fc.assert(
      fc.property(heteroArb, fc.integer(), ({ topics, subs }, seed) => {
        const tmap = new Map(Object.entries(topics));
        const ms = subs.map((s, i) => ({ memberId: id(i), instanceId: null, topics: s, current: [] }));
        const out = assignor({ members: ms, topics: tmap });
        checkExactlyOnce(out, ms, tmap);
        // Determinism: input order does not matter.
        const shuffled = [...ms].sort((a, b) => ((a.memberId.charCodeAt(2) * 31 + seed) % 7) - ((b.memberId.charCodeAt(2) * 31 + seed) % 7));
        expect(owners(assignor({ members: shuffled, topics: tmap }))).toEqual(owners(out));
      }),
    );
  });

  if (name !== 'range') {
    it('is balanced within one partition with identical subscriptions', () => {
      fc.assert(
        fc.property(topicsArb, fc.integer({ min: 1, max: 12 }), (topics, n) => {
          const tmap = new Map(Object.entries(topics));
          const out = assignor({ members: members(Array.from({ length: n }, (_, i) => id(i)), [...tmap.keys()]), topics: tmap });
          const counts = [...out.values()].map(count);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }),
      );
    });
  }

  it('leaves extra members idle with an empty assignment', () => {
    const out = assignor({ members: members(Array.from({ length: 7 }, (_, i) => id(i)), ['t']), topics: new Map([['t', 6]]) });
    expect([...out.values()].map(count).sort()).toEqual([0, 1, 1, 1, 1, 1, 1]);
  });
});

describe('range assignor', () => {
  it('gives contiguous ranges per topic, the first P mod C one extra', () => {
    const out = range({ members: members(['c', 'a', 'b'], ['t', 'u']), topics: new Map([['t', 7], ['u', 2]]) });
    expect(out.get('a')).toEqual([{ topic: 't', partitions: [0, 1, 2] }, { topic: 'u', partitions: [0] }]);
    expect(out.get('b')).toEqual([{ topic: 't', partitions: [3, 4] }, { topic: 'u', partitions: [1] }]);
    expect(out.get('c')).toEqual([{ topic: 't', partitions: [5, 6] }]);
  });
});

describe('roundrobin assignor', () => {
  it('deals partitions sorted by (topic, partition) to sorted members', () => {
    const out = roundrobin({ members: members(['b', 'a'], ['x', 'y']), topics: new Map([['y', 2], ['x', 3]]) });
    expect(out.get('a')).toEqual([{ topic: 'x', partitions: [0, 2] }, { topic: 'y', partitions: [1] }]);
    expect(out.get('b')).toEqual([{ topic: 'x', partitions: [1] }, { topic: 'y', partitions: [0] }]);
  });

  it('sorts static members by instance id', () => {
    const ms: AssignorMember[] = [
      { memberId: 'zzz', instanceId: 'i1', topics: ['t'], current: [] },
      { memberId: 'aaa', instanceId: 'i2', topics: ['t'], current: [] },
    ];
    const out = roundrobin({ members: ms, topics: new Map([['t', 2]]) });
    expect(out.get('zzz')).toEqual([{ topic: 't', partitions: [0] }]);
  });
});

describe('uniform assignor stickiness', () => {
  const balanced = fc.record({ topics: topicsArb, n: fc.integer({ min: 1, max: 10 }) });

  it('adding one member to a balanced group moves at most ceil(P/(N+1)) partitions, all to the newcomer', () => {
    fc.assert(
      fc.property(balanced, ({ topics, n }) => {
        const tmap = new Map(Object.entries(topics));
        const P = [...tmap.values()].reduce((s, x) => s + x, 0);
        const ids = Array.from({ length: n }, (_, i) => id(i));
        const first = uniform({ members: members(ids, [...tmap.keys()]), topics: tmap });
        const withNew = [...ids, 'new-member'];
        const second = uniform({ members: members(withNew, [...tmap.keys()], first), topics: tmap });
        const before = owners(first);
        const moved = [...owners(second)].filter(([tp, m]) => before.get(tp) !== m);
        expect(moved.length).toBeLessThanOrEqual(Math.ceil(P / (n + 1)));
        for (const [, m] of moved) expect(m).toBe('new-member');
        const counts = [...second.values()].map(count);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('removing one member moves only its partitions', () => {
    fc.assert(
      fc.property(balanced, fc.nat(), ({ topics, n }, pick) => {
        fc.pre(n >= 2);
        const tmap = new Map(Object.entries(topics));
        const ids = Array.from({ length: n }, (_, i) => id(i));
        const first = uniform({ members: members(ids, [...tmap.keys()]), topics: tmap });
        const gone = ids[pick % n]!;
        const second = uniform({ members: members(ids.filter((x) => x !== gone), [...tmap.keys()], first), topics: tmap });
        const before = owners(first);
        for (const [tp, m] of owners(second)) if (before.get(tp) !== m) expect(before.get(tp)).toBe(gone);
        const counts = [...second.values()].map(count);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('recomputing with the same members moves nothing', () => {
    fc.assert(
      fc.property(heteroArb, ({ topics, subs }) => {
        const tmap = new Map(Object.entries(topics));
        const ms = subs.map((s, i) => ({ memberId: id(i), instanceId: null, topics: s, current: [] as TopicPartitions[] }));
        const first = uniform({ members: ms, topics: tmap });
        const again = uniform({ members: ms.map((m) => ({ ...m, current: first.get(m.memberId)! })), topics: tmap });
        expect(owners(again)).toEqual(owners(first));
      }),
    );
  });

  it('balances counts among members with different subscriptions as far as subscriptions allow', () => {
    // a: only t1 (4 partitions); b, c: t1 and t2 (2 partitions): 6 partitions, 2 each possible.
    const out = uniform({
      members: [
        { memberId: 'a', instanceId: null, topics: ['t1'], current: [] },
        { memberId: 'b', instanceId: null, topics: ['t1', 't2'], current: [] },
        { memberId: 'c', instanceId: null, topics: ['t1', 't2'], current: [] },
      ],
      topics: new Map([['t1', 4], ['t2', 2]]),
    });
    expect([...out.values()].map(count)).toEqual([2, 2, 2]);
  });
});
