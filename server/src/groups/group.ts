/**
 * One consumer group as a KIP-848 state machine, pure and clock-injected: every transition is a
 * synchronous function of (group, event, now) that mutates the group and returns effects (notify a
 * member to heartbeat now, persist, log). No timers, no I/O, no awaits: the coordinator applies the
 * effects, so no other request can slip in halfway through a transition.
 *
 * Epochs: the group epoch rises when membership, a subscription, or a subscribed topic's
 * partitions change; the target assignment is recomputed for that epoch; each member epoch says
 * which target the member has reached. Revoke before assign: a partition goes to its new owner only
 * once no other member holds it (assigned or pending revocation).
 */
import { ErrorCode, JOIN_EPOCH, LEAVE_EPOCH, STATIC_LEAVE_EPOCH } from '@brook/protocol';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, TopicPartitions } from '@brook/protocol';
import { DEFAULT_ASSIGNOR, assignors, type Assignment } from './assignors.js';

export type MemberState = 'stable' | 'unrevoked_partitions' | 'unreleased_partitions';
export type GroupState = 'empty' | 'assigning' | 'reconciling' | 'stable' | 'dead';

export interface Member {
  memberId: string;
  instanceId: string | null;
  clientId: string;
  clientHost: string;
  rackId: string | null;
  /** The WebSocket the member last heartbeated on; null once it closed (or after a restart). */
  connectionId: string | null;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  /** Partitions the member may use now. */
  assigned: Assignment;
  /** Partitions it must give up; still counted as held until its heartbeat no longer reports them. */
  pendingRevocation: Assignment;
  sessionDeadline: number;
  /** Set while revoking: expelled if still revoking at this time. */
  rebalanceDeadline: number | null;
  /** A static member that left with epoch -2: its slot and partitions stay reserved. */
  leftStatic: boolean;
  /** What the last response told the member (null assignment means "unchanged"). */
  lastSent: string | null;
}

export interface Group {
  groupId: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignor: string;
  members: Map<string, Member>;
  target: Map<string, Assignment>;
  staticMembers: Map<string, string>;
  /** Partition counts of the topics the group subscribes to, when the target was computed. */
  topicsSeen: Record<string, number>;
}

export interface GroupConfig {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  defaultSessionTimeoutMs: number;
  defaultRebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxGroupSize: number;
}

export type Effect =
  | { type: 'notify'; memberId: string; connectionId: string }
  | { type: 'persist' }
  | { type: 'log'; msg: string; fields: Record<string, unknown> }
  | { type: 'rebalance'; groupEpoch: number };

export interface ConnectionContext {
  connectionId: string;
  clientId: string;
  clientHost: string;
}

export function newGroup(groupId: string): Group {
  return { groupId, groupEpoch: 0, assignmentEpoch: 0, assignor: DEFAULT_ASSIGNOR, members: new Map(), target: new Map(), staticMembers: new Map(), topicsSeen: {} };
}

// ---- assignment helpers

const key = (a: Record<string, unknown>) => JSON.stringify(Object.keys(a).sort().map((t) => [t, a[t]]));
export const toWire = (a: Assignment): TopicPartitions[] =>
  Object.keys(a)
    .sort()
    .filter((t) => a[t]!.length > 0)
    .map((topic) => ({ topic, partitions: [...a[topic]!] }));
const fromWire = (tps: TopicPartitions[]): Assignment => {
  const a: Assignment = {};
  for (const tp of tps) a[tp.topic] = [...new Set([...(a[tp.topic] ?? []), ...tp.partitions])].sort((x, y) => x - y);
  return a;
};
const has = (a: Assignment, t: string, p: number) => a[t]?.includes(p) ?? false;
const isEmpty = (a: Assignment) => Object.values(a).every((ps) => ps.length === 0);
function filter(a: Assignment, keep: (t: string, p: number) => boolean): Assignment {
  const out: Assignment = {};
  for (const [t, ps] of Object.entries(a)) {
    const kept = ps.filter((p) => keep(t, p));
    if (kept.length) out[t] = kept;
  }
  return out;
}
function union(a: Assignment, b: Assignment): Assignment {
  const out: Assignment = {};
  for (const t of new Set([...Object.keys(a), ...Object.keys(b)])) {
    out[t] = [...new Set([...(a[t] ?? []), ...(b[t] ?? [])])].sort((x, y) => x - y);
  }
  return filter(out, () => true);
}

