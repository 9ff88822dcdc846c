// The classic group model (Kafka's ClassicGroup / ClassicGroupMember): records, config, events,
// effects and the transition context. Parked JoinGroup/SyncGroup requests are request ids on the
// member; the coordinator keeps the promises and the transitions answer them through effects.
import type {
  ClassicRequestContext,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupRequestProtocol,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from './types.js';

/** Kafka's ClassicGroupState names, as ListGroups and DescribeGroups show them. */
export type ClassicGroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export const EMPTY_ASSIGNMENT: Uint8Array = new Uint8Array(0);

export interface ClassicMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  /** In the member's order of preference. */
  protocols: readonly JoinGroupRequestProtocol[];
  assignment: Uint8Array;
  /** Request id of its parked JoinGroup, answered when the join phase completes. */
  awaitingJoin: number | null;
  /** Request id of its parked SyncGroup, answered when the leader's assignment arrives. */
  awaitingSync: number | null;
  /** Joined during this rebalance: expires on the new-member join timeout even while parked. */
  isNew: boolean;
  heartbeatDeadline: number;
}

export interface ClassicGroup {
  readonly groupId: string;
  state: ClassicGroupState;
  previousState: ClassicGroupState | null;
  stateTimestamp: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  /** Insertion order matters: a departing leader is replaced by the first remaining member. */
  members: Map<string, ClassicMember>;
  /** groupInstanceId -> memberId. */
  staticMembers: Map<string, string>;
  /** KIP-394: ids handed out with MEMBER_ID_REQUIRED, not joined yet -> expiry deadline. */
  pendingJoinMembers: Map<string, number>;
  /** Members of the new generation that have not sent SyncGroup yet. */
  pendingSyncMembers: Set<string>;
  /** A member joined during the initial delay, so the delay is extended once more. */
  newMemberAdded: boolean;
  /** The join phase's deadline: the initial rebalance delay, or the rebalance timeout. */
  joinTimer: { deadline: number; initialDelay: { delayMs: number; remainingMs: number } | null } | null;
  /** Members that do not sync by this deadline are removed (Kafka's pending-sync expiration). */
  syncTimer: { deadline: number; generationId: number } | null;
}

export interface ClassicGroupConfig {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number;
  /** How long a new member's parked JoinGroup may wait before it is dropped (Kafka: 5 minutes). */
  newMemberJoinTimeoutMs: number;
  /** group.max.size */
  maxGroupSize: number;
}

export const DEFAULT_CLASSIC_CONFIG: ClassicGroupConfig = {
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 3000,
  newMemberJoinTimeoutMs: 300_000,
  maxGroupSize: 1000,
};

export type ClassicTimer = 'join' | 'sync' | 'heartbeat';
export type LogLevel = 'debug' | 'info' | 'warn';

export type ClassicEffect =
  /** Heartbeat timers carry the member id; join and sync timers are per group. */
  | { type: 'schedule'; timer: ClassicTimer; memberId: string | null; deadline: number }
  | { type: 'cancel'; timer: ClassicTimer; memberId: string | null }
  | { type: 'joinResponse'; requestId: number; response: JoinGroupResponse }
  | { type: 'syncResponse'; requestId: number; response: SyncGroupResponse }
  | { type: 'persist' }
  | { type: 'log'; level: LogLevel; msg: string; fields: Record<string, unknown> };

export type ClassicEvent =
  /** `uuid` is the random part of a member id the coordinator may hand out (keeps transitions pure). */
  | { type: 'join'; requestId: number; request: JoinGroupRequest; context: ClassicRequestContext; uuid: string }
  | { type: 'sync'; requestId: number; request: SyncGroupRequest }
  | { type: 'heartbeat'; request: HeartbeatRequest }
  | { type: 'leave'; request: LeaveGroupRequest }
  | { type: 'timer'; timer: ClassicTimer; memberId: string | null; deadline: number };

export interface ClassicEnv {
  now: number;
  config: ClassicGroupConfig;
}

export interface ClassicTransitionResult {
  /** Null: there is no such group (and none was created). */
  group: ClassicGroup | null;
  effects: ClassicEffect[];
  /** Heartbeat and LeaveGroup are answered at once; JoinGroup and SyncGroup through effects. */
  heartbeat?: HeartbeatResponse;
  leave?: LeaveGroupResponse;
}

export function newClassicGroup(groupId: string, now: number): ClassicGroup {
  return {
    groupId,
    state: 'Empty',
    previousState: null,
    stateTimestamp: now,
    generationId: 0,
    protocolType: null,
    protocolName: null,
    leaderId: null,
    members: new Map(),
    staticMembers: new Map(),
    pendingJoinMembers: new Map(),
    pendingSyncMembers: new Set(),
    newMemberAdded: false,
    joinTimer: null,
    syncTimer: null,
  };
}

/** Byte arrays and protocol lists are never mutated in place, so copying the records is a full copy. */
export function copyGroup(g: ClassicGroup): ClassicGroup {
  return {
    ...g,
    members: new Map([...g.members].map(([k, m]) => [k, { ...m }])),
    staticMembers: new Map(g.staticMembers),
    pendingJoinMembers: new Map(g.pendingJoinMembers),
    pendingSyncMembers: new Set(g.pendingSyncMembers),
  };
}

/** One transition's working state: the group copy it may change, and what it asks of the outside world. */
export interface ClassicTx {
  g: ClassicGroup;
  env: ClassicEnv;
  effects: ClassicEffect[];
  persist: boolean;
}

export function log(tx: ClassicTx, level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  tx.effects.push({ type: 'log', level, msg, fields: { groupId: tx.g.groupId, groupType: 'classic', ...fields } });
}
