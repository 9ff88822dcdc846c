// The target assignment (Kafka's TargetAssignmentBuilder): subscriptions, assignor choice, epoch bump.
import * as A from './assignment.js';
import type { Assignment } from './assignment.js';
import { DEFAULT_ASSIGNOR, getAssignor, uniform } from './assignors/index.js';
import { settleAbsent } from './currentAssignment.js';
import { log, type Group, type Member, type Tx } from './model.js';

const regexCache = new Map<string, RegExp | null>();

/** Full-match semantics, like Kafka's RE2J regex subscriptions. */
export function compileRegex(source: string): RegExp | null {
  let re = regexCache.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${source})$`);
    } catch {
      re = null;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

function resolveSubscription(m: Member, topics: ReadonlyMap<string, number>): string[] {
  const out = new Set(m.subscribedTopicNames.filter((t) => topics.has(t)));
  if (m.subscribedTopicRegex !== null) {
    const re = compileRegex(m.subscribedTopicRegex);
    if (re) for (const t of topics.keys()) if (re.test(t)) out.add(t);
  }
  return [...out].sort();
}

export function subscribedTopics(g: Group, topics: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of g.members.values()) for (const t of resolveSubscription(m, topics)) out.set(t, topics.get(t)!);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export const sameCounts = (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>) =>
  a.size === b.size && [...a].every(([t, n]) => b.get(t) === n);

/** The assignor most members ask for; ties prefer the default, then the alphabetically first. */
export function chooseAssignor(g: Group): string {
  const votes = new Map<string, number>();
  for (const m of g.members.values()) if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
  if (votes.size === 0) return g.members.size === 0 ? g.assignor : DEFAULT_ASSIGNOR;
  const best = Math.max(...votes.values());
  const tied = [...votes].filter(([, n]) => n === best).map(([a]) => a);
  return tied.includes(DEFAULT_ASSIGNOR) ? DEFAULT_ASSIGNOR : tied.sort()[0]!;
}

/**
 * New group epoch and, at once, its target assignment. The group epoch rises when membership, a
 * subscription, the assignor, or a subscribed topic's partitions change; the target is recomputed
 * for that epoch within the same transition, so the assignment epoch catches up at once. Each
 * member epoch then says which target the member has reached (see currentAssignment.ts). The
 * assignor sees the whole group, but only the members whose target changed are updated (and,
 * later, notified and persisted), as Kafka's TargetAssignmentBuilder writes only changed members.
 */
export function bump(tx: Tx, reason: string): void {
  const { g, env } = tx;
  g.groupEpoch++;
  g.assignor = chooseAssignor(g);
  const assignor = getAssignor(g.assignor) ?? uniform;
  const input = [...g.members.values()].map((m) => ({
    memberId: m.memberId,
    instanceId: m.instanceId,
    topics: resolveSubscription(m, env.topics),
    current: A.toWire(g.target.get(m.memberId) ?? m.assigned),
  }));
  const out = assignor({ members: input, topics: env.topics });
  const changed: Array<[string, Assignment]> = [];
  for (const m of input) {
    const wire = out.get(m.memberId) ?? [];
    if (!A.equalsWire(g.target.get(m.memberId) ?? A.EMPTY, wire)) changed.push([m.memberId, A.fromWire(wire)]);
  }
  // Partitions that had a target owner and now have another one.
  const moved: string[] = [];
  for (const [memberId, next] of changed) {
    for (const [t, p] of A.pairs(next)) {
      const was = g.targetOwners.get(A.tpKey(t, p));
      if (was !== undefined && was !== memberId) moved.push(A.tpLabel(t, p));
    }
  }
  setTargets(tx, changed);
  g.assignmentEpoch = g.groupEpoch;
  g.subscribedTopics = subscribedTopics(g, env.topics);

  log(tx, 'info', 'rebalance', {
    groupEpoch: g.groupEpoch,
    reason,
    assignor: g.assignor,
    members: g.members.size,
    retargeted: changed.length,
    movedCount: moved.length,
    moved: moved.slice(0, 100),
  });
  // Members away with epoch -2 own nothing right now: what leaves their target is free at once.
  for (const [memberId] of changed) {
    const m = g.members.get(memberId);
    if (m?.leftStatic) settleAbsent(tx, m);
  }
}

/**
 * Replaces the targets of some members (null: the member is gone), keeping the target-owner index
 * in step: all old entries are dropped before new ones are added, so a partition moving between
 * two listed members ends up owned by its new member whatever the order.
 */
export function setTargets(tx: Tx, targets: ReadonlyArray<readonly [string, Assignment | null]>): void {
  const { g } = tx;
  for (const [memberId] of targets) {
    for (const [t, p] of A.pairs(g.target.get(memberId) ?? A.EMPTY)) {
      const k = A.tpKey(t, p);
      if (g.targetOwners.get(k) === memberId) g.targetOwners.delete(k);
    }
  }
  for (const [memberId, next] of targets) {
    tx.retargeted.add(memberId);
    if (next === null) {
      g.target.delete(memberId);
      continue;
    }
    g.target.set(memberId, next);
    for (const [t, p] of A.pairs(next)) g.targetOwners.set(A.tpKey(t, p), memberId);
  }
}
