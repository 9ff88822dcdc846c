import { sortMembers, toOutput, wantedTopics, type Assignor } from './types.js';

/** range: per topic, the sorted subscribers get contiguous ranges; the first (P mod C) get one extra (Kafka's RangeAssignor). */
export const range: Assignor = ({ members, topics }) => {
  const sorted = sortMembers(members);
  const owned = new Map<string, Array<[string, number]>>(sorted.map((m) => [m.memberId, []]));
  for (const t of wantedTopics(sorted, topics)) {
    const subs = sorted.filter((m) => m.topics.includes(t));
    const n = topics.get(t)!;
    const per = Math.floor(n / subs.length);
    const extra = n % subs.length;
    subs.forEach((m, i) => {
      const start = i * per + Math.min(i, extra);
      const len = per + (i < extra ? 1 : 0);
      for (let p = start; p < start + len; p++) owned.get(m.memberId)!.push([t, p]);
    });
  }
  return toOutput(sorted, owned);
};
