// The classic group state machine: `(group, event, env) -> { group, effects, answer }`. Pure and
// clock-injected like the KIP-848 one (../transitions.ts): the input group is never mutated, and
// timers, parked answers, persistence and logs come back as effects. JoinGroup is in join.ts, the
// rebalance mechanics in rebalance.ts; SyncGroup, Heartbeat, LeaveGroup and the timers are here.
import { ErrorCode } from '@brook/protocol';
import { copyGroup, log, newClassicGroup, type ClassicEnv, type ClassicEvent, type ClassicGroup, type ClassicTransitionResult, type ClassicTx } from './model.js';
import { join } from './join.js';
import {
  completeJoin,
  hasAllMembersJoined,
  maybeCompleteJoinPhase,
  maybePrepareRebalanceOrCompleteJoin,
  onJoinTimer,
  onSyncTimer,
  removeMember,
  removePendingSyncMember,
  scheduleHeartbeat,
  setAndPropagateAssignment,
  validateMember,
} from './rebalance.js';
import { UNKNOWN_MEMBER_ID, type HeartbeatRequest, type HeartbeatResponse, type LeaveGroupMemberResponse, type LeaveGroupRequest, type LeaveGroupResponse, type SyncGroupRequest } from './types.js';
import { EMPTY_ASSIGNMENT } from './model.js';

/**
 * One step. `group` is null when no classic group of that id exists: a JoinGroup without a member
 * id creates one; everything else about an unknown group is UNKNOWN_MEMBER_ID, as in Kafka.
 */
export function classicTransition(group: ClassicGroup | null, event: ClassicEvent, env: ClassicEnv): ClassicTransitionResult {
  switch (event.type) {
    case 'join': {
      const req = event.request;
      const cfg = env.config;
      const refuse = (code: number): ClassicTransitionResult => ({
        group,
        effects: [{ type: 'joinResponse', requestId: event.requestId, response: { errorCode: code, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId: req.memberId, members: [] } }],
      });
      // GroupCoordinatorService.joinGroup checks the session timeout before the group is touched.
      if (req.sessionTimeoutMs < cfg.minSessionTimeoutMs || req.sessionTimeoutMs > cfg.maxSessionTimeoutMs) return refuse(ErrorCode.INVALID_SESSION_TIMEOUT);
      if (group === null && req.memberId !== UNKNOWN_MEMBER_ID) return refuse(ErrorCode.UNKNOWN_MEMBER_ID);
      const created = group === null;
      const tx = begin(group ?? newClassicGroup(req.groupId, env.now), env);
      // A new group is written at once (Kafka appends an empty GroupMetadata record), so it survives a restart.
      if (created) tx.persist = true;
      join(tx, event);
      return finish(tx);
    }
    case 'sync': {
      if (group === null) return { group, effects: [syncError(event.requestId, ErrorCode.UNKNOWN_MEMBER_ID)] };
      const tx = begin(group, env);
      sync(tx, event.requestId, event.request);
      return finish(tx);
    }
    case 'heartbeat': {
      if (group === null) return { group, effects: [], heartbeat: { errorCode: ErrorCode.UNKNOWN_MEMBER_ID } };
      const tx = begin(group, env);
      const heartbeat = heartbeatStep(tx, event.request);
      // An error changes nothing.
      return heartbeat.errorCode !== 0 && heartbeat.errorCode !== ErrorCode.REBALANCE_IN_PROGRESS ? { group, effects: [], heartbeat } : { ...finish(tx), heartbeat };
    }
    case 'leave': {
      if (group === null) return { group, effects: [], leave: { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] } };
      const tx = begin(group, env);
      const leave = leaveStep(tx, event.request);
      return { ...finish(tx), leave };
    }
    case 'timer': {
      if (group === null) return { group, effects: [] };
      const tx = begin(group, env);
      if (!timer(tx, event.timer, event.memberId, event.deadline)) return { group, effects: [] };
      return finish(tx);
    }
  }
}

function begin(group: ClassicGroup, env: ClassicEnv): ClassicTx {
  return { g: copyGroup(group), env, effects: [], persist: false };
}

function finish(tx: ClassicTx): ClassicTransitionResult {
  if (tx.persist) tx.effects.push({ type: 'persist' });
  return { group: tx.g, effects: tx.effects };
}

function syncError(requestId: number, errorCode: number) {
  return { type: 'syncResponse' as const, requestId, response: { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT } };
}

/** A request's protocol type/name must match the group's where both are known (SyncGroup v5+). */
const inconsistent = (requested: string | null, current: string | null) => requested !== null && current !== null && requested !== current;

// ---------------------------------------------------------------------------------------------
// SyncGroup

