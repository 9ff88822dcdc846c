/**
 * uniform (the default, like Kafka's server-side UniformAssignor): balanced and sticky.
 *
 * 1. Every member keeps the partitions of its current target that are still valid (its topic is
 *    still subscribed and exists, the partition exists, nobody earlier in member order claimed it).
 * 2. Identical subscriptions (the common case): quotas. With P partitions and N members, the
 *    (P mod N) members that already hold the most get floor(P/N)+1, the others floor(P/N). Members
 *    over quota release their highest partitions; released and unowned partitions fill the members
 *    under quota. Only what balance requires moves: a join moves at most ceil(P/(N+1)) partitions
 *    (all to the newcomer), a leave moves only the leaver's partitions.
 * 3. Different subscriptions: unowned partitions go to the least-loaded subscriber, then single
 *    partitions move from a member to a subscriber of their topic holding at least two fewer,
 *    until no such move exists (each move lowers the sum of squared loads, so this terminates).
 */
import { cmp, sortMembers, toOutput, wantedTopics, type Assignor } from './types.js';

type TP = [string, number];

export const uniform: Assignor = ({ members, topics }) => {
  const sorted = sortMembers(members);
  const n = sorted.length;
  // Members with the same topic list (the usual case) share one set.
  const subsOf = new Map<readonly string[], Set<string>>();
  const subs = sorted.map((m) => {
    let s = subsOf.get(m.topics);
    if (!s) subsOf.set(m.topics, (s = new Set(m.topics.filter((t) => topics.has(t)))));
    return s;
  });
  const owned: TP[][] = sorted.map(() => []);
  // topic -> taken flag per partition
  const taken = new Map<string, Uint8Array>();
  for (const t of wantedTopics(sorted, topics)) taken.set(t, new Uint8Array(topics.get(t)!));

  // 1. Stickiness: keep what is still valid.
  sorted.forEach((m, i) => {
    for (const tp of m.current) {
      const flags = taken.get(tp.topic);
      if (!flags || !subs[i]!.has(tp.topic)) continue;
      const ps = isSorted(tp.partitions) ? tp.partitions : [...tp.partitions].sort((a, b) => a - b);
      for (const p of ps) {
        if (Number.isInteger(p) && p >= 0 && p < flags.length && !flags[p]) {
          flags[p] = 1;
          owned[i]!.push([tp.topic, p]);
        }
      }
    }
  });
  const unowned: TP[] = [];
  for (const [t, flags] of taken) for (let p = 0; p < flags.length; p++) if (!flags[p]) unowned.push([t, p]);

  const first = subs[0];
  const identical = n > 0 && subs.every((s) => s === first || (s.size === first!.size && [...s].every((t) => first!.has(t))));
  if (identical) byQuota(owned, unowned);
  else greedy(owned, unowned, subs);

  return toOutput(sorted, new Map(sorted.map((m, i) => [m.memberId, owned[i]!])));
};

function isSorted(ps: readonly number[]): boolean {
  for (let i = 1; i < ps.length; i++) if (ps[i - 1]! >= ps[i]!) return false;
  return true;
}

function byQuota(owned: TP[][], unowned: TP[]): void {
  const n = owned.length;
  const total = owned.reduce((s, o) => s + o.length, 0) + unowned.length;
  const base = Math.floor(total / n);
  const extra = total % n;
  // The +1 quotas go to the members that hold the most already (stable sort keeps member order on ties).
  const byHeld = owned.map((o, i) => ({ i, held: o.length })).sort((a, b) => b.held - a.held || a.i - b.i);
  const quota = new Array<number>(n).fill(base);
  for (let r = 0; r < extra; r++) quota[byHeld[r]!.i] = base + 1;
  const pool: TP[] = [];
  owned.forEach((o, i) => {
    if (o.length > quota[i]!) pool.push(...o.splice(quota[i]!));
  });
  pool.push(...unowned);
  pool.sort((a, b) => cmp(a[0], b[0]) || a[1] - b[1]);
  let next = 0;
  owned.forEach((o, i) => {
    while (o.length < quota[i]! && next < pool.length) o.push(pool[next++]!);
  });
}

function greedy(owned: TP[][], unowned: TP[], subs: Array<Set<string>>): void {
  const n = owned.length;
  for (const tp of unowned) {
    let best = -1;
    for (let i = 0; i < n; i++) if (subs[i]!.has(tp[0]) && (best < 0 || owned[i]!.length < owned[best]!.length)) best = i;
    if (best >= 0) owned[best]!.push(tp);
  }
  const order = (dir: 1 | -1) =>
    [...owned.keys()].sort((a, b) => dir * (owned[a]!.length - owned[b]!.length) || a - b);
  for (;;) {
    let moved = false;
    const desc = order(-1);
    outer: for (const to of order(1)) {
      for (const from of desc) {
        if (owned[from]!.length < owned[to]!.length + 2) break;
        const list = owned[from]!;
        for (let k = list.length - 1; k >= 0; k--) {
          if (subs[to]!.has(list[k]![0])) {
            owned[to]!.push(list.splice(k, 1)[0]!);
            moved = true;
            break outer;
          }
        }
      }
    }
    if (!moved) return;
  }
}
