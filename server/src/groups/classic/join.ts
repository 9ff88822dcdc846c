// JoinGroup on a classic group, after Kafka's GroupMetadataManager.classicGroupJoinToClassicGroup:
// KIP-394 member ids, the group size limit, new and rejoining members per state, and static
// members (KIP-345) that take over their slot, without a rebalance when the group's protocol
// would not change.
import { ErrorCode } from '@brook/protocol';
import { EMPTY_ASSIGNMENT, log, type ClassicMember, type ClassicTx } from './model.js';
import {
  addMember,
  answerJoin,
  answerSyncError,
  joinAnswer,
  joinError,
  maybeCompleteJoinPhase,
  maybePrepareRebalanceOrCompleteJoin,
  numAwaitingJoin,
  prepareRebalance,
  removeMember,
  sameProtocols,
  scheduleHeartbeat,
  selectProtocol,
  supportsProtocols,
  validateMember,
} from './rebalance.js';
import { UNKNOWN_MEMBER_ID, type ClassicRequestContext, type JoinGroupRequest } from './types.js';

export interface JoinInput {
  requestId: number;
  request: JoinGroupRequest;
  context: ClassicRequestContext;
  uuid: string;
}

/** v0 requests carry no rebalance timeout: the session timeout stands in, as in Kafka. */
const rebalanceTimeoutOf = (req: JoinGroupRequest) => (req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs);

function reply(tx: ClassicTx, requestId: number, response: ReturnType<typeof joinError>): void {
  tx.effects.push({ type: 'joinResponse', requestId, response });
}

/** Kafka's acceptJoiningMember: group.max.size counts rejoining members while preparing, all members after. */
function acceptJoiningMember(tx: ClassicTx, memberId: string): boolean {
  const { g } = tx;
  const max = tx.env.config.maxGroupSize;
  const m = g.members.get(memberId);
  switch (g.state) {
    case 'Empty':
    case 'Dead':
      return true;
    case 'PreparingRebalance':
      return (m !== undefined && m.awaitingJoin !== null) || numAwaitingJoin(g) < max;
    default:
      return m !== undefined || g.members.size < max;
  }
}

export function join(tx: ClassicTx, input: JoinInput): void {
  const { g } = tx;
  const { request: req, requestId } = input;
  if (!acceptJoiningMember(tx, req.memberId)) {
    if (g.members.has(req.memberId) || g.pendingJoinMembers.has(req.memberId)) {
      removeMember(tx, req.memberId);
      maybeCompleteJoinPhase(tx);
    }
    log(tx, 'warn', 'join refused: group is full', { memberId: req.memberId, maxGroupSize: tx.env.config.maxGroupSize });
    return reply(tx, requestId, joinError(UNKNOWN_MEMBER_ID, ErrorCode.GROUP_MAX_SIZE_REACHED));
  }
  if (req.memberId === UNKNOWN_MEMBER_ID) joinNewMember(tx, input);
  else joinExistingMember(tx, input);
}

