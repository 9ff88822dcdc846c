/**
 * One consumer group as a KIP-848 state machine: pure, clock-injected transitions
 * `(group, event, env) -> { group, response?, effects }`. No timers, no I/O, no Date.now(): the
 * input group is never mutated (a transition works on a copy), and everything the outside world
 * must do comes back as data (schedule/cancel a deadline, notify a member, persist, log).
 *
 * Epochs: the group epoch rises when membership, a subscription, the assignor, or a subscribed
 * topic's partitions change; the target assignment is recomputed for that epoch at once (so the
 * assignment epoch catches up within the same transition); each member epoch says which target
 * the member has reached. Revoke before assign: a partition is added to a member's assigned set
 * only when no other member holds it (assigned or pending revocation), so at every instant each
 * partition has at most one holder in the group.
 */
import { ErrorCode, JOIN_EPOCH, LEAVE_EPOCH, STATIC_LEAVE_EPOCH } from '@brook/protocol';
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  DescribedGroup,
  TopicPartitions,
} from '@brook/protocol';
import * as A from './assignment.js';
import type { Assignment } from './assignment.js';
import { DEFAULT_ASSIGNOR, getAssignor, uniform } from './assignors/index.js';

export type MemberState = 'stable' | 'unrevoked_partitions' | 'unreleased_partitions';
export type GroupState = 'empty' | 'assigning' | 'reconciling' | 'stable' | 'dead';

export interface Member {
  readonly memberId: string;
  readonly instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  /** The connection the member last heartbeated on; null once it closed (and after a restart). */
  connectionId: string | null;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** Per-member heartbeat interval (from the heartbeat context); null = the coordinator's default. */
  heartbeatIntervalMs: number | null;
  subscribedTopicNames: readonly string[];
  subscribedTopicRegex: string | null;
  /** The assignor this member asked for; the group uses the most requested one. */
  serverAssignor: string | null;
  memberEpoch: number;
  /** Kept so a member whose epoch-bumping response was lost can retry with the old epoch. */
  previousMemberEpoch: number;
  state: MemberState;
  /** Partitions the member may use now. */
  assigned: Assignment;
  /** Partitions it was told to give up; still held until its heartbeat no longer reports them. */
  pendingRevocation: Assignment;
  sessionDeadline: number;
  /** Set while revoking: expelled if still revoking at this time. */
  rebalanceDeadline: number | null;
  /** A static member that left with epoch -2: slot and partitions stay reserved until its session expires. */
  leftStatic: boolean;
  /** Transient: key of the assignment last sent to the member (the response carries null when unchanged). */
  lastSent: string | null;
  /** Transient: what the member was last pushed to come and get, so a push is sent once per change. */
  notified: string | null;
}

export interface Group {
  readonly groupId: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignor: string;
  members: Map<string, Member>;
  /** memberId -> target assignment for `assignmentEpoch`. */
  target: Map<string, Assignment>;
  /** instanceId -> memberId. */
  staticMembers: Map<string, string>;
  /** Partition counts of the subscribed topics when the target was last computed. */
  subscribedTopics: Map<string, number>;
}

export interface GroupConfig {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  defaultSessionTimeoutMs: number;
  defaultRebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxGroupSize: number;
}

export const DEFAULT_GROUP_CONFIG: GroupConfig = {
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  defaultSessionTimeoutMs: 45_000,
  defaultRebalanceTimeoutMs: 60_000,
  heartbeatIntervalMs: 3000,
  maxGroupSize: 1000,
};

export interface HeartbeatContext {
  connectionId: string;
  clientId: string;
  clientHost: string;
  /** Overrides the coordinator's heartbeat interval for this member. */
  heartbeatIntervalMs?: number;
}

export type TimerKind = 'session' | 'rebalance';
export type LogLevel = 'debug' | 'info' | 'warn';

export type Effect =
  | { type: 'schedule'; kind: TimerKind; memberId: string; deadline: number }
  | { type: 'cancel'; kind: TimerKind; memberId: string }
  /** Push "heartbeat now" to the member: its target changed (a revocation, or a partition it waits for is free). */
  | { type: 'notify'; memberId: string; connectionId: string }
  | { type: 'persist' }
  | { type: 'log'; level: LogLevel; msg: string; fields: Record<string, unknown> };

export type GroupEvent =
  | { type: 'heartbeat'; request: ConsumerGroupHeartbeatRequest; context: HeartbeatContext }
  | { type: 'sessionTimeout'; memberId: string; deadline: number }
  | { type: 'rebalanceTimeout'; memberId: string; deadline: number }
  | { type: 'connectionClosed'; connectionId: string }
  | { type: 'topicsChanged' };