/** Who holds (assigned or pending revocation) each partition: the single-owner invariant lives here. */
export function holders(g: Group): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of g.members.values()) {
    for (const [t, ps] of Object.entries(union(m.assigned, m.pendingRevocation))) {
      for (const p of ps) {
        const k = `${t}\0${p}`;
        out.set(k, [...(out.get(k) ?? []), m.memberId]);
      }
    }
  }
  return out;
}

function heldByOther(g: Group, memberId: string, t: string, p: number): boolean {
  for (const m of g.members.values()) {
    if (m.memberId !== memberId && (has(m.assigned, t, p) || has(m.pendingRevocation, t, p))) return true;
  }
  return false;
}

export function groupState(g: Group): GroupState {
  if (g.members.size === 0) return 'empty';
  if (g.groupEpoch > g.assignmentEpoch) return 'assigning';
  for (const m of g.members.values()) if (m.memberEpoch !== g.assignmentEpoch || m.state !== 'stable') return 'reconciling';
  return 'stable';
}

// ---- subscriptions and target

function subscribedTopics(m: Member, topics: Map<string, number>): string[] {
  const out = new Set(m.subscribedTopicNames.filter((t) => topics.has(t)));
  if (m.subscribedTopicRegex !== null) {
    const re = safeRegex(m.subscribedTopicRegex);
    if (re) for (const t of topics.keys()) if (re.test(t)) out.add(t);
  }
  return [...out].sort();
}

function safeRegex(source: string): RegExp | null {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch {
    return null;
  }
}

function topicsSeenBy(g: Group, topics: Map<string, number>): Record<string, number> {
  const seen: Record<string, number> = {};
  for (const m of g.members.values()) for (const t of subscribedTopics(m, topics)) seen[t] = topics.get(t)!;
  return seen;
}

function bump(g: Group, topics: Map<string, number>, reason: string, effects: Effect[]): void {
  const before = ownersOf(g.target);
  g.groupEpoch++;
  computeTarget(g, topics);
  const after = ownersOf(g.target);
  const moved = [...after].filter(([tp, owner]) => before.has(tp) && before.get(tp) !== owner).map(([tp]) => tp.replace('\0', '-'));
  effects.push({ type: 'rebalance', groupEpoch: g.groupEpoch }, { type: 'persist' });
  effects.push({ type: 'log', msg: 'rebalance', fields: { groupId: g.groupId, groupEpoch: g.groupEpoch, reason, members: g.members.size, moved } });
}

function ownersOf(target: Map<string, Assignment>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [memberId, a] of target) for (const [t, ps] of Object.entries(a)) for (const p of ps) out.set(`${t}\0${p}`, memberId);
  return out;
}

function computeTarget(g: Group, topics: Map<string, number>): void {
  const assignor = assignors[g.assignor] ?? assignors[DEFAULT_ASSIGNOR]!;
  const members = [...g.members.values()].map((m) => ({
    memberId: m.memberId,
    instanceId: m.instanceId,
    topics: subscribedTopics(m, topics),
    current: g.target.get(m.memberId) ?? m.assigned,
  }));
  g.target = assignor({ members, topics });
  g.assignmentEpoch = g.groupEpoch;
  g.topicsSeen = topicsSeenBy(g, topics);
}

// ---- reconciliation (Kafka's CurrentAssignmentBuilder, simplified)

