import { sortMembers, toOutput, wantedTopics, type Assignor } from './types.js';

/**
 * roundrobin: all partitions sorted by (topic, partition), dealt in turn to the sorted members;
 * a member not subscribed to a partition's topic is skipped for that partition.
 */
export const roundrobin: Assignor = ({ members, topics }) => {
  const sorted = sortMembers(members);
  const owned = new Map<string, Array<[string, number]>>(sorted.map((m) => [m.memberId, []]));
  const subs = sorted.map((m) => new Set(m.topics));
  let next = 0;
  for (const t of wantedTopics(sorted, topics)) {
    for (let p = 0; p < topics.get(t)!; p++) {
      for (let tries = 0; tries < sorted.length; tries++) {
        const i = next++ % sorted.length;
        if (subs[i]!.has(t)) {
          owned.get(sorted[i]!.memberId)!.push([t, p]);
          break;
        }
      }
    }
  }
  return toOutput(sorted, owned);
};