export interface Env {
  now: number;
  /** Existing non-internal topics -> partition count. */
  topics: ReadonlyMap<string, number>;
  config: GroupConfig;
}

export interface TransitionResult {
  group: Group;
  response?: ConsumerGroupHeartbeatResponse;
  effects: Effect[];
}

export function newGroup(groupId: string): Group {
  return {
    groupId,
    groupEpoch: 0,
    assignmentEpoch: 0,
    assignor: DEFAULT_ASSIGNOR,
    members: new Map(),
    target: new Map(),
    staticMembers: new Map(),
    subscribedTopics: new Map(),
  };
}

/** Assignments are immutable values, so copying the maps and member records is a full copy. */
function copy(g: Group): Group {
  return {
    ...g,
    members: new Map([...g.members].map(([k, m]) => [k, { ...m }])),
    target: new Map(g.target),
    staticMembers: new Map(g.staticMembers),
    subscribedTopics: new Map(g.subscribedTopics),
  };
}

// ---------------------------------------------------------------------------------------------
// transition context

interface Tx {
  g: Group;
  env: Env;
  effects: Effect[];
  persist: boolean;
}

function log(tx: Tx, level: LogLevel, msg: string, fields: Record<string, unknown>): void {
  tx.effects.push({ type: 'log', level, msg, fields: { groupId: tx.g.groupId, ...fields } });
}

export function transition(group: Group, event: GroupEvent, env: Env): TransitionResult {
  if (event.type === 'heartbeat') {
    const steady = steadyHeartbeat(group, event.request, event.context, env);
    if (steady) return steady;
  }
  const tx: Tx = { g: copy(group), env, effects: [], persist: false };
  let response: ConsumerGroupHeartbeatResponse | undefined;
  switch (event.type) {
    case 'heartbeat': {
      const r = heartbeat(tx, event.request, event.context);
      // Errors leave the group exactly as it was.
      if (r.errorCode !== 0) return { group, response: r, effects: [] };
      response = r;
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
      let any = false;
      for (const m of tx.g.members.values()) {
        if (m.connectionId !== event.connectionId) continue;
        m.connectionId = null;
        any = true;
        log(tx, 'debug', 'member connection closed', { memberId: m.memberId, instanceId: m.instanceId });
      }
      if (!any) return { group, effects: [] };
      break;
    }
    case 'topicsChanged':
      topicsChanged(tx);
      break;
  }
  if (tx.persist) tx.effects.push({ type: 'persist' });
  return response ? { group: tx.g, response, effects: tx.effects } : { group: tx.g, effects: tx.effects };
}

// ---------------------------------------------------------------------------------------------
// subscriptions and the target assignment

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

function subscribedTopics(g: Group, topics: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of g.members.values()) for (const t of resolveSubscription(m, topics)) out.set(t, topics.get(t)!);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

const sameCounts = (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>) =>
  a.size === b.size && [...a].every(([t, n]) => b.get(t) === n);

/** The assignor most members ask for; ties prefer the default, then the alphabetically first. */
function chooseAssignor(g: Group): string {
  const votes = new Map<string, number>();
  for (const m of g.members.values()) if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
  if (votes.size === 0) return g.members.size === 0 ? g.assignor : DEFAULT_ASSIGNOR;
  const best = Math.max(...votes.values());
  const tied = [...votes].filter(([, n]) => n === best).map(([a]) => a);
  return tied.includes(DEFAULT_ASSIGNOR) ? DEFAULT_ASSIGNOR : tied.sort()[0]!;
}