/** Moves a member toward its target. Returns true if what it may own changed. */
function reconcile(g: Group, m: Member, now: number): boolean {
  if (!isEmpty(m.pendingRevocation)) return false; // still revoking: wait for its heartbeat
  const target = g.target.get(m.memberId) ?? {};
  const revoke = filter(m.assigned, (t, p) => !has(target, t, p));
  if (!isEmpty(revoke)) {
    m.assigned = filter(m.assigned, (t, p) => has(target, t, p));
    m.pendingRevocation = revoke;
    m.state = 'unrevoked_partitions';
    m.rebalanceDeadline = now + m.rebalanceTimeoutMs;
    return true;
  }
  const before = key(m.assigned);
  const free = filter(target, (t, p) => !has(m.assigned, t, p) && !heldByOther(g, m.memberId, t, p));
  m.assigned = union(m.assigned, free);
  const complete = Object.entries(target).every(([t, ps]) => ps.every((p) => has(m.assigned, t, p)));
  if (m.memberEpoch !== g.assignmentEpoch) {
    m.previousMemberEpoch = m.memberEpoch;
    m.memberEpoch = g.assignmentEpoch;
  }
  m.state = complete ? 'stable' : 'unreleased_partitions';
  m.rebalanceDeadline = null;
  return before !== key(m.assigned);
}

/** Members other than `except` that have work to do: tell them to heartbeat now. */
function notifyOthers(g: Group, except: string | null, effects: Effect[]): void {
  for (const m of g.members.values()) {
    if (m.memberId === except || m.connectionId === null || m.leftStatic) continue;
    const target = g.target.get(m.memberId) ?? {};
    const behind = m.memberEpoch !== g.assignmentEpoch || m.state !== 'stable' || key(target) !== key(m.assigned);
    if (!behind) continue;
    // Waiting for a partition: only worth a nudge if one of them is free now.
    if (m.state === 'unreleased_partitions' && m.memberEpoch === g.assignmentEpoch) {
      const nowFree = Object.entries(target).some(([t, ps]) => ps.some((p) => !has(m.assigned, t, p) && !heldByOther(g, m.memberId, t, p)));
      if (!nowFree) continue;
    }
    effects.push({ type: 'notify', memberId: m.memberId, connectionId: m.connectionId });
  }
}

function removeMember(g: Group, m: Member): void {
  g.members.delete(m.memberId);
  g.target.delete(m.memberId);
  if (m.instanceId !== null && g.staticMembers.get(m.instanceId) === m.memberId) g.staticMembers.delete(m.instanceId);
}

// ---- events

export interface HeartbeatResult {
  response: ConsumerGroupHeartbeatResponse;
  effects: Effect[];
}

function error(req: ConsumerGroupHeartbeatRequest, code: number, message: string, cfg: GroupConfig): HeartbeatResult {
  return {
    response: { errorCode: code, errorMessage: message, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: cfg.heartbeatIntervalMs, assignment: null },
    effects: [],
  };
}

