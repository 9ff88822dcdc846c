// Reconciliation: moves a member's current assignment toward its target (Kafka's CurrentAssignmentBuilder).
import * as A from './assignment.js';
import type { Assignment } from './assignment.js';
import { edit, type Group, type Member, type MemberRecord, type MemberState, type Tx } from './model.js';

/**
 * Sets what a member holds, keeping the group's holder index in step: only the partitions that
 * change hands are touched, and those let go are recorded so that whoever waits for them is told.
 */
export function setHolding(tx: Tx, m: MemberRecord, assigned: Assignment, pending: Assignment): void {
  const after = A.inside(assigned, pending);
  for (const [t, p] of A.pairsNotIn(m.assigned, after)) letGo(tx, A.tpKey(t, p), m.memberId);
  for (const [t, p] of A.pairsNotIn(m.pendingRevocation, after)) letGo(tx, A.tpKey(t, p), m.memberId);
  const before = A.inside(m.assigned, m.pendingRevocation);
  for (const [t, p] of A.pairsNotIn(assigned, before)) tx.g.holders.set(A.tpKey(t, p), m.memberId);
  for (const [t, p] of A.pairsNotIn(pending, before)) tx.g.holders.set(A.tpKey(t, p), m.memberId);
  m.assigned = assigned;
  m.pendingRevocation = pending;
  tx.reheld.add(m.memberId);
}

/** A member leaves the group: everything it held is free. */
export function releaseAll(tx: Tx, m: Member): void {
  for (const [t, p] of A.pairs(m.assigned)) letGo(tx, A.tpKey(t, p), m.memberId);
  for (const [t, p] of A.pairs(m.pendingRevocation)) letGo(tx, A.tpKey(t, p), m.memberId);
}

function letGo(tx: Tx, k: string, memberId: string): void {
  if (tx.g.holders.get(k) !== memberId) return;
  tx.g.holders.delete(k);
  tx.released.add(k);
}

/** A member not running (left with -2, or replaced): it holds only what its target still gives it. */
export function settleAbsent(tx: Tx, member: Member): void {
  const target = tx.g.target.get(member.memberId) ?? A.EMPTY;
  const assigned = A.intersect(member.assigned, target);
  const state: MemberState = A.equal(assigned, target) ? 'stable' : 'unreleased_partitions';
  if (A.equal(assigned, member.assigned) && A.isEmpty(member.pendingRevocation) && state === member.state) return;
  const m = edit(tx, member);
  if (!A.isEmpty(m.pendingRevocation)) {
    m.rebalanceDeadline = null;
    tx.effects.push({ type: 'cancel', kind: 'rebalance', memberId: m.memberId });
  }
  setHolding(tx, m, assigned, A.EMPTY);
  m.state = state;
}

interface Step {
  assigned: Assignment;
  pending: Assignment;
  state: MemberState;
  /** Revocation starts now: the member keeps its epoch and gets a rebalance deadline. */
  revoking: boolean;
  /** It reaches the assignment epoch. */
  advances: boolean;
}

/**
 * One step toward the target, computed without changing anything. Revoke before assign: a
 * partition is added to a member's assigned set only when no other member holds it (assigned or
 * pending revocation), so at every instant each partition has at most one holder in the group.
 * (a) revocations pending: wait for the member's heartbeat to stop reporting them (keeps its epoch);
 * (b) it holds partitions outside its target: they become pending revocation (keeps its epoch);
 * (c) otherwise it advances to the assignment epoch and gets the target partitions nobody holds;
 *     those still held elsewhere make it `unreleased_partitions` until they are released.
 */
function nextStep(g: Group, m: Member): Step {
  if (!A.isEmpty(m.pendingRevocation)) {
    return { assigned: m.assigned, pending: m.pendingRevocation, state: 'unrevoked_partitions', revoking: false, advances: false };
  }
  const target = g.target.get(m.memberId) ?? A.EMPTY;
  // The common case: it holds exactly its target (reconcile keeps the target's own value then).
  if (m.assigned === target) return { assigned: target, pending: m.pendingRevocation, state: 'stable', revoking: false, advances: true };
  const revoke = A.minus(m.assigned, target);
  if (!A.isEmpty(revoke)) {
    return { assigned: A.intersect(m.assigned, target), pending: revoke, state: 'unrevoked_partitions', revoking: true, advances: false };
  }
  // Nothing pending and nothing outside the target: what the index says this member holds is in its assigned set.
  const free = A.filter(target, (t, p) => !g.holders.has(A.tpKey(t, p)));
  const assigned = A.isEmpty(free) ? m.assigned : A.union(m.assigned, free);
  if (A.equal(assigned, target)) return { assigned: target, pending: m.pendingRevocation, state: 'stable', revoking: false, advances: true };
  return { assigned, pending: m.pendingRevocation, state: 'unreleased_partitions', revoking: false, advances: true };
}

/** Moves a member one step toward its target (see nextStep). */
export function reconcile(tx: Tx, m: MemberRecord): void {
  const s = nextStep(tx.g, m);
  if (s.revoking) {
    m.rebalanceDeadline = tx.env.now + m.rebalanceTimeoutMs;
    tx.effects.push({ type: 'schedule', kind: 'rebalance', memberId: m.memberId, deadline: m.rebalanceDeadline });
  }
  if (s.advances && m.memberEpoch !== tx.g.assignmentEpoch) {
    m.previousMemberEpoch = m.memberEpoch;
    m.memberEpoch = tx.g.assignmentEpoch;
  }
  if (s.assigned !== m.assigned || s.pending !== m.pendingRevocation) setHolding(tx, m, s.assigned, s.pending);
  m.state = s.state;
}

const holdingKey = (assigned: Assignment, pending: Assignment) => `${A.key(assigned)}|${A.key(pending)}`;

/**
 * Push "heartbeat now" to the connected members (other than `except`, the one heartbeating)
 * whose next heartbeat would change what they hold: a revocation, or a partition they wait for
 * that is free now. Only members whose target or holding changed, or who wait for a partition let
 * go in this transition, can be such members, so only those are looked at. A member whose target did not
 * change picks up a new epoch at its next regular heartbeat (as in Kafka). Each change is pushed once.
 */
export function notifyMembers(tx: Tx, except: string | null): void {
  const { g } = tx;
  const candidates = new Set([...tx.retargeted, ...tx.reheld]);
  for (const k of tx.released) {
    const owner = g.targetOwners.get(k);
    if (owner !== undefined) candidates.add(owner);
  }
  for (const id of candidates) {
    const m = g.members.get(id);
    if (!m || id === except || m.connectionId === null || m.leftStatic) continue;
    const s = nextStep(g, m);
    const next = holdingKey(s.assigned, s.pending);
    if (next === holdingKey(m.assigned, m.pendingRevocation) || next === m.notified) continue;
    edit(tx, m).notified = next;
    tx.effects.push({ type: 'notify', memberId: id, connectionId: m.connectionId });
  }
}
