// The transitions of one group: heartbeats (join, leave, static takeover), timeouts, closed connections, topics.
import { ErrorCode, JOIN_EPOCH, LEAVE_EPOCH, STATIC_LEAVE_EPOCH } from '@brook/protocol';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '@brook/protocol';
import * as A from './assignment.js';
import { getAssignor } from './assignors/index.js';
import { notifyMembers, reconcile, releaseAll, setHolding, settleAbsent } from './currentAssignment.js';
import { persistedChanges } from './persistence.js';
import {
  addMember,
  begin,
  edit,
  log,
  seal,
  type Env,
  type GroupConfig,
  type Group,
  type GroupEvent,
  type HeartbeatContext,
  type Member,
  type MemberRecord,
  type TransitionResult,
  type Tx,
} from './model.js';
import { bump, chooseAssignor, compileRegex, sameCounts, setTargets, subscribedTopics } from './targetAssignment.js';

/**
 * One step of the state machine: `(group, event, env) -> { group, response?, effects }`. Pure and
 * clock-injected: no timers, no I/O, no Date.now(); the input group is never mutated (a transition
 * works on copy-on-write views of it, see model.ts `begin`), and everything the outside world must
 * do comes back as data (schedule/cancel a deadline, notify a member, persist what changed, log).
 */
export function transition(group: Group, event: GroupEvent, env: Env): TransitionResult {
  if (event.type === 'heartbeat') {
    const steady = steadyHeartbeat(group, event.request, event.context, env);
    if (steady) return steady;
  }
  const tx = begin(group, env);
  let response: ConsumerGroupHeartbeatResponse | undefined;
  let except: string | null = null;
  switch (event.type) {
    case 'heartbeat': {
      const r = heartbeat(tx, event.request, event.context);
      // Errors leave the group exactly as it was.
      if (r.errorCode !== 0) return { group, response: r, effects: [] };
      response = r;
      except = r.memberId;
      break;
    }
    case 'sessionTimeout': {
      const m = tx.g.members.get(event.memberId);
      // Stale if the member heartbeated since (a new deadline). The expected deadline is matched
      // exactly too, because timers may fire a millisecond before the clock reaches it.
      if (!m || (m.sessionDeadline !== event.deadline && m.sessionDeadline > env.now)) return { group, effects: [] };
      expel(tx, m, m.leftStatic ? 'static member did not come back within its session timeout' : 'session timeout');
      break;
    }
    case 'rebalanceTimeout': {
      const m = tx.g.members.get(event.memberId);
      if (!m || m.rebalanceDeadline === null || A.isEmpty(m.pendingRevocation)) return { group, effects: [] };
      if (m.rebalanceDeadline !== event.deadline && m.rebalanceDeadline > env.now) return { group, effects: [] };
      expel(tx, m, 'rebalance timeout: partitions not revoked in time');
      break;
    }
    case 'connectionClosed': {
      const closed = [...tx.g.members.values()].filter((m) => m.connectionId === event.connectionId);
      if (closed.length === 0) return { group, effects: [] };
      for (const m of closed) {
        edit(tx, m).connectionId = null;
        log(tx, 'debug', 'member connection closed', { memberId: m.memberId, instanceId: m.instanceId });
      }
      break;
    }
    case 'topicsChanged':
      topicsChanged(tx);
      break;
  }
  notifyMembers(tx, except);
  const result = seal(tx);
  const persist = persistedChanges(tx.base, result, tx);
  if (persist) tx.effects.push(persist);
  return response ? { group: result, response, effects: tx.effects } : { group: result, effects: tx.effects };
}

function removeMember(tx: Tx, m: Member): void {
  const { g } = tx;
  releaseAll(tx, m);
  g.members.delete(m.memberId);
  // Its target stays until the bump that follows drops it, so the rebalance log counts the
  // partitions it had as moved.
  tx.removed.add(m.memberId);
  if (m.instanceId !== null && g.staticMembers.get(m.instanceId) === m.memberId) g.staticMembers.delete(m.instanceId);
  tx.effects.push({ type: 'cancel', kind: 'session', memberId: m.memberId }, { type: 'cancel', kind: 'rebalance', memberId: m.memberId });
}