export function heartbeat(
  g: Group,
  req: ConsumerGroupHeartbeatRequest,
  conn: ConnectionContext,
  topics: Map<string, number>,
  cfg: GroupConfig,
  now: number,
): HeartbeatResult {
  const effects: Effect[] = [];
  if (!req.memberId) return error(req, ErrorCode.UNKNOWN_MEMBER_ID, 'memberId is required (the client generates a UUID)', cfg);
  if (req.sessionTimeoutMs !== -1 && (req.sessionTimeoutMs < cfg.minSessionTimeoutMs || req.sessionTimeoutMs > cfg.maxSessionTimeoutMs)) {
    return error(req, ErrorCode.INVALID_SESSION_TIMEOUT, `sessionTimeout must be between ${cfg.minSessionTimeoutMs} and ${cfg.maxSessionTimeoutMs} ms`, cfg);
  }
  if (req.serverAssignor !== null && !(req.serverAssignor in assignors)) {
    return error(req, ErrorCode.UNSUPPORTED_ASSIGNOR, `unknown assignor ${req.serverAssignor} (uniform, range, roundrobin)`, cfg);
  }
  if (req.subscribedTopicRegex !== null && safeRegex(req.subscribedTopicRegex) === null) {
    return error(req, ErrorCode.INVALID_REQUEST, `invalid subscribedTopicRegex ${req.subscribedTopicRegex}`, cfg);
  }
  let m = g.members.get(req.memberId);

  if (req.memberEpoch === LEAVE_EPOCH || req.memberEpoch === STATIC_LEAVE_EPOCH) {
    if (!m) return { response: { errorCode: 0, errorMessage: null, memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null }, effects };
    if (req.memberEpoch === STATIC_LEAVE_EPOCH && m.instanceId !== null) {
      // Keep the slot and partitions reserved until the session times out.
      m.leftStatic = true;
      m.connectionId = null;
      effects.push({ type: 'persist' }, { type: 'log', msg: 'static member left temporarily', fields: { groupId: g.groupId, memberId: m.memberId, instanceId: m.instanceId } });
    } else {
      removeMember(g, m);
      effects.push({ type: 'log', msg: 'member left', fields: { groupId: g.groupId, memberId: m.memberId } });
      bump(g, topics, 'member left', effects);
      notifyOthers(g, null, effects);
    }
    return { response: { errorCode: 0, errorMessage: null, memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null }, effects };
  }

  if (req.memberEpoch === JOIN_EPOCH) {
    if (!m && req.instanceId !== null) {
      const holderId = g.staticMembers.get(req.instanceId);
      const holder = holderId ? g.members.get(holderId) : undefined;
      if (holder) {
        if (holder.connectionId !== null && !holder.leftStatic) {
          return error(req, ErrorCode.UNRELEASED_INSTANCE_ID, `instance id ${req.instanceId} is still used by a connected member`, cfg);
        }
        // Brook's twist: the old instance's connection is gone, so the newcomer takes over its
        // slot and partitions at once; nobody else moves.
        m = { ...holder, memberId: req.memberId, leftStatic: false, pendingRevocation: {}, lastSent: null };
        g.members.delete(holder.memberId);
        g.members.set(m.memberId, m);
        const target = g.target.get(holder.memberId);
        g.target.delete(holder.memberId);
        if (target) g.target.set(m.memberId, target);
        g.staticMembers.set(req.instanceId, m.memberId);
        effects.push({ type: 'persist' }, { type: 'log', msg: 'static member replaced', fields: { groupId: g.groupId, instanceId: req.instanceId, from: holder.memberId, to: m.memberId } });
      }
    }
    if (!m) {
      if (g.members.size >= cfg.maxGroupSize) return error(req, ErrorCode.GROUP_MAX_SIZE_REACHED, `group ${g.groupId} has reached its maximum size ${cfg.maxGroupSize}`, cfg);
      m = {
        memberId: req.memberId,
        instanceId: req.instanceId,
        clientId: conn.clientId,
        clientHost: conn.clientHost,
        rackId: req.rackId,
        connectionId: conn.connectionId,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : cfg.defaultRebalanceTimeoutMs,
        sessionTimeoutMs: req.sessionTimeoutMs > 0 ? req.sessionTimeoutMs : cfg.defaultSessionTimeoutMs,
        subscribedTopicNames: req.subscribedTopicNames ?? [],
        subscribedTopicRegex: req.subscribedTopicRegex,
        memberEpoch: 0,
        previousMemberEpoch: -1,
        state: 'stable',
        assigned: {},
        pendingRevocation: {},
        sessionDeadline: now,
        rebalanceDeadline: null,
        leftStatic: false,
        lastSent: null,
      };
      g.members.set(m.memberId, m);
      if (m.instanceId !== null) g.staticMembers.set(m.instanceId, m.memberId);
      if (req.serverAssignor !== null && g.members.size === 1) g.assignor = req.serverAssignor;
      effects.push({ type: 'log', msg: 'member joined', fields: { groupId: g.groupId, memberId: m.memberId, instanceId: m.instanceId, clientId: m.clientId } });
      bump(g, topics, 'member joined', effects);
    } else {
      // A known member rejoining (after being fenced, or a retried join): it owns nothing now.
      m.pendingRevocation = {};
      if (req.topicPartitions !== null && req.topicPartitions.length === 0) m.assigned = {};
      m.lastSent = null;
    }
  } else {
    if (!m) return error(req, ErrorCode.UNKNOWN_MEMBER_ID, `member ${req.memberId} is not in group ${g.groupId} (expired or never joined)`, cfg);
    const owned = req.topicPartitions === null ? null : fromWire(req.topicPartitions);
    const lostResponse = req.memberEpoch === m.previousMemberEpoch && owned !== null && Object.entries(owned).every(([t, ps]) => ps.every((p) => has(m!.assigned, t, p)));
    if (req.memberEpoch !== m.memberEpoch && !lostResponse) {
      return error(req, ErrorCode.FENCED_MEMBER_EPOCH, `member epoch ${req.memberEpoch} is fenced (current ${m.memberEpoch}); rejoin`, cfg);
    }
    if (lostResponse) m.lastSent = null;
  }

  // Field updates (null = unchanged).
  m.connectionId = conn.connectionId;
  m.clientId = conn.clientId || m.clientId;
  m.clientHost = conn.clientHost;
  m.leftStatic = false;
  if (req.rebalanceTimeoutMs > 0) m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
  if (req.sessionTimeoutMs > 0) m.sessionTimeoutMs = req.sessionTimeoutMs;
  m.sessionDeadline = now + m.sessionTimeoutMs;
  let subscriptionChanged = false;
  if (req.subscribedTopicNames !== null && [...req.subscribedTopicNames].sort().join('\0') !== [...m.subscribedTopicNames].sort().join('\0')) {
    m.subscribedTopicNames = [...req.subscribedTopicNames];
    subscriptionChanged = true;
  }
  if (req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== m.subscribedTopicRegex) {
    m.subscribedTopicRegex = req.subscribedTopicRegex === '' ? null : req.subscribedTopicRegex;
    subscriptionChanged = true;
  }
  if (subscriptionChanged) bump(g, topics, 'subscription changed', effects);

  // Revocation is done once the member no longer reports the partitions.
  if (req.topicPartitions !== null && !isEmpty(m.pendingRevocation)) {
    const owned = fromWire(req.topicPartitions);
    const still = filter(m.pendingRevocation, (t, p) => has(owned, t, p));
    if (isEmpty(still)) {
      const released = m.pendingRevocation;
      m.pendingRevocation = {};
      effects.push({ type: 'log', msg: 'partitions revoked', fields: { groupId: g.groupId, memberId: m.memberId, partitions: toWire(released) } });
    } else m.pendingRevocation = still;
  }
  const before = `${m.memberEpoch}|${key(m.assigned)}|${key(m.pendingRevocation)}|${m.state}`;
  reconcile(g, m, now);
  const after = `${m.memberEpoch}|${key(m.assigned)}|${key(m.pendingRevocation)}|${m.state}`;
  if (before !== after) effects.push({ type: 'persist' });
  notifyOthers(g, m.memberId, effects);

  const sent = key(m.assigned);
  const assignment = sent === m.lastSent ? null : toWire(m.assigned);
  m.lastSent = sent;
  return {
    response: { errorCode: 0, errorMessage: null, memberId: m.memberId, memberEpoch: m.memberEpoch, heartbeatIntervalMs: cfg.heartbeatIntervalMs, assignment },
    effects,
  };
}

