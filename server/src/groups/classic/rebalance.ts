// The rebalance mechanics of a classic group, after Kafka's ClassicGroup and the classic paths of
// GroupMetadataManager: membership bookkeeping, protocol selection, prepareRebalance (with the
// initial delay), completing the join phase (new generation, leader, parked JoinGroup answers),
// propagating the leader's assignment, and the heartbeat/sync deadlines.
import { ErrorCode } from '@brook/protocol';
import { EMPTY_ASSIGNMENT, log, type ClassicGroup, type ClassicGroupState, type ClassicMember, type ClassicTx } from './model.js';
import type { JoinGroupResponse, JoinGroupResponseMember } from './types.js';

// ---------------------------------------------------------------------------------------------
// membership

export function addMember(tx: ClassicTx, m: ClassicMember): void {
  const { g } = tx;
  if (g.members.size === 0) g.protocolType = m.protocolType;
  g.members.set(m.memberId, m);
  g.pendingJoinMembers.delete(m.memberId);
  if (g.leaderId === null) g.leaderId = m.memberId;
  if (m.groupInstanceId !== null) g.staticMembers.set(m.groupInstanceId, m.memberId);
}

/** Removes a member; a parked JoinGroup/SyncGroup of it is answered UNKNOWN_MEMBER_ID (it may retry). */
export function removeMember(tx: ClassicTx, memberId: string): void {
  const { g } = tx;
  const m = g.members.get(memberId);
  if (m) {
    answerJoin(tx, m, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    answerSyncError(tx, m, ErrorCode.UNKNOWN_MEMBER_ID);
    g.members.delete(memberId);
    if (m.groupInstanceId !== null && g.staticMembers.get(m.groupInstanceId) === memberId) g.staticMembers.delete(m.groupInstanceId);
  }
  if (g.leaderId === memberId) g.leaderId = g.members.keys().next().value ?? null;
  g.pendingJoinMembers.delete(memberId);
  g.pendingSyncMembers.delete(memberId);
  tx.effects.push({ type: 'cancel', timer: 'heartbeat', memberId });
}

/** Kafka's validateMember: the instance id must map to this member id, and the member must exist. */
export function validateMember(g: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
  if (groupInstanceId !== null) {
    const existing = g.staticMembers.get(groupInstanceId);
    if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (existing !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
  }
  return g.members.has(memberId) ? 0 : ErrorCode.UNKNOWN_MEMBER_ID;
}

export function hasAllMembersJoined(g: ClassicGroup): boolean {
  if (g.pendingJoinMembers.size > 0) return false;
  for (const m of g.members.values()) if (m.awaitingJoin === null) return false;
  return true;
}

export function numAwaitingJoin(g: ClassicGroup): number {
  let n = 0;
  for (const m of g.members.values()) if (m.awaitingJoin !== null) n++;
  return n;
}

/** The group's rebalance timeout: the largest of its members'. */
export function rebalanceTimeoutMs(g: ClassicGroup): number {
  let max = 0;
  for (const m of g.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
  return max;
}

export function scheduleHeartbeat(tx: ClassicTx, m: ClassicMember, timeoutMs = m.sessionTimeoutMs): void {
  m.heartbeatDeadline = tx.env.now + timeoutMs;
  tx.effects.push({ type: 'schedule', timer: 'heartbeat', memberId: m.memberId, deadline: m.heartbeatDeadline });
}

// ---------------------------------------------------------------------------------------------
// protocols

/** Protocols every member supports. */
function candidateProtocols(g: ClassicGroup): Set<string> {
  const counts = new Map<string, number>();
  for (const m of g.members.values()) for (const p of new Set(m.protocols.map((x) => x.name))) counts.set(p, (counts.get(p) ?? 0) + 1);
  return new Set([...counts].filter(([, n]) => n === g.members.size).map(([p]) => p));
}

/**
 * Kafka's ClassicGroup.supportsProtocols: an Empty group takes any non-empty type and protocol
 * list; otherwise the type must be the group's and one protocol must be supported by all members.
 */
export function supportsProtocols(g: ClassicGroup, protocolType: string, names: readonly string[]): boolean {
  if (g.state === 'Empty') return protocolType !== '' && names.length > 0;
  if (g.protocolType !== protocolType) return false;
  const candidates = candidateProtocols(g);
  return names.some((n) => candidates.has(n));
}

/** Kafka's selectProtocol: each member votes for its most preferred common protocol; most votes wins (first on ties). */
export function selectProtocol(g: ClassicGroup): string | null {
  const candidates = candidateProtocols(g);
  const votes = new Map<string, number>();
  for (const m of g.members.values()) {
    const vote = m.protocols.find((p) => candidates.has(p.name))?.name;
    if (vote !== undefined) votes.set(vote, (votes.get(vote) ?? 0) + 1);
  }
  let best: string | null = null;
  let most = 0;
  for (const [p, n] of votes) if (n > most) [best, most] = [p, n];
  return best;
}

export function metadataFor(m: ClassicMember, protocolName: string | null): Uint8Array {
  return m.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_ASSIGNMENT;
}

/** Same protocols, same metadata, same order: a rejoin that changes nothing. */
export function sameProtocols(m: ClassicMember, protocols: readonly { name: string; metadata: Uint8Array }[]): boolean {
  return m.protocols.length === protocols.length && m.protocols.every((p, i) => p.name === protocols[i]!.name && bytesEqual(p.metadata, protocols[i]!.metadata));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---------------------------------------------------------------------------------------------
// answers

export function joinError(memberId: string, errorCode: number): JoinGroupResponse {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [] };
}

/** The current generation as a JoinGroup answer; by default only the leader gets the members. */
export function joinAnswer(g: ClassicGroup, memberId: string, opts: { leader?: string; skipAssignment?: boolean; withMembers?: boolean } = {}): JoinGroupResponse {
  const withMembers = opts.withMembers ?? g.leaderId === memberId;
  return {
    errorCode: 0,
    generationId: g.generationId,
    protocolType: g.protocolType,
    protocolName: g.protocolName,
    leader: opts.leader ?? g.leaderId ?? '',
    skipAssignment: opts.skipAssignment ?? false,
    memberId,
    members: withMembers ? currentMembers(g) : [],
  };
}

function currentMembers(g: ClassicGroup): JoinGroupResponseMember[] {
  return [...g.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: metadataFor(m, g.protocolName) }));
}

/** Answers the member's parked JoinGroup, if any. */
export function answerJoin(tx: ClassicTx, m: ClassicMember, response: JoinGroupResponse): boolean {
  if (m.awaitingJoin === null) return false;
  tx.effects.push({ type: 'joinResponse', requestId: m.awaitingJoin, response });
  m.awaitingJoin = null;
  return true;
}

export function answerSyncError(tx: ClassicTx, m: ClassicMember, errorCode: number): boolean {
  if (m.awaitingSync === null) return false;
  tx.effects.push({ type: 'syncResponse', requestId: m.awaitingSync, response: { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT } });
  m.awaitingSync = null;
  return true;
}

/** Answers every parked SyncGroup: with its assignment, or with an error (and no assignment). */
function propagateAssignment(tx: ClassicTx, errorCode: number): void {
  const { g } = tx;
  for (const m of g.members.values()) {
    if (m.awaitingSync === null) continue;
    if (errorCode !== 0) answerSyncError(tx, m, errorCode);
    else {
      tx.effects.push({ type: 'syncResponse', requestId: m.awaitingSync, response: { errorCode: 0, protocolType: g.protocolType, protocolName: g.protocolName, assignment: m.assignment } });
      m.awaitingSync = null;
    }
    // Its session may have run out while it waited (waiting satisfies heartbeats): count from now.
    scheduleHeartbeat(tx, m);
  }
}

// ---------------------------------------------------------------------------------------------
// state changes

export function transitionTo(tx: ClassicTx, state: ClassicGroupState): void {
  tx.g.previousState = tx.g.state;
  tx.g.state = state;
  tx.g.stateTimestamp = tx.env.now;
}

/** The leader's assignment arrived: every member gets its bytes (missing ones get empty bytes). */
export function setAndPropagateAssignment(tx: ClassicTx, assignments: ReadonlyMap<string, Uint8Array>): void {
  for (const m of tx.g.members.values()) m.assignment = assignments.get(m.memberId) ?? EMPTY_ASSIGNMENT;
  transitionTo(tx, 'Stable');
  tx.persist = true;
  propagateAssignment(tx, 0);
  log(tx, 'info', 'classic group stable', { generationId: tx.g.generationId, members: tx.g.members.size, protocol: tx.g.protocolName });
}

function setJoinTimer(tx: ClassicTx, deadline: number, initialDelay: { delayMs: number; remainingMs: number } | null): void {
  tx.g.joinTimer = { deadline, initialDelay };
  tx.effects.push({ type: 'schedule', timer: 'join', memberId: null, deadline });
}

function clearJoinTimer(tx: ClassicTx): void {
  if (tx.g.joinTimer === null) return;
  tx.g.joinTimer = null;
  tx.effects.push({ type: 'cancel', timer: 'join', memberId: null });
}

function clearSyncTimer(tx: ClassicTx): void {
  if (tx.g.syncTimer === null) return;
  tx.g.syncTimer = null;
  tx.effects.push({ type: 'cancel', timer: 'sync', memberId: null });
}

export function removePendingSyncMember(tx: ClassicTx, memberId: string): void {
  tx.g.pendingSyncMembers.delete(memberId);
  if (tx.g.pendingSyncMembers.size === 0) clearSyncTimer(tx);
}

/** Starts a rebalance: parked syncs are told to rejoin; a new group waits the initial delay first. */
export function prepareRebalance(tx: ClassicTx, reason: string): void {
  const { g, env } = tx;
  if (g.state === 'CompletingRebalance') {
    for (const m of g.members.values()) m.assignment = EMPTY_ASSIGNMENT;
    propagateAssignment(tx, ErrorCode.REBALANCE_IN_PROGRESS);
  }
  g.pendingSyncMembers.clear();
  clearSyncTimer(tx);
  const initial = g.state === 'Empty';
  if (initial) {
    const delayMs = env.config.initialRebalanceDelayMs;
    setJoinTimer(tx, env.now + delayMs, { delayMs, remainingMs: Math.max(rebalanceTimeoutMs(g) - delayMs, 0) });
  }
  transitionTo(tx, 'PreparingRebalance');
  log(tx, 'info', 'preparing to rebalance', { generationId: g.generationId, reason });
  if (!initial) {
    if (hasAllMembersJoined(g)) completeJoin(tx);
    else setJoinTimer(tx, env.now + rebalanceTimeoutMs(g), null);
  }
}

/** Kafka's maybeCompleteJoinPhase: never during the initial delay, and only once everyone rejoined. */
export function maybeCompleteJoinPhase(tx: ClassicTx): void {
  const { g } = tx;
  if (g.state !== 'PreparingRebalance' || g.previousState === 'Empty' || !hasAllMembersJoined(g)) return;
  completeJoin(tx);
}

export function maybePrepareRebalanceOrCompleteJoin(tx: ClassicTx, reason: string): void {
  const s = tx.g.state;
  if (s === 'Stable' || s === 'CompletingRebalance' || s === 'Empty') prepareRebalance(tx, reason);
  else maybeCompleteJoinPhase(tx);
}

/** The join timer fired: extend the initial delay while members keep arriving, else complete the join phase. */
export function onJoinTimer(tx: ClassicTx): void {
  const { g, env } = tx;
  const delay = g.joinTimer?.initialDelay ?? null;
  g.joinTimer = null;
  if (delay !== null && g.newMemberAdded && delay.remainingMs !== 0) {
    g.newMemberAdded = false;
    const delayMs = Math.min(env.config.initialRebalanceDelayMs, delay.remainingMs);
    setJoinTimer(tx, env.now + delayMs, { delayMs, remainingMs: Math.max(delay.remainingMs - delay.delayMs, 0) });
    return;
  }
  completeJoin(tx);
}

/**
 * Completes the join phase: dynamic members that did not rejoin are dropped, the leader is one
 * that rejoined, the generation moves on, a protocol is selected, and every parked JoinGroup is
 * answered. Static members that did not rejoin stay (their session decides).
 */
export function completeJoin(tx: ClassicTx): void {
  const { g, env } = tx;
  clearJoinTimer(tx);
  g.newMemberAdded = false;
  const gone = [...g.members.values()].filter((m) => m.awaitingJoin === null && m.groupInstanceId === null);
  for (const m of gone) removeMember(tx, m.memberId);
  if (gone.length > 0) log(tx, 'info', 'removed members that did not rejoin in time', { members: gone.map((m) => m.memberId) });

  if (g.members.size > 0 && !electJoinedLeader(g)) {
    // Nobody rejoined (only static members are left): wait another round for their sessions to decide.
    log(tx, 'warn', 'no member rejoined; postponing the rebalance', { generationId: g.generationId });
    setJoinTimer(tx, env.now + rebalanceTimeoutMs(g), null);
    return;
  }
  g.generationId++;
  g.pendingSyncMembers.clear();
  if (g.members.size === 0) {
    g.protocolName = null;
    transitionTo(tx, 'Empty');
    tx.persist = true;
    log(tx, 'info', 'classic group is now empty', { generationId: g.generationId });
    return;
  }
  g.protocolName = selectProtocol(g);
  transitionTo(tx, 'CompletingRebalance');
  for (const m of g.members.values()) {
    answerJoin(tx, m, joinAnswer(g, m.memberId));
    scheduleHeartbeat(tx, m);
    m.isNew = false;
    g.pendingSyncMembers.add(m.memberId);
  }
  g.syncTimer = { deadline: env.now + rebalanceTimeoutMs(g), generationId: g.generationId };
  tx.effects.push({ type: 'schedule', timer: 'sync', memberId: null, deadline: g.syncTimer.deadline });
  log(tx, 'info', 'join phase complete', { generationId: g.generationId, leader: g.leaderId, protocol: g.protocolName, members: g.members.size });
}

/** Kafka's maybeElectNewJoinedLeader: a leader that did not rejoin hands over to one that did. */
function electJoinedLeader(g: ClassicGroup): boolean {
  const leader = g.leaderId === null ? undefined : g.members.get(g.leaderId);
  if (!leader) return false;
  if (leader.awaitingJoin !== null) return true;
  for (const m of g.members.values()) {
    if (m.awaitingJoin !== null) {
      g.leaderId = m.memberId;
      return true;
    }
  }
  return false;
}

/** Members of this generation that never sent SyncGroup are removed, and the group rebalances. */
export function onSyncTimer(tx: ClassicTx): void {
  const { g } = tx;
  const timer = g.syncTimer;
  g.syncTimer = null;
  if (!timer || timer.generationId !== g.generationId) return;
  if ((g.state !== 'CompletingRebalance' && g.state !== 'Stable') || g.pendingSyncMembers.size === 0) return;
  const missing = [...g.pendingSyncMembers];
  for (const id of missing) removeMember(tx, id);
  log(tx, 'warn', 'removed members that did not sync in time', { members: missing });
  prepareRebalance(tx, `members ${missing.join(', ')} did not send SyncGroup in time`);
}