function expel(tx: Tx, m: Member, reason: string): void {
  removeMember(tx, m);
  log(tx, 'warn', 'member expelled', {
    memberId: m.memberId,
    instanceId: m.instanceId,
    clientId: m.clientId,
    reason,
    partitions: A.toWire(A.union(m.assigned, m.pendingRevocation)),
  });
  bump(tx, `member ${m.memberId} expelled (${reason})`);
}

// ---------------------------------------------------------------------------------------------
// heartbeat

function errorResponse(req: ConsumerGroupHeartbeatRequest, cfg: GroupConfig, code: number, message: string): ConsumerGroupHeartbeatResponse {
  return { errorCode: code, errorMessage: message, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: cfg.heartbeatIntervalMs, assignment: null };
}

function leaveResponse(req: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponse {
  return { errorCode: 0, errorMessage: null, memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
}

const sortedKey = (xs: readonly string[]) => [...new Set(xs)].sort().join('\0');

function heartbeat(tx: Tx, req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext): ConsumerGroupHeartbeatResponse {
  const { g, env } = tx;
  const cfg = env.config;
  const now = env.now;
  if (!req.memberId) return errorResponse(req, cfg, ErrorCode.INVALID_REQUEST, 'memberId is required (the client generates a UUID before its first heartbeat)');
  if (req.memberEpoch === LEAVE_EPOCH) return leave(tx, req);
  if (req.memberEpoch === STATIC_LEAVE_EPOCH) return staticLeave(tx, req);
  if (req.memberEpoch < 0) return errorResponse(req, cfg, ErrorCode.INVALID_REQUEST, `invalid member epoch ${req.memberEpoch}`);
  if (req.sessionTimeoutMs !== -1 && (req.sessionTimeoutMs < cfg.minSessionTimeoutMs || req.sessionTimeoutMs > cfg.maxSessionTimeoutMs)) {
    return errorResponse(req, cfg, ErrorCode.INVALID_SESSION_TIMEOUT, `sessionTimeout ${req.sessionTimeoutMs} ms is not within [${cfg.minSessionTimeoutMs}, ${cfg.maxSessionTimeoutMs}] ms`);
  }
  if (req.serverAssignor !== null && getAssignor(req.serverAssignor) === undefined) {
    return errorResponse(req, cfg, ErrorCode.UNSUPPORTED_ASSIGNOR, `unknown assignor ${req.serverAssignor} (uniform, range, roundrobin)`);
  }
  if (req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== '' && compileRegex(req.subscribedTopicRegex) === null) {
    return errorResponse(req, cfg, ErrorCode.INVALID_REGULAR_EXPRESSION, `subscribedTopicRegex ${req.subscribedTopicRegex} is not a valid RE2 regular expression`);
  }

  const existing = g.members.get(req.memberId);
  let m: MemberRecord | undefined;
  let joined = false;

  if (req.memberEpoch === JOIN_EPOCH) {
    if (existing) {
      // A retried join (or a rejoin after FENCED_MEMBER_EPOCH): answer with its current state, in full.
      m = edit(tx, existing);
      m.lastSent = null;
    } else {
      if (req.instanceId !== null) {
        const holder = g.members.get(g.staticMembers.get(req.instanceId) ?? '');
        if (holder) {
          if (holder.connectionId !== null && !holder.leftStatic) {
            return errorResponse(req, cfg, ErrorCode.UNRELEASED_INSTANCE_ID, `instance id ${req.instanceId} is still used by connected member ${holder.memberId}`);
          }
          m = takeOver(tx, holder, req.memberId);
        }
      }
      if (!m) {
        if (g.members.size >= cfg.maxGroupSize) {
          return errorResponse(req, cfg, ErrorCode.GROUP_MAX_SIZE_REACHED, `group ${g.groupId} has reached its maximum size ${cfg.maxGroupSize}`);
        }
        m = {
          memberId: req.memberId,
          instanceId: req.instanceId,
          rackId: req.rackId,
          clientId: ctx.clientId,
          clientHost: ctx.clientHost,
          connectionId: ctx.connectionId,
          rebalanceTimeoutMs: req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : cfg.defaultRebalanceTimeoutMs,
          sessionTimeoutMs: req.sessionTimeoutMs > 0 ? req.sessionTimeoutMs : cfg.defaultSessionTimeoutMs,
          heartbeatIntervalMs: null,
          subscribedTopicNames: [...new Set(req.subscribedTopicNames ?? [])],
          subscribedTopicRegex: req.subscribedTopicRegex || null,
          principal: ctx.principal ?? null,
          serverAssignor: req.serverAssignor,
          memberEpoch: JOIN_EPOCH,
          previousMemberEpoch: -1,
          state: 'stable',
          assigned: A.EMPTY,
          pendingRevocation: A.EMPTY,
          sessionDeadline: now,
          rebalanceDeadline: null,
          leftStatic: false,
          lastSent: null,
          notified: null,
        };
        addMember(tx, m);
        if (m.instanceId !== null) g.staticMembers.set(m.instanceId, m.memberId);
        joined = true;
        log(tx, 'info', 'member joined', { memberId: m.memberId, instanceId: m.instanceId, clientId: m.clientId, clientHost: m.clientHost });
      }
    }
  } else {
    if (!existing) return errorResponse(req, cfg, ErrorCode.UNKNOWN_MEMBER_ID, `member ${req.memberId} is not in group ${g.groupId} (expelled, or never joined); rejoin with epoch 0`);
    let lost = false;
    if (req.memberEpoch !== existing.memberEpoch) {
      // Lost response: the member did not hear of its last epoch bump. Accept the previous epoch
      // if it claims nothing it may not hold, and answer in full.
      const claims = req.topicPartitions === null ? A.EMPTY : A.fromWire(req.topicPartitions);
      lost = req.memberEpoch === existing.previousMemberEpoch && A.isEmpty(A.minus(claims, A.union(existing.assigned, existing.pendingRevocation)));
      if (!lost) return errorResponse(req, cfg, ErrorCode.FENCED_MEMBER_EPOCH, `member epoch ${req.memberEpoch} is fenced (current ${existing.memberEpoch}); rejoin with epoch 0`);
    }
    m = edit(tx, existing);
    if (lost) m.lastSent = null;
  }
  if (!m) throw new Error('unreachable: a heartbeat without a member');

  // Field updates (null / -1 mean unchanged).
  m.connectionId = ctx.connectionId;
  if (ctx.clientId) m.clientId = ctx.clientId;
  m.clientHost = ctx.clientHost;
  m.leftStatic = false;
  if (req.rackId !== null) m.rackId = req.rackId;
  if (req.rebalanceTimeoutMs > 0) m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
  if (req.sessionTimeoutMs > 0) m.sessionTimeoutMs = req.sessionTimeoutMs;
  if (ctx.heartbeatIntervalMs !== undefined && ctx.heartbeatIntervalMs > 0) m.heartbeatIntervalMs = ctx.heartbeatIntervalMs;
  m.sessionDeadline = now + m.sessionTimeoutMs;
  tx.effects.push({ type: 'schedule', kind: 'session', memberId: m.memberId, deadline: m.sessionDeadline });

  let reason: string | null = joined ? `member ${m.memberId} joined` : null;
  if (!joined) {
    if (req.subscribedTopicNames !== null && sortedKey(req.subscribedTopicNames) !== sortedKey(m.subscribedTopicNames)) {
      m.subscribedTopicNames = [...new Set(req.subscribedTopicNames)];
      reason = `member ${m.memberId} changed its subscription`;
    }
    if (req.subscribedTopicRegex !== null && (req.subscribedTopicRegex || null) !== m.subscribedTopicRegex) {
      m.subscribedTopicRegex = req.subscribedTopicRegex || null;
      reason = `member ${m.memberId} changed its subscription`;
    }
    // Another principal (a static takeover, a restored member) may describe other topics.
    if ((ctx.principal ?? null) !== m.principal) {
      m.principal = ctx.principal ?? null;
      if (m.subscribedTopicRegex !== null) reason ??= `member ${m.memberId} changed its principal`;
    }
    if (req.serverAssignor !== null && req.serverAssignor !== m.serverAssignor) {
      m.serverAssignor = req.serverAssignor;
      if (chooseAssignor(g) !== g.assignor) reason ??= `assignor changed to ${chooseAssignor(g)}`;
    }
  }

  // Revocation is done once the member's heartbeat no longer reports the partitions.
  if (req.topicPartitions !== null && !joined) {
    const owned = A.fromWire(req.topicPartitions);
    if (!A.isEmpty(m.pendingRevocation)) {
      const still = A.intersect(m.pendingRevocation, owned);
      if (!A.equal(still, m.pendingRevocation)) {
        log(tx, 'debug', 'partitions revoked', { memberId: m.memberId, partitions: A.toWire(A.minus(m.pendingRevocation, still)) });
        setHolding(tx, m, m.assigned, still);
      }
      if (A.isEmpty(still)) {
        m.rebalanceDeadline = null;
        tx.effects.push({ type: 'cancel', kind: 'rebalance', memberId: m.memberId });
      }
    }
    // The member's view differs from ours (e.g. a response was lost): send the full list again.
    if (!A.equal(owned, m.assigned)) m.lastSent = null;
  }

  if (reason !== null) bump(tx, reason);
  reconcile(tx, m);

  const sent = A.key(m.assigned);
  const assignment = sent === m.lastSent ? null : A.toWire(m.assigned);
  m.lastSent = sent;
  m.notified = null;
  return {
    errorCode: 0,
    errorMessage: null,
    memberId: m.memberId,
    memberEpoch: m.memberEpoch,
    heartbeatIntervalMs: intervalFor(m, cfg, ctx.pushes ?? false),
    assignment,
  };
}

/**
 * A member waiting for partitions another member still holds polls sooner: without this it would
 * learn of their release only at its next regular heartbeat (seconds after the others revoked them,
 * while those partitions go unread). A member the broker can push to is told "heartbeat now" when
 * they are released, so its poll is only a fallback; Kafka's protocol has no push, so a member on
 * the Kafka door polls at the shorter interval (a new group of 3 started reading all its
 * partitions ~250 ms late with 250: scripts/bench/FINDINGS.md, 2026-12-01).
 */
export const WAITING_HEARTBEAT_INTERVAL_MS = 250;
export const WAITING_POLL_INTERVAL_MS = 50;

/** Never longer than a third of the session: a member heartbeating at the broker's pace must not expire. */
function intervalFor(m: Member, cfg: GroupConfig, pushes: boolean): number {
  const regular = Math.min(m.heartbeatIntervalMs ?? cfg.heartbeatIntervalMs, Math.max(1, Math.floor(m.sessionTimeoutMs / 3)));
  if (m.state !== 'unreleased_partitions') return regular;
  return Math.min(regular, pushes ? WAITING_HEARTBEAT_INTERVAL_MS : WAITING_POLL_INTERVAL_MS);
}

/**
 * The common case, kept cheap (thousands of members heartbeat every few seconds): a member at the
 * group's assignment epoch that holds exactly its target and reports no change. Only its session
 * deadline moves; no group copy, no reconciliation, and the answer carries no assignment. Null
 * when anything else could be going on: the full transition handles it.
 */
function steadyHeartbeat(g: Group, req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext, env: Env): TransitionResult | null {
  const m = g.members.get(req.memberId);
  if (!m || req.memberEpoch <= 0 || req.memberEpoch !== m.memberEpoch || m.memberEpoch !== g.assignmentEpoch) return null;
  if (m.state !== 'stable' || !A.isEmpty(m.pendingRevocation) || m.leftStatic || m.notified !== null || m.lastSent === null) return null;
  if (req.subscribedTopicNames !== null || req.subscribedTopicRegex !== null || req.serverAssignor !== null || req.rackId !== null) return null;
  if ((req.sessionTimeoutMs > 0 && req.sessionTimeoutMs !== m.sessionTimeoutMs) || (req.rebalanceTimeoutMs > 0 && req.rebalanceTimeoutMs !== m.rebalanceTimeoutMs)) return null;
  if (ctx.connectionId !== m.connectionId || ctx.clientHost !== m.clientHost || (ctx.clientId && ctx.clientId !== m.clientId)) return null;
  if ((ctx.principal ?? null) !== m.principal) return null;
  if (ctx.heartbeatIntervalMs !== undefined && ctx.heartbeatIntervalMs > 0 && ctx.heartbeatIntervalMs !== m.heartbeatIntervalMs) return null;
  if (req.topicPartitions !== null && !A.equal(A.fromWire(req.topicPartitions), m.assigned)) return null;
  if (m.lastSent !== A.key(m.assigned)) return null;
  const member: Member = { ...m, sessionDeadline: env.now + m.sessionTimeoutMs };
  return {
    group: { ...g, members: g.members.set(m.memberId, member) },
    response: { errorCode: 0, errorMessage: null, memberId: m.memberId, memberEpoch: m.memberEpoch, heartbeatIntervalMs: intervalFor(m, env.config, ctx.pushes ?? false), assignment: null },
    effects: [{ type: 'schedule', kind: 'session', memberId: m.memberId, deadline: member.sessionDeadline }],
  };
}

/**
 * Brook's static takeover: the holder of the instance id is gone (its connection closed, or it
 * left with -2), so the newcomer takes its slot at once: same target, and the partitions the
 * holder kept reserved are free for it (the old instance runs nothing), so nobody else moves.
 */
function takeOver(tx: Tx, holder: Member, memberId: string): MemberRecord {
  const { g } = tx;
  const target = g.target.get(holder.memberId) ?? A.EMPTY;
  const m: MemberRecord = {
    ...holder,
    memberId,
    assigned: A.EMPTY,
    pendingRevocation: A.EMPTY,
    rebalanceDeadline: null,
    leftStatic: false,
    state: 'unreleased_partitions',
    lastSent: null,
    notified: null,
  };
  releaseAll(tx, holder);
  g.members.delete(holder.memberId);
  tx.removed.add(holder.memberId);
  addMember(tx, m);
  setTargets(tx, [
    [holder.memberId, null],
    [memberId, target],
  ]);
  g.staticMembers.set(holder.instanceId!, memberId);
  tx.effects.push({ type: 'cancel', kind: 'session', memberId: holder.memberId }, { type: 'cancel', kind: 'rebalance', memberId: holder.memberId });
  log(tx, 'info', 'static member replaced', { instanceId: holder.instanceId, from: holder.memberId, to: memberId, partitions: A.toWire(target) });
  return m;
}

function leave(tx: Tx, req: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponse {
  const m = tx.g.members.get(req.memberId);
  if (!m) return leaveResponse(req); // already gone: leaving is idempotent
  removeMember(tx, m);
  log(tx, 'info', 'member left', { memberId: m.memberId, instanceId: m.instanceId, clientId: m.clientId });
  bump(tx, `member ${m.memberId} left`);
  return leaveResponse(req);
}

function staticLeave(tx: Tx, req: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponse {
  const existing = tx.g.members.get(req.memberId);
  if (!existing) return leaveResponse(req);
  if (existing.instanceId === null) return leave(tx, req); // -2 only means something for static members
  const m = edit(tx, existing);
  m.leftStatic = true;
  m.connectionId = null;
  settleAbsent(tx, m);
  // The reservation lasts one full session from now.
  m.sessionDeadline = tx.env.now + m.sessionTimeoutMs;
  tx.effects.push({ type: 'schedule', kind: 'session', memberId: m.memberId, deadline: m.sessionDeadline });
  log(tx, 'info', 'static member left temporarily', { memberId: m.memberId, instanceId: m.instanceId, reservedUntil: m.sessionDeadline, partitions: A.toWire(m.assigned) });
  return leaveResponse(req);
}

// ---------------------------------------------------------------------------------------------
// topics

function topicsChanged(tx: Tx): void {
  const { g, env } = tx;
  // Partitions of deleted topics are held by nobody from now on.
  const exists = (t: string, p: number) => p < (env.topics.get(t) ?? 0);
  const allExist = (a: A.Assignment) => [...a].every(([t, ps]) => exists(t, ps[ps.length - 1]!));
  const affected = [...g.members.values()].filter((m) => !allExist(m.assigned) || !allExist(m.pendingRevocation));
  for (const existing of affected) {
    const m = edit(tx, existing);
    const pending = A.filter(m.pendingRevocation, exists);
    setHolding(tx, m, A.filter(m.assigned, exists), pending);
    m.lastSent = null;
    if (A.isEmpty(pending) && m.rebalanceDeadline !== null) {
      m.rebalanceDeadline = null;
      tx.effects.push({ type: 'cancel', kind: 'rebalance', memberId: m.memberId });
    }
  }
  if (g.members.size === 0) return;
  const seen = subscribedTopics(g, env);
  if (sameCounts(seen, g.subscribedTopics)) return;
  bump(tx, 'subscribed topics changed');
}

