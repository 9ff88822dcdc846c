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

export function subscribedTopics(g: Group, env: Env): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of g.members.values()) for (const t of resolveSubscription(m, env)) out.set(t, env.topics.get(t)!);
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
 * member epoch then says which target the member has reached (see currentAssignment.ts).
 */
export function bump(tx: Tx, reason: string): void {
  const { g, env } = tx;
  const before = owners(g.target);
  g.groupEpoch++;
  g.assignor = chooseAssignor(g);
  const assignor = getAssignor(g.assignor) ?? uniform;
  const input = [...g.members.values()].map((m) => ({
    memberId: m.memberId,
    instanceId: m.instanceId,
    topics: resolveSubscription(m, env),
    current: A.toWire(g.target.get(m.memberId) ?? m.assigned),
  }));
  const out = assignor({ members: input, topics: env.topics });
  g.target = new Map(input.map((m) => [m.memberId, A.fromWire(out.get(m.memberId) ?? [])]));
  g.assignmentEpoch = g.groupEpoch;
  g.subscribedTopics = subscribedTopics(g, env);
  tx.persist = true;

  const moved: string[] = [];
  for (const [k, owner] of owners(g.target)) {
    const was = before.get(k);
    if (was !== undefined && was !== owner) moved.push(k.replace('\0', '-'));
  }
  log(tx, 'info', 'rebalance', {
    groupEpoch: g.groupEpoch,
    reason,
    assignor: g.assignor,
    members: g.members.size,
    movedCount: moved.length,
    moved: moved.slice(0, 100),
  });
  // Members away with epoch -2 own nothing right now: what leaves their target is free at once.
  for (const m of g.members.values()) if (m.leftStatic) settleAbsent(tx, m);
}

function owners(target: ReadonlyMap<string, Assignment>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [memberId, a] of target) for (const [t, p] of A.pairs(a)) out.set(A.tpKey(t, p), memberId);
  return out;
}

