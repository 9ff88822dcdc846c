// Reconciliation: moves a member's current assignment toward its target (Kafka's CurrentAssignmentBuilder).
import * as A from './assignment.js';
import type { Effect, Group, Member, Tx } from './model.js';

/** A member not running (left with -2, or replaced): it holds only what its target still gives it. */
export function settleAbsent(tx: Tx, m: Member): void {
  const target = tx.g.target.get(m.memberId) ?? A.EMPTY;
  m.assigned = A.intersect(m.assigned, target);
  if (!A.isEmpty(m.pendingRevocation)) {
    m.pendingRevocation = A.EMPTY;
    m.rebalanceDeadline = null;
    tx.effects.push({ type: 'cancel', kind: 'rebalance', memberId: m.memberId });
  }
  m.state = A.equal(m.assigned, target) ? 'stable' : 'unreleased_partitions';
}

/** Who holds (assigned or pending revocation) each partition. */
export function holderIndex(g: Group): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of g.members.values()) {
    for (const [t, p] of A.pairs(m.assigned)) out.set(A.tpKey(t, p), m.memberId);
    for (const [t, p] of A.pairs(m.pendingRevocation)) out.set(A.tpKey(t, p), m.memberId);
  }
  return out;
}

/**
 * Moves a member one step toward its target. Revoke before assign: a partition is added to a
 * member's assigned set only when no other member holds it (assigned or pending revocation), so
 * at every instant each partition has at most one holder in the group.
 * (a) revocations pending: wait for the member's heartbeat to stop reporting them (keeps its epoch);
 * (b) it holds partitions outside its target: they become pending revocation (keeps its epoch);
 * (c) otherwise it advances to the assignment epoch and gets the target partitions nobody holds;
 *     those still held elsewhere make it `unreleased_partitions` until they are released.
 */
export function reconcile(g: Group, m: Member, now: number, effects: Effect[], holders: Map<string, string>): void {
  if (!A.isEmpty(m.pendingRevocation)) {
    m.state = 'unrevoked_partitions';
    return;
  }
  const target = g.target.get(m.memberId) ?? A.EMPTY;
  const revoke = A.minus(m.assigned, target);
  if (!A.isEmpty(revoke)) {
    m.assigned = A.intersect(m.assigned, target);
    m.pendingRevocation = revoke;
    m.state = 'unrevoked_partitions';
    m.rebalanceDeadline = now + m.rebalanceTimeoutMs;
    effects.push({ type: 'schedule', kind: 'rebalance', memberId: m.memberId, deadline: m.rebalanceDeadline });
    return;
  }
  if (m.memberEpoch !== g.assignmentEpoch) {
    m.previousMemberEpoch = m.memberEpoch;
    m.memberEpoch = g.assignmentEpoch;
  }
  const free = A.filter(target, (t, p) => !A.has(m.assigned, t, p) && (holders.get(A.tpKey(t, p)) ?? m.memberId) === m.memberId);
  if (!A.isEmpty(free)) {
    m.assigned = A.union(m.assigned, free);
    for (const [t, p] of A.pairs(free)) holders.set(A.tpKey(t, p), m.memberId);
  }
  m.state = A.equal(m.assigned, target) ? 'stable' : 'unreleased_partitions';
}

const progressKey = (m: Member) => `${m.memberEpoch}|${A.key(m.assigned)}|${A.key(m.pendingRevocation)}`;

/**
 * Push "heartbeat now" to every connected member (other than `except`) whose next heartbeat
 * would change something: a new epoch, a revocation, or a released partition it waits for.
 * Each distinct change is pushed once.
 */
export function notifyMembers(tx: Tx, except: string | null): void {
  const { g } = tx;
  const holders = holderIndex(g);
  for (const m of g.members.values()) {
    if (m.memberId === except || m.connectionId === null || m.leftStatic) continue;
    const probe = { ...m };
    reconcile(g, probe, tx.env.now, [], new Map(holders));
    const next = progressKey(probe);
    if (next === progressKey(m) || next === m.notified) continue;
    m.notified = next;
    tx.effects.push({ type: 'notify', memberId: m.memberId, connectionId: m.connectionId });
  }
}

