// The target assignment (Kafka's TargetAssignmentBuilder): subscriptions, assignor choice, epoch bump.
import * as A from './assignment.js';
import type { Assignment } from './assignment.js';
import { DEFAULT_ASSIGNOR, getAssignor, uniform } from './assignors/index.js';
import { settleAbsent } from './currentAssignment.js';
import { RE2JS } from 're2js';
import { log, type Env, type Group, type Member, type Tx } from './model.js';

const compiled = new Map<string, RE2JS | null>();

/**
 * A subscription regex, compiled by RE2 (Kafka uses RE2J, kfake Go's regexp): linear-time
 * matching, so no pattern can stall the event loop. Null if RE2 rejects it (lookaround,
 * backreferences, bad syntax): the heartbeat answers INVALID_REGULAR_EXPRESSION.
 */
export function compileRegex(source: string): RE2JS | null {
  let re = compiled.get(source);
  if (re === undefined) {
    try {
      re = RE2JS.compile(source);
    } catch {
      re = null;
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(source, re);
  }
  return re;
}

/** Topics whose whole name matches (Kafka's full-match semantics), sorted. */
export function matchTopics(source: string, topics: ReadonlyMap<string, number>): string[] {
  const re = compileRegex(source);
  const out: string[] = [];
  if (re) for (const t of topics.keys()) if (re.testExact(t)) out.push(t);
  return out.sort();
}

function resolveSubscription(m: Member, env: Env): string[] {
  const out = new Set(m.subscribedTopicNames.filter((t) => env.topics.has(t)));
  if (m.subscribedTopicRegex !== null) {
    // The coordinator's resolver caches per group and keeps only topics the principal may describe.
    const matched = env.regexTopics ? env.regexTopics(m.subscribedTopicRegex, m.principal) : matchTopics(m.subscribedTopicRegex, env.topics);
    for (const t of matched) if (env.topics.has(t)) out.add(t);
  }
  return [...out].sort();
}

/**
 * A resolver of member subscriptions that resolves each distinct one once: members mostly share
 * a subscription (with a regex, also the principal it resolves for).
 */
function subscriptionResolver(env: Env): { resolve(m: Member): string[]; distinct(): Iterable<string[]> } {
  const resolved = new Map<string, string[]>();
  return {
    resolve(m) {
      const regex = m.subscribedTopicRegex === null ? '' : `${m.subscribedTopicRegex}\u0002${m.principal ?? '\u0003'}`;
      const sub = `${regex}\u0001${m.subscribedTopicNames.join('\u0000')}`;
      let topics = resolved.get(sub);
      if (topics === undefined) resolved.set(sub, (topics = resolveSubscription(m, env)));
      return topics;
    },
    distinct: () => resolved.values(),
  };
}

export function subscribedTopics(g: Group, env: Env): Map<string, number> {
  const subs = subscriptionResolver(env);
  for (const m of g.members.values()) subs.resolve(m);
  return topicCounts(subs.distinct(), env.topics);
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
  const subs = subscriptionResolver(env);
  const current: Assignment[] = [];
  const input = [...g.members.values()].map((m) => {
    const topics = subs.resolve(m);
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
  // Members that left kept their target until now, so the partitions their targets had count as moved.
  const departed = [...tx.removed].filter((id) => !g.members.has(id) && g.target.has(id)).map((id) => [id, null] as const);
  const moved = setTargets(tx, [...departed, ...changed]);
  g.assignmentEpoch = g.groupEpoch;
  g.subscribedTopics = topicCounts(subs.distinct(), env.topics);

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
