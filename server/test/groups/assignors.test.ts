import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { range, roundrobin, uniform, type Assignment, type Assignor, type AssignorMember } from '../../src/groups/assignors.js';

const count = (a: Assignment) => Object.values(a).reduce((s, ps) => s + ps.length, 0);
const flat = (m: Map<string, Assignment>) => [...m].flatMap(([id, a]) => Object.entries(a).flatMap(([t, ps]) => ps.map((p) => ({ id, tp: `${t}-${p}` }))));

const scenario = fc.record({
  topics: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: 1, max: 12 }), { minKeys: 1 }),
  members: fc.integer({ min: 1, max: 9 }),
});

function members(n: number, topics: string[], current: Map<string, Assignment> = new Map()): AssignorMember[] {
  return Array.from({ length: n }, (_, i) => ({ memberId: `m${String(i).padStart(2, '0')}`, instanceId: null, topics, current: current.get(`m${String(i).padStart(2, '0')}`) ?? {} }));
}

describe.each([
  ['uniform', uniform],
  ['range', range],
  ['roundrobin', roundrobin],
] as Array<[string, Assignor]>)('%s assignor', (_name, assignor) => {
  it('assigns every partition of a subscribed topic exactly once, deterministically', () => {
    fc.assert(
      fc.property(scenario, ({ topics, members: n }) => {
        const tmap = new Map(Object.entries(topics));
        const ms = members(n, [...tmap.keys()]);
        const out = assignor({ members: ms, topics: tmap });
        const tps = flat(out).map((x) => x.tp);
        const total = [...tmap.values()].reduce((s, x) => s + x, 0);
        expect(tps.length).toBe(total);
        expect(new Set(tps).size).toBe(total);
        expect(assignor({ members: [...ms].reverse(), topics: tmap })).toEqual(out);
        expect(out.size).toBe(n); // idle members get an empty assignment
      }),
      { numRuns: 200, seed: 21 },
    );
  });

  it('gives nothing to members that do not subscribe', () => {
    const out = assignor({
      members: [
        { memberId: 'x', instanceId: null, topics: ['a'], current: {} },
        { memberId: 'y', instanceId: null, topics: ['b'], current: {} },
      ],
      topics: new Map([['a', 3], ['b', 2]]),
    });
    expect(out.get('x')).toEqual({ a: [0, 1, 2] });
    expect(out.get('y')).toEqual({ b: [0, 1] });
  });
});

describe('balance and stickiness', () => {
  it('uniform and roundrobin balance within one partition for identical subscriptions', () => {
    fc.assert(
      fc.property(scenario, ({ topics, members: n }) => {
        const tmap = new Map(Object.entries(topics));
        for (const a of [uniform, roundrobin]) {
          const counts = [...a({ members: members(n, [...tmap.keys()]), topics: tmap }).values()].map(count);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 200, seed: 22 },
    );
  });

  it('range gives contiguous ranges per topic, the first P mod C members one extra', () => {
    const out = range({ members: members(3, ['a']), topics: new Map([['a', 7]]) });
    expect([...out.values()]).toEqual([{ a: [0, 1, 2] }, { a: [3, 4] }, { a: [5, 6] }]);
  });

  it('uniform: a join moves at most ceil(P/(N+1)) partitions, a leave moves only the leaver\'s', () => {
    fc.assert(
      fc.property(scenario, ({ topics, members: n }) => {
        const tmap = new Map(Object.entries(topics));
        const names = [...tmap.keys()];
        const total = [...tmap.values()].reduce((s, x) => s + x, 0);
        const before = uniform({ members: members(n, names), topics: tmap });
        const joined = uniform({ members: members(n + 1, names, before), topics: tmap });
        const owner = (m: Map<string, Assignment>) => new Map(flat(m).map((x) => [x.tp, x.id]));
        const b = owner(before);
        const j = owner(joined);
        const moved = [...b].filter(([tp, id]) => j.get(tp) !== id).length;
        expect(moved).toBeLessThanOrEqual(Math.ceil(total / (n + 1)));
        if (n >= 2) {
          const left = uniform({ members: members(n, names, before).filter((m) => m.memberId !== 'm00'), topics: tmap });
          const l = owner(left);
          for (const [tp, id] of b) if (id !== 'm00') expect(l.get(tp)).toBe(id);
        }
      }),
      { numRuns: 200, seed: 23 },
    );
  });
});