function joinNewMember(tx: ClassicTx, input: JoinInput): void {
  const { g, env } = tx;
  const { request: req, requestId } = input;
  if (!supportsProtocols(g, req.protocolType, req.protocols.map((p) => p.name))) {
    return reply(tx, requestId, joinError(UNKNOWN_MEMBER_ID, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
  }
  // Kafka's generateMemberId: the instance id (static) or client id, then a UUID.
  const memberId = `${req.groupInstanceId ?? input.context.clientId}-${input.uuid}`;
  if (req.groupInstanceId !== null) {
    const existing = g.staticMembers.get(req.groupInstanceId);
    if (existing !== undefined) return replaceStaticMember(tx, input, existing, memberId);
    return addNewMember(tx, input, memberId);
  }
  if (req.requireKnownMemberId) {
    // KIP-394: the id is remembered until the member comes back with it or its session runs out.
    const deadline = env.now + req.sessionTimeoutMs;
    g.pendingJoinMembers.set(memberId, deadline);
    tx.effects.push({ type: 'schedule', timer: 'heartbeat', memberId, deadline });
    log(tx, 'debug', 'member id required', { memberId, state: g.state });
    return reply(tx, requestId, joinError(memberId, ErrorCode.MEMBER_ID_REQUIRED));
  }
  addNewMember(tx, input, memberId);
}

function joinExistingMember(tx: ClassicTx, input: JoinInput): void {
  const { g } = tx;
  const { request: req, requestId } = input;
  if (!supportsProtocols(g, req.protocolType, req.protocols.map((p) => p.name))) {
    return reply(tx, requestId, joinError(req.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
  }
  if (g.pendingJoinMembers.has(req.memberId)) {
    // A pending member id is only ever handed to dynamic members.
    if (req.groupInstanceId !== null) return reply(tx, requestId, joinError(req.memberId, ErrorCode.INVALID_REQUEST));
    return addNewMember(tx, input, req.memberId);
  }
  const code = validateMember(g, req.memberId, req.groupInstanceId);
  if (code !== 0) return reply(tx, requestId, joinError(req.memberId, code));
  const m = g.members.get(req.memberId)!;
  switch (g.state) {
    case 'PreparingRebalance':
      return updateMember(tx, m, input, `member ${m.memberId} rejoined during PreparingRebalance`);
    case 'CompletingRebalance':
      if (sameProtocols(m, req.protocols)) {
        // It missed its JoinGroup answer: send the current generation again.
        return reply(tx, requestId, joinAnswer(g, m.memberId));
      }
      return updateMember(tx, m, input, `member ${m.memberId} changed its metadata during CompletingRebalance`);
    case 'Stable':
      // The leader's rejoin rebalances (it may see changes the metadata does not show, e.g. new partitions).
      if (g.leaderId === m.memberId) return updateMember(tx, m, input, `leader ${m.memberId} rejoined`);
      if (!sameProtocols(m, req.protocols)) return updateMember(tx, m, input, `member ${m.memberId} changed its metadata`);
      return reply(tx, requestId, joinAnswer(g, m.memberId, { withMembers: false }));
    default:
      // Empty (validateMember passed, so it cannot be): the member resets and rejoins.
      return reply(tx, requestId, joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
  }
}

/** Takes the request's protocols and timeouts, parks its JoinGroup, and rebalances. */
function updateMember(tx: ClassicTx, m: ClassicMember, input: JoinInput, reason: string): void {
  applyJoin(tx, m, input);
  maybePrepareRebalanceOrCompleteJoin(tx, withClientReason(reason, input.request));
}

function applyJoin(tx: ClassicTx, m: ClassicMember, input: JoinInput): void {
  const req = input.request;
  m.protocols = req.protocols.map((p) => ({ name: p.name, metadata: p.metadata }));
  m.rebalanceTimeoutMs = rebalanceTimeoutOf(req);
  m.sessionTimeoutMs = req.sessionTimeoutMs;
  // A retried JoinGroup supersedes the parked one; the old request is told to rejoin.
  if (m.awaitingJoin !== null && m.awaitingJoin !== input.requestId) answerJoin(tx, m, joinError(m.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
  m.awaitingJoin = input.requestId;
}

function addNewMember(tx: ClassicTx, input: JoinInput, memberId: string): void {
  const { g, env } = tx;
  const req = input.request;
  const m: ClassicMember = {
    memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: input.context.clientId,
    clientHost: input.context.clientHost,
    rebalanceTimeoutMs: rebalanceTimeoutOf(req),
    sessionTimeoutMs: req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
    assignment: EMPTY_ASSIGNMENT,
    awaitingJoin: input.requestId,
    awaitingSync: null,
    isNew: true,
    heartbeatDeadline: env.now,
  };
  // A member arriving during the initial delay extends it once more.
  if (g.state === 'PreparingRebalance' && g.previousState === 'Empty') g.newMemberAdded = true;
  addMember(tx, m);
  // Its JoinGroup is parked and it cannot heartbeat yet: a client that gave up must not linger forever.
  scheduleHeartbeat(tx, m, env.config.newMemberJoinTimeoutMs);
  log(tx, 'info', 'member joined', { memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost });
  maybePrepareRebalanceOrCompleteJoin(tx, withClientReason(`new member ${memberId} joined`, req));
}

/**
 * A known static member joins without a member id (a restarted instance): it takes over the old
 * member's slot under a new id, and the old id is fenced (FENCED_INSTANCE_ID, also for its parked
 * requests). In a Stable group whose selected protocol stays the same, nothing rebalances: the
 * member gets the current generation and syncs to its previous assignment.
 */
function replaceStaticMember(tx: ClassicTx, input: JoinInput, oldMemberId: string, newMemberId: string): void {
  const { g } = tx;
  const req = input.request;
  const old = g.members.get(oldMemberId)!;
  const currentLeader = g.leaderId ?? '';
  answerJoin(tx, old, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
  answerSyncError(tx, old, ErrorCode.FENCED_INSTANCE_ID);
  g.members.delete(oldMemberId);
  tx.effects.push({ type: 'cancel', timer: 'heartbeat', memberId: oldMemberId });
  const m: ClassicMember = { ...old, memberId: newMemberId, awaitingJoin: null, awaitingSync: null };
  g.members.set(newMemberId, m);
  g.staticMembers.set(req.groupInstanceId!, newMemberId);
  if (g.leaderId === oldMemberId) g.leaderId = newMemberId;
  if (g.pendingSyncMembers.delete(oldMemberId)) g.pendingSyncMembers.add(newMemberId);
  tx.persist = true;
  log(tx, 'info', 'static member replaced', { groupInstanceId: req.groupInstanceId, from: oldMemberId, to: newMemberId, state: g.state });
  applyJoin(tx, m, input);
  scheduleHeartbeat(tx, m);

  switch (g.state) {
    case 'Stable':
      if (selectProtocol(g) === g.protocolName) {
        // KIP-814: a v9+ leader gets the members with skipAssignment, so it can see what changed without reassigning.
        const isLeader = g.leaderId === newMemberId;
        const answer = req.supportsSkippingAssignment
          ? joinAnswer(g, newMemberId, { skipAssignment: isLeader, withMembers: isLeader })
          : joinAnswer(g, newMemberId, { leader: currentLeader, withMembers: false });
        answerJoin(tx, m, answer);
        return;
      }
      return maybePrepareRebalanceOrCompleteJoin(tx, withClientReason(`static member ${newMemberId} (${req.groupInstanceId}) rejoined with a change of protocol`, req));
    case 'CompletingRebalance':
      // The leader may already be assigning to the old id: rebalance so the new id gets its share.
      return prepareRebalance(tx, withClientReason(`static member ${newMemberId} (${req.groupInstanceId}) rejoined during CompletingRebalance`, req));
    default:
      return maybeCompleteJoinPhase(tx);
  }
}

const withClientReason = (reason: string, req: JoinGroupRequest) => (req.reason ? `${reason}; client reason: ${req.reason}` : reason);
