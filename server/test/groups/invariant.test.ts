// Randomized: joins, leaves, static leaves, crashes, slow revocations, time jumps, topic growth and
// subscription changes, in any order. After every step: each partition has at most one holder in
// the broker's view, and what every member process owns is within what the broker says it holds
// (so no two live members own the same partition). At the end, with everyone healthy, the group
// converges to stable with every subscribed partition owned exactly once.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assertSingleHolders, harness, labels, Sim, type Harness } from './harness.js';

type Cmd =
  | { op: 'join'; slot: number; slow: boolean }
  | { op: 'beat' | 'leave' | 'staticLeave' | 'crash' | 'revoke' | 'slow' | 'toggleU'; slot: number }
  | { op: 'advance'; ms: number }
  | { op: 'grow'; by: number };

const slotArb = fc.integer({ min: 0, max: 5 });
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('join' as const), slot: slotArb, slow: fc.boolean() }) },
  { weight: 8, arbitrary: slotArb.map((slot) => ({ op: 'beat' as const, slot })) },
  { weight: 1, arbitrary: slotArb.map((slot) => ({ op: 'leave' as const, slot })) },
  { weight: 1, arbitrary: slotArb.map((slot) => ({ op: 'staticLeave' as const, slot })) },
  { weight: 1, arbitrary: slotArb.map((slot) => ({ op: 'crash' as const, slot })) },
  { weight: 2, arbitrary: slotArb.map((slot) => ({ op: 'revoke' as const, slot })) },
  { weight: 1, arbitrary: slotArb.map((slot) => ({ op: 'slow' as const, slot })) },
  { weight: 1, arbitrary: slotArb.map((slot) => ({ op: 'toggleU' as const, slot })) },
  { weight: 2, arbitrary: fc.integer({ min: 100, max: 12_000 }).map((ms) => ({ op: 'advance' as const, ms })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }).map((by) => ({ op: 'grow' as const, by })) },
);

interface Slot {
  sim: Sim | null;
  gen: number;
  alive: boolean;
  topics: string[];
}

function checkProcesses(h: Harness, slots: Slot[]): void {
  assertSingleHolders(h);
  const d = h.gc.describe('g');
  const held = new Map(d.members.map((m) => [m.memberId, new Set(labels(m.assignment))]));
  const owner = new Map<string, string>();
  for (const s of slots) {
    if (!s.alive || !s.sim) continue;
    const mine = held.get(s.sim.id);
    if (!mine) continue; // expelled, and does not know yet: a zombie, fenced on its next request
    for (const l of s.sim.labels()) {
      expect(mine.has(l), `${s.sim.id} owns ${l} beyond what the broker gave it`).toBe(true);
      expect(owner.get(l), `${l} owned by two live members`).toBeUndefined();
      owner.set(l, s.sim.id);
    }
  }
}

async function run(cmds: Cmd[]): Promise<void> {
  const h = harness({ t: 5, u: 3 });
  const slots: Slot[] = Array.from({ length: 6 }, () => ({ sim: null, gen: 0, alive: false, topics: ['t'] }));
  const newSim = (i: number, s: Slot) =>
    new Sim(h, `s${i}-${++s.gen}`, { instanceId: i % 2 === 0 ? `pod-${i}` : undefined, topics: s.topics, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5000 });

  for (const c of cmds) {
    if (c.op === 'advance') await h.clock.advance(c.ms, h.gc);
    else if (c.op === 'grow') {
      h.topics.set('t', Math.min(12, h.topics.get('t')! + c.by));
      h.gc.topicsChanged();
      await h.gc.idle();
    } else {
      const s = slots[c.slot]!;
      const sim = s.sim;
      switch (c.op) {
        case 'join':
          if (!s.alive) {
            s.sim = newSim(c.slot, s);
            s.sim.slow = c.slow;
            s.alive = true;
            await s.sim.beat();
          }
          break;
        case 'beat':
          if (s.alive && sim) {
            const r = await sim.beat({ subscribedTopicNames: [...s.topics] });
            if (r.errorCode !== 0) sim.epoch = 0; // fenced or expelled: rejoin on the next beat
          }
          break;
        case 'leave':
          if (s.alive && sim) {
            await sim.leave();
            s.alive = false;
          }
          break;
        case 'staticLeave':
          if (s.alive && sim) {
            await sim.beat({ memberEpoch: -2, topicPartitions: null });
            sim.owned = [];
            s.alive = false;
          }
          break;
        case 'crash':
          if (s.alive && sim) {
            h.gc.connectionClosed(sim.conn);
            await h.gc.idle();
            sim.owned = [];
            s.alive = false;
          }
          break;
        case 'revoke':
          sim?.revoke();
          break;
        case 'slow':
          if (sim) sim.slow = !sim.slow;
          break;
        case 'toggleU':
          s.topics = s.topics.includes('u') ? ['t'] : ['t', 'u'];
          if (sim) sim.opts.topics = s.topics;
          break;
      }
    }
    checkProcesses(h, slots);
  }

  // Heal: everyone alive is prompt; the dead expire; the group must converge.
  const live = () => slots.filter((s) => s.alive && s.sim).map((s) => s.sim!);
  for (const sim of live()) {
    sim.slow = false;
    sim.revoke();
  }
  for (let i = 0; i < 6; i++) {
    await h.clock.advance(2500, h.gc);
    for (const sim of live()) {
      const r = await sim.beat();
      if (r.errorCode !== 0) sim.epoch = 0;
      checkProcesses(h, slots);
    }
  }
  for (let i = 0; i < 4; i++) for (const sim of live()) await sim.beat();
  checkProcesses(h, slots);
  const d = h.gc.describe('g');
  if (live().length === 0) {
    expect(d.members).toEqual([]);
    return;
  }
  expect(d.state).toBe('stable');
  const wanted = new Set(slots.filter((s) => s.alive).flatMap((s) => s.topics));
  const expected = [...wanted].flatMap((t) => Array.from({ length: h.topics.get(t)! }, (_, p) => `${t}-${p}`)).sort();
  expect(live().flatMap((s) => s.labels()).sort()).toEqual(expected);
}

// GROUP_PROPERTY_RUNS=2000 for a longer search.
const RUNS = Number(process.env.GROUP_PROPERTY_RUNS ?? 200);

describe('group invariants under random schedules', () => {
  it('never two holders per partition; converges once healthy', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 1, maxLength: 80, size: 'max' }), async (cmds) => {
        await run(cmds);
      }),
      { numRuns: RUNS },
    );
  }, Math.max(60_000, RUNS * 300));
});
