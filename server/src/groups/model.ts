// The consumer-group model: member and group records, config, events, effects, and the transition context.
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '@brook/protocol';
import type { Assignment } from './assignment.js';
import { DEFAULT_ASSIGNOR } from './assignors/index.js';

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
  /** Who the member authenticated as (null: auth off); its regex resolves to the topics this principal may describe. */
  principal: string | null;
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
  /** The connection's authenticated principal; null or absent with auth off. */
  principal?: string | null;
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
  /**
   * The topics a regex subscription resolves to for a principal (full match, RE2): the coordinator
   * caches them per group until topics change and keeps only those the principal may describe.
   * Absent: matched against `topics` on each use, unfiltered.
   */
  regexTopics?(regex: string, principal: string | null): readonly string[];
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
export function copy(g: Group): Group {
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

/** One transition's working state: the group copy it may change, and what it asks of the outside world. */
export interface Tx {
  g: Group;
  env: Env;
  effects: Effect[];
  persist: boolean;
}

export function log(tx: Tx, level: LogLevel, msg: string, fields: Record<string, unknown>): void {
  tx.effects.push({ type: 'log', level, msg, fields: { groupId: tx.g.groupId, ...fields } });
}
