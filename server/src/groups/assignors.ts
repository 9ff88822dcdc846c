/**
 * Server-side assignors (KIP-848 style), pure functions. Input: members with their subscribed
 * topics (resolved to existing topics) and their current target (for stickiness); topics with
 * partition counts. Output: member id -> topic -> sorted partitions. Members that get nothing
 * (more members than partitions) map to an empty assignment.
 */
export type Assignment = Record<string, number[]>;

export interface AssignorMember {
  memberId: string;
  /** Static members sort by instance id, so a restarted instance lands in the same place. */
  instanceId: string | null;
  topics: string[];
  current: Assignment;
}

export interface AssignorInput {
  members: AssignorMember[];
  topics: Map<string, number>;
}

export type Assignor = (input: AssignorInput) => Map<string, Assignment>;

const sortKey = (m: AssignorMember) => m.instanceId ?? m.memberId;
const byKey = (a: AssignorMember, b: AssignorMember) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0);

function toAssignment(parts: Array<[string, number]>): Assignment {
  const a: Assignment = {};
  for (const [t, p] of parts) (a[t] ??= []).push(p);
  for (const t of Object.keys(a)) a[t]!.sort((x, y) => x - y);
  return a;
}

/**
 * uniform (the default): balanced and sticky. Keeps every partition where it is while its owner
 * still subscribes, hands unowned partitions to the least-loaded eligible member, then moves
 * partitions one at a time from the most- to the least-loaded member until counts differ by at
 * most one (for identical subscriptions), so a join or leave moves as little as possible.
 */
export const uniform: Assignor = ({ members, topics }) => {
  const sorted = [...members].sort(byKey);
  const owned = new Map<string, Array<[string, number]>>(sorted.map((m) => [m.memberId, []]));
  const subs = new Map(sorted.map((m) => [m.memberId, new Set(m.topics.filter((t) => topics.has(t)))]));
  const taken = new Set<string>();
  const all: Array<[string, number]> = [];
  const wanted = new Set<string>();
  for (const s of subs.values()) for (const t of s) wanted.add(t);
  for (const t of [...wanted].sort()) for (let p = 0; p < topics.get(t)!; p++) all.push([t, p]);

  for (const m of sorted) {
    for (const [t, ps] of Object.entries(m.current)) {
      if (!subs.get(m.memberId)!.has(t)) continue;
      for (const p of ps) {
        const k = `${t}\0${p}`;
        if (p < topics.get(t)! && !taken.has(k)) {
          taken.add(k);
          owned.get(m.memberId)!.push([t, p]);
        }
      }
    }
  }
  const leastLoaded = (t: string, exclude?: string) => {
    let best: AssignorMember | null = null;
    for (const m of sorted) {
      if (m.memberId === exclude || !subs.get(m.memberId)!.has(t)) continue;
      if (!best || owned.get(m.memberId)!.length < owned.get(best.memberId)!.length) best = m;
    }
    return best;
  };
  for (const [t, p] of all) {
    if (taken.has(`${t}\0${p}`)) continue;
    const m = leastLoaded(t);
    if (m) owned.get(m.memberId)!.push([t, p]);
  }
  // Balance: bounded by the number of partitions.
  for (let moves = 0; moves <= all.length; moves++) {
    let moved = false;
    const byLoad = [...sorted].sort((a, b) => owned.get(b.memberId)!.length - owned.get(a.memberId)!.length || byKey(a, b));
    for (const from of byLoad) {
      const mine = owned.get(from.memberId)!;
      // Give away the highest partitions first, keeping low ones stable.
      for (let i = mine.length - 1; i >= 0 && !moved; i--) {
        const [t] = mine[i]!;
        const to = leastLoaded(t, from.memberId);
        if (to && mine.length - owned.get(to.memberId)!.length >= 2) {
          owned.get(to.memberId)!.push(mine[i]!);
          mine.splice(i, 1);
          moved = true;
        }
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  return new Map(sorted.map((m) => [m.memberId, toAssignment(owned.get(m.memberId)!)]));
};

/** range: per topic, sorted subscribers get contiguous ranges; the first P mod C get one extra (Kafka's RangeAssignor). */
export const range: Assignor = ({ members, topics }) => {
  const sorted = [...members].sort(byKey);
  const out = new Map<string, Array<[string, number]>>(sorted.map((m) => [m.memberId, []]));
  const wanted = new Set(sorted.flatMap((m) => m.topics).filter((t) => topics.has(t)));
  for (const t of [...wanted].sort()) {
    const subs = sorted.filter((m) => m.topics.includes(t));
    const n = topics.get(t)!;
    const per = Math.floor(n / subs.length);
    const extra = n % subs.length;
    subs.forEach((m, i) => {
      const start = i * per + Math.min(i, extra);
      const len = per + (i < extra ? 1 : 0);
      for (let p = start; p < start + len; p++) out.get(m.memberId)!.push([t, p]);
    });
  }
  return new Map(sorted.map((m) => [m.memberId, toAssignment(out.get(m.memberId)!)]));
};

/** roundrobin: every partition, sorted by (topic, partition), dealt in turn to the sorted members that subscribe to its topic. */
export const roundrobin: Assignor = ({ members, topics }) => {
  const sorted = [...members].sort(byKey);
  const out = new Map<string, Array<[string, number]>>(sorted.map((m) => [m.memberId, []]));
  const wanted = new Set(sorted.flatMap((m) => m.topics).filter((t) => topics.has(t)));
  let next = 0;
  for (const t of [...wanted].sort()) {
    for (let p = 0; p < topics.get(t)!; p++) {
      for (let tries = 0; tries < sorted.length; tries++) {
        const m = sorted[next % sorted.length]!;
        next++;
        if (m.topics.includes(t)) {
          out.get(m.memberId)!.push([t, p]);
          break;
        }
      }
    }
  }
  return new Map(sorted.map((m) => [m.memberId, toAssignment(out.get(m.memberId)!)]));
};

export const assignors: Record<string, Assignor> = { uniform, range, roundrobin };
export const DEFAULT_ASSIGNOR = 'uniform';