function sync(tx: ClassicTx, requestId: number, req: SyncGroupRequest): void {
  const { g } = tx;
  const refuse = (code: number) => void tx.effects.push(syncError(requestId, code));
  const code = validateMember(g, req.memberId, req.groupInstanceId);
  if (code !== 0) return refuse(code);
  if (req.generationId !== g.generationId) return refuse(ErrorCode.ILLEGAL_GENERATION);
  if (inconsistent(req.protocolType, g.protocolType) || inconsistent(req.protocolName, g.protocolName)) return refuse(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  const m = g.members.get(req.memberId)!;
  switch (g.state) {
    case 'PreparingRebalance':
      return refuse(ErrorCode.REBALANCE_IN_PROGRESS);
    case 'CompletingRebalance': {
      // Followers wait here for the leader's assignment; a retried SyncGroup supersedes the parked one.
      if (m.awaitingSync !== null && m.awaitingSync !== requestId) tx.effects.push(syncError(m.awaitingSync, ErrorCode.REBALANCE_IN_PROGRESS));
      m.awaitingSync = requestId;
      removePendingSyncMember(tx, m.memberId);
      if (g.leaderId === m.memberId) {
        const assignments = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
        const missing = [...g.members.keys()].filter((id) => !assignments.has(id));
        if (missing.length > 0) log(tx, 'warn', 'leader sent no assignment for some members; they get an empty one', { members: missing });
        setAndPropagateAssignment(tx, assignments);
      }
      return;
    }
    case 'Stable':
      // Already assigned (a follower that synced after the leader, or a static member that rejoined).
      removePendingSyncMember(tx, m.memberId);
      tx.effects.push({ type: 'syncResponse', requestId, response: { errorCode: 0, protocolType: g.protocolType, protocolName: g.protocolName, assignment: m.assignment } });
      return;
    default:
      return refuse(ErrorCode.UNKNOWN_MEMBER_ID);
  }
}

// ---------------------------------------------------------------------------------------------
// Heartbeat

function heartbeatStep(tx: ClassicTx, req: HeartbeatRequest): HeartbeatResponse {
  const { g } = tx;
  const code = validateMember(g, req.memberId, req.groupInstanceId);
  if (code !== 0) return { errorCode: code };
  if (req.generationId !== g.generationId) return { errorCode: ErrorCode.ILLEGAL_GENERATION };
  const m = g.members.get(req.memberId)!;
  switch (g.state) {
    case 'PreparingRebalance':
      // Alive, but it must rejoin.
      scheduleHeartbeat(tx, m);
      return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS };
    case 'CompletingRebalance':
    case 'Stable':
      // Members may heartbeat between their JoinGroup answer and SyncGroup: normal heartbeats.
      scheduleHeartbeat(tx, m);
      return { errorCode: 0 };
    default:
      return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
  }
}

// ---------------------------------------------------------------------------------------------
// LeaveGroup

function leaveStep(tx: ClassicTx, req: LeaveGroupRequest): LeaveGroupResponse {
  const { g } = tx;
  const members: LeaveGroupMemberResponse[] = [];
  const left: string[] = [];
  for (const id of req.members) {
    const answer = (errorCode: number) => void members.push({ memberId: id.memberId, groupInstanceId: id.groupInstanceId, errorCode });
    const reason = id.reason ?? 'not provided';
    if (id.memberId === UNKNOWN_MEMBER_ID) {
      // KIP-345: an admin removes a static member by instance id alone.
      const memberId = id.groupInstanceId === null ? undefined : g.staticMembers.get(id.groupInstanceId);
      if (memberId === undefined) {
        answer(ErrorCode.UNKNOWN_MEMBER_ID);
        continue;
      }
      removeMember(tx, memberId);
      left.push(memberId);
      log(tx, 'info', 'static member removed by instance id', { memberId, groupInstanceId: id.groupInstanceId, reason });
      answer(0);
    } else if (g.pendingJoinMembers.has(id.memberId)) {
      removeMember(tx, id.memberId);
      left.push(id.memberId);
      answer(0);
    } else {
      const code = validateMember(g, id.memberId, id.groupInstanceId);
      if (code === 0) {
        removeMember(tx, id.memberId);
        left.push(id.memberId);
        log(tx, 'info', 'member left', { memberId: id.memberId, groupInstanceId: id.groupInstanceId, reason });
      }
      answer(code);
    }
  }
  if (left.length > 0) {
    const reason = `LeaveGroup for ${left.join(', ')}`;
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') maybePrepareRebalanceOrCompleteJoin(tx, reason);
    else if (g.state === 'PreparingRebalance') maybeCompleteJoinPhase(tx);
  }
  return { errorCode: 0, members };
}

// ---------------------------------------------------------------------------------------------
// timers

/** Returns false when the timer is stale (rescheduled or cancelled since), so nothing changes. */
function timer(tx: ClassicTx, kind: 'join' | 'sync' | 'heartbeat', memberId: string | null, deadline: number): boolean {
  const { g } = tx;
  if (kind === 'join') {
    if (g.joinTimer?.deadline !== deadline) return false;
    onJoinTimer(tx);
    return true;
  }
  if (kind === 'sync') {
    if (g.syncTimer?.deadline !== deadline) return false;
    onSyncTimer(tx);
    return true;
  }
  if (memberId === null) return false;
  if (g.pendingJoinMembers.get(memberId) === deadline) {
    removeMember(tx, memberId);
    log(tx, 'info', 'pending member expired (never came back with its member id)', { memberId });
    if (g.state === 'PreparingRebalance' && hasAllMembersJoined(g)) completeJoin(tx);
    return true;
  }
  const m = g.members.get(memberId);
  if (!m || m.heartbeatDeadline !== deadline) return false;
  // Kafka's hasSatisfiedHeartbeat: waiting for a rebalance counts as alive, except for new members.
  if (!m.isNew && (m.awaitingJoin !== null || m.awaitingSync !== null)) return false;
  removeMember(tx, memberId);
  log(tx, 'warn', 'member expired', { memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, reason: m.isNew ? 'new member join timeout' : 'session timeout' });
  if (g.state === 'Stable' || g.state === 'CompletingRebalance') maybePrepareRebalanceOrCompleteJoin(tx, `member ${memberId} expired`);
  else if (g.state === 'PreparingRebalance' && hasAllMembersJoined(g)) completeJoin(tx);
  return true;
}
