/**
 * Server-side assignors (KIP-848): pure, deterministic functions from the group's members and
 * topics to a target assignment. The coordinator resolves subscriptions (names and regex) to
 * existing topics before calling, so `topics` of a member only lists topics present in `topics`.
 */
import type { TopicPartitions } from '@brook/protocol';

export interface AssignorMember {
  memberId: string;
  /** Static members sort by instance id, so a restarted instance (new member id) lands in the same place. */
  instanceId: string | null;
  /** Subscribed topics, resolved to existing topics. */
  topics: readonly string[];
  /** The member's current target assignment (stickiness input); empty for a new member. */
  current: readonly TopicPartitions[];
}

export interface AssignorInput {
  members: readonly AssignorMember[];
  /** Topic name -> partition count. */
  topics: ReadonlyMap<string, number>;
}

/** memberId -> partitions; every input member is present, idle ones with an empty list. */
export type AssignorOutput = Map<string, TopicPartitions[]>;

export type Assignor = (input: AssignorInput) => AssignorOutput;

const sortKey = (m: AssignorMember) => m.instanceId ?? m.memberId;

/** Deterministic member order: instance id (else member id), then member id. */
export function sortMembers(members: readonly AssignorMember[]): AssignorMember[] {
  // Keys computed once: this runs on every rebalance of groups of thousands of members.
  const keyed = members.map((m) => ({ m, k: sortKey(m) }));
  keyed.sort((a, b) => cmp(a.k, b.k) || cmp(a.m.memberId, b.m.memberId));
  return keyed.map((x) => x.m);
}

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Topics some member subscribes to, that exist, sorted by name. */
export function wantedTopics(members: readonly AssignorMember[], topics: ReadonlyMap<string, number>): string[] {
  const set = new Set<string>();
  for (const m of members) for (const t of m.topics) if (topics.has(t)) set.add(t);
  return [...set].sort(cmp);
}

/** Builds the output from per-member (topic, partition) lists, sorted by topic then partition. */
export function toOutput(sorted: readonly AssignorMember[], owned: ReadonlyMap<string, ReadonlyArray<readonly [string, number]>>): AssignorOutput {
  const out: AssignorOutput = new Map();
  for (const m of sorted) {
    const pairs = [...(owned.get(m.memberId) ?? [])].sort((a, b) => cmp(a[0], b[0]) || a[1] - b[1]);
    const tps: TopicPartitions[] = [];
    for (const [t, p] of pairs) {
      const last = tps[tps.length - 1];
      if (last && last.topic === t) last.partitions.push(p);
      else tps.push({ topic: t, partitions: [p] });
    }
    out.set(m.memberId, tps);
  }
  return out;
}
