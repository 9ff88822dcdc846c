// The consumer-group model: member and group records, config, events, effects, and the transition context.
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '@brook/protocol';
import { Map as PMap } from 'immutable';
import type { Assignment } from './assignment.js';
import { DEFAULT_ASSIGNOR } from './assignors/index.js';

export type MemberState = 'stable' | 'unrevoked_partitions' | 'unreleased_partitions';
export type GroupState = 'empty' | 'assigning' | 'reconciling' | 'stable' | 'dead';

/** A member's fields; a transition changes only its own copy (see `edit`), never one the input group holds. */
export interface MemberRecord {
  memberId: string;
  instanceId: string | null;
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

export type Member = Readonly<MemberRecord>;

/**
 * A group is an immutable value. Its collections are persistent maps (immutable.js), so a
 * transition returns a group that shares every member, target and index entry it did not change:
 * its cost follows what changed, not the size of the group.
 */
export interface Group {
  readonly groupId: string;
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly assignor: string;
  readonly members: PMap<string, Member>;
  /** memberId -> target assignment for `assignmentEpoch`. */
  readonly target: PMap<string, Assignment>;
  /** instanceId -> memberId. */
  readonly staticMembers: PMap<string, string>;
  /** Partition counts of the subscribed topics when the target was last computed. */
  readonly subscribedTopics: ReadonlyMap<string, number>;
  /** `topic\0partition` -> the member holding it (assigned or pending revocation). Derived, kept up to date by every change. */
  readonly holders: PMap<string, string>;
  /** `topic\0partition` -> the member whose target has it. Derived from `target`. */
  readonly targetOwners: PMap<string, string>;
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
  /** The broker can push "heartbeat now" on this connection (the WebSocket door; Kafka's protocol has no push). */
  pushes?: boolean;
}

export type TimerKind = 'session' | 'rebalance';
export type LogLevel = 'debug' | 'info' | 'warn';

export type Effect =
  | { type: 'schedule'; kind: TimerKind; memberId: string; deadline: number }
  | { type: 'cancel'; kind: TimerKind; memberId: string }
  /** Push "heartbeat now" to the member: its target changed (a revocation, or a partition it waits for is free). */
  | { type: 'notify'; memberId: string; connectionId: string }
  /**
   * Write the records that changed: the group's metadata (epochs, assignor), and per member its
   * record and its target. A member listed but no longer in the group gets tombstones.
   */
  | { type: 'persist'; metadata: boolean; members: string[]; targets: string[] }
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
    members: PMap(),
    target: PMap(),
    staticMembers: PMap(),
    subscribedTopics: new Map(),
    holders: PMap(),
    targetOwners: PMap(),
  };
}

// ---------------------------------------------------------------------------------------------
// transition context

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One transition's working state. `g` starts as a shallow copy of the input whose maps are
 * mutable views (immutable.js `asMutable`: writes copy only the paths they touch), and member
 * records are copied on first change (`edit`). What changed is recorded as it happens, so
 * notifying and persisting look only at that.
 */
export interface Tx {
  readonly base: Group;
  readonly g: Writable<Group>;
  readonly env: Env;
  readonly effects: Effect[];
  /** Member records copied by this transition: the only ones it may change. */
  readonly owned: Set<Member>;
  /** Members whose target changed. */
  readonly retargeted: Set<string>;
  /** Partitions a holder let go of (`topic\0partition`). */
  readonly released: Set<string>;
  /** Members whose holding changed (e.g. a revocation cut short by a deleted topic). */
  readonly reheld: Set<string>;
  /** Members removed from the group. */
  readonly removed: Set<string>;
}

export function begin(base: Group, env: Env): Tx {
  const g: Writable<Group> = {
    ...base,
    members: base.members.asMutable(),
    target: base.target.asMutable(),
    staticMembers: base.staticMembers.asMutable(),
    holders: base.holders.asMutable(),
    targetOwners: base.targetOwners.asMutable(),
  };
  return { base, g, env, effects: [], owned: new Set(), retargeted: new Set(), released: new Set(), reheld: new Set(), removed: new Set() };
}

/** Seals the working maps (no further in-place writes) and returns the new group. */
export function seal(tx: Tx): Group {
  const { g } = tx;
  return {
    ...g,
    members: g.members.asImmutable(),
    target: g.target.asImmutable(),
    staticMembers: g.staticMembers.asImmutable(),
    holders: g.holders.asImmutable(),
    targetOwners: g.targetOwners.asImmutable(),
  };
}

/** The member's record as this transition may change it: copied (once) if the input group still shares it. */
export function edit(tx: Tx, m: Member): MemberRecord {
  const current = tx.g.members.get(m.memberId);
  if (current === undefined) throw new Error(`member ${m.memberId} is not in group ${tx.g.groupId}`);
  if (tx.owned.has(current)) return current as MemberRecord;
  const copy: MemberRecord = { ...current };
  tx.owned.add(copy);
  tx.g.members.set(copy.memberId, copy);
  return copy;
}

/** Adds a member record built by this transition. */
export function addMember(tx: Tx, m: MemberRecord): void {
  tx.owned.add(m);
  tx.g.members.set(m.memberId, m);
}

export function log(tx: Tx, level: LogLevel, msg: string, fields: Record<string, unknown>): void {
  tx.effects.push({ type: 'log', level, msg, fields: { groupId: tx.g.groupId, ...fields } });
}