/** Expire sessions and revocation deadlines. */
export function tick(g: Group, topics: Map<string, number>, now: number): Effect[] {
  const effects: Effect[] = [];
  let removed = false;
  for (const m of [...g.members.values()]) {
    const sessionOver = now >= m.sessionDeadline;
    const revokeOver = m.rebalanceDeadline !== null && now >= m.rebalanceDeadline && !isEmpty(m.pendingRevocation);
    if (!sessionOver && !revokeOver) continue;
    removeMember(g, m);
    removed = true;
    effects.push({
      type: 'log',
      msg: 'member expelled',
      fields: { groupId: g.groupId, memberId: m.memberId, instanceId: m.instanceId, reason: sessionOver ? 'session timeout' : 'rebalance timeout' },
    });
  }
  if (removed) {
    bump(g, topics, 'member expelled', effects);
    notifyOthers(g, null, effects);
  }
  return effects;
}

/** A subscribed topic was created, deleted, or grew partitions. */
export function topicsChanged(g: Group, topics: Map<string, number>): Effect[] {
  const effects: Effect[] = [];
  if (key(topicsSeenBy(g, topics)) === key(g.topicsSeen) || g.members.size === 0) return effects;
  bump(g, topics, 'subscribed topics changed', effects);
  notifyOthers(g, null, effects);
  return effects;
}