/** New group epoch and, at once, its target assignment. */
function bump(tx: Tx, reason: string): void {
  const { g, env } = tx;
  const before = owners(g.target);
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
  g.target = new Map(input.map((m) => [m.memberId, A.fromWire(out.get(m.memberId) ?? [])]));
  g.assignmentEpoch = g.groupEpoch;
  g.subscribedTopics = subscribedTopics(g, env.topics);
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

/** A member not running (left with -2, or replaced): it holds only what its target still gives it. */
function settleAbsent(tx: Tx, m: Member): void {
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

/** Partitions held by more than one member (must always be empty). */
export function doubleHolders(g: Group): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const m of g.members.values()) {
    for (const [t, p] of [...A.pairs(m.assigned), ...A.pairs(m.pendingRevocation)]) {
      const k = A.tpKey(t, p);
      const other = seen.get(k);
      if (other !== undefined && other !== m.memberId) out.push(`${A.tpLabel(t, p)} (${other}, ${m.memberId})`);
      seen.set(k, m.memberId);
    }
    if (A.size(A.intersect(m.assigned, m.pendingRevocation)) > 0) out.push(`${m.memberId}: assigned and pending overlap`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// reconciliation (Kafka's CurrentAssignmentBuilder, kfake's computeNextAssignment)

/**
 * Moves a member one step toward its target:
 * (a) revocations pending: wait for the member's heartbeat to stop reporting them (keeps its epoch);
 * (b) it holds partitions outside its target: they become pending revocation (keeps its epoch);
 * (c) otherwise it advances to the assignment epoch and gets the target partitions nobody holds;
 *     those still held elsewhere make it `unreleased_partitions` until they are released.
 */
function reconcile(g: Group, m: Member, now: number, effects: Effect[], holders: Map<string, string>): void {
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
function notifyMembers(tx: Tx, except: string | null): void {
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

function removeMember(tx: Tx, m: Member): void {
  const { g } = tx;
  g.members.delete(m.memberId);
  g.target.delete(m.memberId);
  if (m.instanceId !== null && g.staticMembers.get(m.instanceId) === m.memberId) g.staticMembers.delete(m.instanceId);
  tx.effects.push({ type: 'cancel', kind: 'session', memberId: m.memberId }, { type: 'cancel', kind: 'rebalance', memberId: m.memberId });
  tx.persist = true;
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
  notifyMembers(tx, null);
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

/** Persisted fields of a member, to tell whether a heartbeat changed anything worth saving. */
const persistedKey = (m: Member) =>
  JSON.stringify([
    m.instanceId,
    m.rackId,
    m.clientId,
    m.clientHost,
    m.rebalanceTimeoutMs,
    m.sessionTimeoutMs,
    m.heartbeatIntervalMs,
    m.subscribedTopicNames,
    m.subscribedTopicRegex,
    m.serverAssignor,
    m.memberEpoch,
    m.previousMemberEpoch,
    m.state,
    A.key(m.assigned),
    A.key(m.pendingRevocation),
    m.leftStatic,
  ]);

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
    return errorResponse(req, cfg, ErrorCode.INVALID_REQUEST, `invalid subscribedTopicRegex ${req.subscribedTopicRegex}`);
  }

  let m = g.members.get(req.memberId);
  let joined = false;
  let released = false;
  const before = m ? persistedKey(m) : '';

  if (req.memberEpoch === JOIN_EPOCH) {
    if (m) {
      // A retried join (or a rejoin after FENCED_MEMBER_EPOCH): answer with its current state, in full.
      m.lastSent = null;
    } else {
      if (req.instanceId !== null) {
        const holder = g.members.get(g.staticMembers.get(req.instanceId) ?? '');
        if (holder) {
          if (holder.connectionId !== null && !holder.leftStatic) {
            return errorResponse(req, cfg, ErrorCode.UNRELEASED_INSTANCE_ID, `instance id ${req.instanceId} is still used by connected member ${holder.memberId}`);
          }
          m = takeOver(tx, holder, req.memberId);
          released = true;
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
        g.members.set(m.memberId, m);
        if (m.instanceId !== null) g.staticMembers.set(m.instanceId, m.memberId);
        joined = true;
        tx.persist = true;
        log(tx, 'info', 'member joined', { memberId: m.memberId, instanceId: m.instanceId, clientId: m.clientId, clientHost: m.clientHost });
      }
    }
  } else {
    if (!m) return errorResponse(req, cfg, ErrorCode.UNKNOWN_MEMBER_ID, `member ${req.memberId} is not in group ${g.groupId} (expelled, or never joined); rejoin with epoch 0`);
    if (req.memberEpoch !== m.memberEpoch) {
      // Lost response: the member did not hear of its last epoch bump. Accept the previous epoch
      // if it claims nothing it may not hold, and answer in full.
      const claims = req.topicPartitions === null ? A.EMPTY : A.fromWire(req.topicPartitions);
      const lost = req.memberEpoch === m.previousMemberEpoch && A.isEmpty(A.minus(claims, A.union(m.assigned, m.pendingRevocation)));
      if (!lost) return errorResponse(req, cfg, ErrorCode.FENCED_MEMBER_EPOCH, `member epoch ${req.memberEpoch} is fenced (current ${m.memberEpoch}); rejoin with epoch 0`);
      m.lastSent = null;
    }
  }

  // Field updates (null / -1 mean unchanged).
  m.connectionId = ctx.connectionId;
  if (ctx.clientId) m.clientId = ctx.clientId;
  m.clientHost = ctx.clientHost;
  if (m.leftStatic) {
    m.leftStatic = false;
    tx.persist = true;
  }
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
        m.pendingRevocation = still;
        released = true;
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
  reconcile(g, m, now, tx.effects, holderIndex(g));
  if (persistedKey(m) !== before) tx.persist = true;
  if (reason !== null || released) notifyMembers(tx, m.memberId);

  const sent = A.key(m.assigned);
  const assignment = sent === m.lastSent ? null : A.toWire(m.assigned);
  m.lastSent = sent;
  m.notified = null;
  return {
    errorCode: 0,
    errorMessage: null,
    memberId: m.memberId,
    memberEpoch: m.memberEpoch,
    heartbeatIntervalMs: intervalFor(m, cfg),
    assignment,
  };
}

/** Never longer than a third of the session: a member heartbeating at the broker's pace must not expire. */
function intervalFor(m: Member, cfg: GroupConfig): number {
  return Math.min(m.heartbeatIntervalMs ?? cfg.heartbeatIntervalMs, Math.max(1, Math.floor(m.sessionTimeoutMs / 3)));
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
  if (ctx.heartbeatIntervalMs !== undefined && ctx.heartbeatIntervalMs > 0 && ctx.heartbeatIntervalMs !== m.heartbeatIntervalMs) return null;
  if (req.topicPartitions !== null && !A.equal(A.fromWire(req.topicPartitions), m.assigned)) return null;
  if (m.lastSent !== A.key(m.assigned)) return null;
  const member: Member = { ...m, sessionDeadline: env.now + m.sessionTimeoutMs };
  return {
    group: { ...g, members: new Map(g.members).set(m.memberId, member) },
    response: { errorCode: 0, errorMessage: null, memberId: m.memberId, memberEpoch: m.memberEpoch, heartbeatIntervalMs: intervalFor(m, env.config), assignment: null },
    effects: [{ type: 'schedule', kind: 'session', memberId: m.memberId, deadline: member.sessionDeadline }],
  };
}

/**
 * Brook's static takeover: the holder of the instance id is gone (its connection closed, or it
 * left with -2), so the newcomer takes its slot at once: same target, and the partitions the
 * holder kept reserved are free for it (the old instance runs nothing), so nobody else moves.
 */
function takeOver(tx: Tx, holder: Member, memberId: string): Member {
  const { g } = tx;
  const target = g.target.get(holder.memberId) ?? A.EMPTY;
  const m: Member = {
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
  g.members.delete(holder.memberId);
  g.target.delete(holder.memberId);
  g.members.set(memberId, m);
  g.target.set(memberId, target);
  g.staticMembers.set(holder.instanceId!, memberId);
  tx.effects.push({ type: 'cancel', kind: 'session', memberId: holder.memberId }, { type: 'cancel', kind: 'rebalance', memberId: holder.memberId });
  tx.persist = true;
  log(tx, 'info', 'static member replaced', { instanceId: holder.instanceId, from: holder.memberId, to: memberId, partitions: A.toWire(target) });
  return m;
}

function leave(tx: Tx, req: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponse {
  const m = tx.g.members.get(req.memberId);
  if (!m) return leaveResponse(req); // already gone: leaving is idempotent
  removeMember(tx, m);
  log(tx, 'info', 'member left', { memberId: m.memberId, instanceId: m.instanceId, clientId: m.clientId });
  bump(tx, `member ${m.memberId} left`);
  notifyMembers(tx, null);
  return leaveResponse(req);
}

function staticLeave(tx: Tx, req: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponse {
  const m = tx.g.members.get(req.memberId);
  if (!m) return leaveResponse(req);
  if (m.instanceId === null) return leave(tx, req); // -2 only means something for static members
  const hadPending = !A.isEmpty(m.pendingRevocation);
  m.leftStatic = true;
  m.connectionId = null;
  settleAbsent(tx, m);
  // The reservation lasts one full session from now.
  m.sessionDeadline = tx.env.now + m.sessionTimeoutMs;
  tx.effects.push({ type: 'schedule', kind: 'session', memberId: m.memberId, deadline: m.sessionDeadline });
  tx.persist = true;
  log(tx, 'info', 'static member left temporarily', { memberId: m.memberId, instanceId: m.instanceId, reservedUntil: m.sessionDeadline, partitions: A.toWire(m.assigned) });
  if (hadPending) notifyMembers(tx, null);
  return leaveResponse(req);
}

// ---------------------------------------------------------------------------------------------
// topics

function topicsChanged(tx: Tx): void {
  const { g, env } = tx;
  // Partitions of deleted topics are held by nobody from now on.
  const exists = (t: string, p: number) => p < (env.topics.get(t) ?? 0);
  for (const m of g.members.values()) {
    const assigned = A.filter(m.assigned, exists);
    const pending = A.filter(m.pendingRevocation, exists);
    if (A.equal(assigned, m.assigned) && A.equal(pending, m.pendingRevocation)) continue;
    m.assigned = assigned;
    m.pendingRevocation = pending;
    m.lastSent = null;
    if (A.isEmpty(pending) && m.rebalanceDeadline !== null) {
      m.rebalanceDeadline = null;
      tx.effects.push({ type: 'cancel', kind: 'rebalance', memberId: m.memberId });
    }
    tx.persist = true;
  }
  if (g.members.size === 0) return;
  const seen = subscribedTopics(g, env.topics);
  if (sameCounts(seen, g.subscribedTopics)) return;
  bump(tx, 'subscribed topics changed');
  notifyMembers(tx, null);
}

// ---------------------------------------------------------------------------------------------
// queries

export function groupState(g: Group | undefined): GroupState {
  if (!g) return 'dead';
  if (g.members.size === 0) return 'empty';
  if (g.groupEpoch > g.assignmentEpoch) return 'assigning';
  for (const m of g.members.values()) if (m.memberEpoch !== g.assignmentEpoch || m.state !== 'stable') return 'reconciling';
  return 'stable';
}

/**
 * Fencing of offset commits. Without a member id, only while the group has no members (admin
 * tools, offset resets). A member commits with its current epoch, or the one just before it (a
 * commit can race the heartbeat response that moved it on; ownership is still checked), and only
 * for partitions it holds: assigned, or pending revocation (its final commit before giving them up).
 */
export function validateOffsetCommit(g: Group | undefined, memberId: string | null, memberEpoch: number, topic: string, partition: number): number {
  const noMember = memberId === null || memberId === '';
  if (!g || g.members.size === 0) return noMember ? 0 : ErrorCode.UNKNOWN_MEMBER_ID;
  if (noMember) return ErrorCode.UNKNOWN_MEMBER_ID;
  const m = g.members.get(memberId);
  if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (memberEpoch !== m.memberEpoch && memberEpoch !== m.previousMemberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
  if (!A.has(m.assigned, topic, partition) && !A.has(m.pendingRevocation, topic, partition)) return ErrorCode.NOT_PARTITION_OWNER;
  return 0;
}

export function describeGroup(g: Group): DescribedGroup {
  return {
    errorCode: 0,
    errorMessage: null,
    groupId: g.groupId,
    state: groupState(g),
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    assignor: g.assignor,
    members: [...g.members.values()]
      .sort((a, b) => (a.memberId < b.memberId ? -1 : 1))
      .map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberEpoch: m.memberEpoch,
        state: m.state,
        subscribedTopicNames: [...m.subscribedTopicNames],
        subscribedTopicRegex: m.subscribedTopicRegex,
        // What the member holds now: its assignment plus what it is still revoking.
        assignment: A.toWire(A.union(m.assigned, m.pendingRevocation)),
        targetAssignment: A.toWire(g.target.get(m.memberId) ?? A.EMPTY),
      })),
  };
}

// ---------------------------------------------------------------------------------------------
// persistence

export interface PersistedMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number | null;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  assigned: TopicPartitions[];
  pendingRevocation: TopicPartitions[];
  target: TopicPartitions[];
  leftStatic: boolean;
}

/** A JSON-serialisable snapshot of one group (stored as a record in __consumer_offsets). */
export interface PersistedGroup {
  version: 2;
  groupId: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignor: string;
  subscribedTopics: Array<{ topic: string; partitions: number }>;
  members: PersistedMember[];
}

export function snapshot(g: Group): PersistedGroup {
  return {
    version: 2,
    groupId: g.groupId,
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    assignor: g.assignor,
    subscribedTopics: [...g.subscribedTopics].map(([topic, partitions]) => ({ topic, partitions })),
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      heartbeatIntervalMs: m.heartbeatIntervalMs,
      subscribedTopicNames: [...m.subscribedTopicNames],
      subscribedTopicRegex: m.subscribedTopicRegex,
      serverAssignor: m.serverAssignor,
      memberEpoch: m.memberEpoch,
      previousMemberEpoch: m.previousMemberEpoch,
      state: m.state,
      assigned: A.toWire(m.assigned),
      pendingRevocation: A.toWire(m.pendingRevocation),
      target: A.toWire(g.target.get(m.memberId) ?? A.EMPTY),
      leftStatic: m.leftStatic,
    })),
  };
}

/**
 * Restores a group after a broker restart. Members have no connection and a fresh session (so
 * those that do not come back are expelled normally); the effects schedule their deadlines.
 */
export function restore(p: PersistedGroup, now: number): TransitionResult {
  const g = newGroup(p.groupId);
  g.groupEpoch = p.groupEpoch;
  g.assignmentEpoch = p.assignmentEpoch;
  g.assignor = getAssignor(p.assignor) ? p.assignor : DEFAULT_ASSIGNOR;
  g.subscribedTopics = new Map(p.subscribedTopics.map((s) => [s.topic, s.partitions]));
  const effects: Effect[] = [];
  for (const pm of p.members) {
    const pending = A.fromWire(pm.pendingRevocation);
    const m: Member = {
      memberId: pm.memberId,
      instanceId: pm.instanceId,
      rackId: pm.rackId,
      clientId: pm.clientId,
      clientHost: pm.clientHost,
      connectionId: null,
      rebalanceTimeoutMs: pm.rebalanceTimeoutMs,
      sessionTimeoutMs: pm.sessionTimeoutMs,
      heartbeatIntervalMs: pm.heartbeatIntervalMs,
      subscribedTopicNames: [...pm.subscribedTopicNames],
      subscribedTopicRegex: pm.subscribedTopicRegex,
      serverAssignor: pm.serverAssignor,
      memberEpoch: pm.memberEpoch,
      previousMemberEpoch: pm.previousMemberEpoch,
      state: pm.state,
      assigned: A.fromWire(pm.assigned),
      pendingRevocation: pending,
      sessionDeadline: now + pm.sessionTimeoutMs,
      rebalanceDeadline: A.isEmpty(pending) ? null : now + pm.rebalanceTimeoutMs,
      leftStatic: pm.leftStatic,
      lastSent: null,
      notified: null,
    };
    g.members.set(m.memberId, m);
    g.target.set(m.memberId, A.fromWire(pm.target));
    if (m.instanceId !== null) g.staticMembers.set(m.instanceId, m.memberId);
    effects.push({ type: 'schedule', kind: 'session', memberId: m.memberId, deadline: m.sessionDeadline });
    if (m.rebalanceDeadline !== null) effects.push({ type: 'schedule', kind: 'rebalance', memberId: m.memberId, deadline: m.rebalanceDeadline });
  }
  return { group: g, effects };
}

/** Accepts this version's snapshots and the first format (version 1); anything else is null. */
export function upgradeSnapshot(raw: unknown): PersistedGroup | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const v = (raw as { version?: unknown }).version;
  if (v === 2) return raw as PersistedGroup;
  if (v !== 1) return null;
  type Rec = Record<string, number[]>;
  const old = raw as {
    groupId: string;
    groupEpoch: number;
    assignmentEpoch: number;
    assignor: string;
    topicsSeen?: Record<string, number>;
    target?: Record<string, Rec>;
    members: Array<Omit<PersistedMember, 'assigned' | 'pendingRevocation' | 'target' | 'heartbeatIntervalMs' | 'serverAssignor'> & { assigned: Rec; pendingRevocation: Rec }>;
  };
  const wire = (r: Rec | undefined): TopicPartitions[] => A.toWire(A.fromWire(Object.entries(r ?? {}).map(([topic, partitions]) => ({ topic, partitions }))));
  return {
    version: 2,
    groupId: old.groupId,
    groupEpoch: old.groupEpoch,
    assignmentEpoch: old.assignmentEpoch,
    assignor: old.assignor,
    subscribedTopics: Object.entries(old.topicsSeen ?? {}).map(([topic, partitions]) => ({ topic, partitions })),
    members: old.members.map((m) => ({
      ...m,
      heartbeatIntervalMs: null,
      serverAssignor: null,
      assigned: wire(m.assigned),
      pendingRevocation: wire(m.pendingRevocation),
      target: wire(old.target?.[m.memberId]),
    })),
  };
}
