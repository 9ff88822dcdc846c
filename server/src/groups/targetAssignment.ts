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
  return topicCounts([...g.members.values()].map((m) => resolveSubscription(m, topics)), topics);
}

/** Topic -> partition count of every topic in the lists, sorted by name. */
function topicCounts(lists: Iterable<readonly string[]>, topics: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const list of lists) for (const t of list) out.set(t, topics.get(t)!);
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
  // Members mostly share a subscription: resolve each distinct one once.
  const resolved = new Map<string, string[]>();
  const current: Assignment[] = [];
  const input = [...g.members.values()].map((m) => {
    const sub = `${m.subscribedTopicRegex ?? ''}\u0001${m.subscribedTopicNames.join('\u0000')}`;
    let topics = resolved.get(sub);
    if (topics === undefined) resolved.set(sub, (topics = resolveSubscription(m, env.topics)));
    const target = g.target.get(m.memberId);
    current.push(target ?? A.EMPTY);
    return { memberId: m.memberId, instanceId: m.instanceId, topics, current: A.wireView(target ?? m.assigned) };
  });
  const out = assignor({ members: input, topics: env.topics });
  const changed: Array<[string, Assignment]> = [];
  input.forEach((m, i) => {
    const wire = out.get(m.memberId) ?? [];
    if (!A.equalsWire(current[i]!, wire)) changed.push([m.memberId, A.fromWire(wire)]);
  });
  const moved = setTargets(tx, changed);
  g.assignmentEpoch = g.groupEpoch;
  g.subscribedTopics = topicCounts(resolved.values(), env.topics);

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
 * in step: only partitions that change owner are touched, and all old entries are dropped before
 * new ones are added, so a partition moving between two listed members ends up with its new
 * member whatever the order. Returns the partitions that moved from one member's target to another's.
 */
export function setTargets(tx: Tx, targets: ReadonlyArray<readonly [string, Assignment | null]>): string[] {
  const { g } = tx;
  const removed: Array<[string, string]> = [];
  const added: Array<[string, string]> = [];
  const moved: string[] = [];
  for (const [memberId, next] of targets) {
    const before = g.target.get(memberId) ?? A.EMPTY;
    const after = next ?? A.EMPTY;
    for (const [t, p] of A.pairsNotIn(before, A.inside(after))) removed.push([A.tpKey(t, p), memberId]);
    for (const [t, p] of A.pairsNotIn(after, A.inside(before))) {
      const k = A.tpKey(t, p);
      const was = g.targetOwners.get(k);
      if (was !== undefined && was !== memberId) moved.push(A.tpLabel(t, p));
      added.push([k, memberId]);
    }
    tx.retargeted.add(memberId);
    if (next === null) g.target.delete(memberId);
    else g.target.set(memberId, next);
  }
  for (const [k, memberId] of removed) if (g.targetOwners.get(k) === memberId) g.targetOwners.delete(k);
  for (const [k, memberId] of added) g.targetOwners.set(k, memberId);
  return moved;
}