export function connectionClosed(g: Group, connectionId: string): void {
  for (const m of g.members.values()) if (m.connectionId === connectionId) m.connectionId = null;
}

/**
 * Fencing of offset commits: members commit with their id and epoch, only for partitions they hold;
 * commits without a member id are accepted only while the group has no members.
 */
export function validateOffsetCommit(g: Group | undefined, memberId: string | null, memberEpoch: number, topic: string, partition: number): number {
  if (!g || g.members.size === 0) return memberId === null || memberId === '' ? 0 : ErrorCode.UNKNOWN_MEMBER_ID;
  if (memberId === null || memberId === '') return ErrorCode.UNKNOWN_MEMBER_ID;
  const m = g.members.get(memberId);
  if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (memberEpoch !== m.memberEpoch && memberEpoch !== m.previousMemberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
  if (!has(m.assigned, topic, partition) && !has(m.pendingRevocation, topic, partition)) return ErrorCode.NOT_PARTITION_OWNER;
  return 0;
}

// ---- persistence

export interface PersistedGroup {
  version: 1;
  groupId: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignor: string;
  topicsSeen: Record<string, number>;
  members: Array<Omit<Member, 'connectionId' | 'sessionDeadline' | 'rebalanceDeadline' | 'lastSent'>>;
  target: Record<string, Assignment>;
}

export function snapshot(g: Group): PersistedGroup {
  return {
    version: 1,
    groupId: g.groupId,
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    assignor: g.assignor,
    topicsSeen: g.topicsSeen,
    members: [...g.members.values()].map(({ connectionId: _c, sessionDeadline: _s, rebalanceDeadline: _r, lastSent: _l, ...rest }) => rest),
    target: Object.fromEntries(g.target),
  };
}

/** Restored members have no connection and a fresh session: those that do not come back expire normally. */
export function restore(p: PersistedGroup, now: number): Group {
  const g = newGroup(p.groupId);
  g.groupEpoch = p.groupEpoch;
  g.assignmentEpoch = p.assignmentEpoch;
  g.assignor = p.assignor;
  g.topicsSeen = p.topicsSeen;
  g.target = new Map(Object.entries(p.target));
  for (const m of p.members) {
    g.members.set(m.memberId, { ...m, connectionId: null, sessionDeadline: now + m.sessionTimeoutMs, rebalanceDeadline: isEmpty(m.pendingRevocation) ? null : now + m.rebalanceTimeoutMs, lastSent: null });
    if (m.instanceId !== null) g.staticMembers.set(m.instanceId, m.memberId);
  }
  return g;
}
