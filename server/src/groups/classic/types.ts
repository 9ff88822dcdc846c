// Version-independent shapes of the classic group APIs (JoinGroup 11, Heartbeat 12, LeaveGroup 13,
// SyncGroup 14). Field names are Kafka's JSON message specs in camelCase; the Kafka codec maps each
// wire version onto these (absent fields get the defaults noted here). Protocol metadata and
// assignments stay opaque bytes: the broker never needs to understand them (Connect, Schema
// Registry and Streams groups use their own formats); only the admin view decodes "consumer" ones.

/** Kafka's UNKNOWN_MEMBER_ID sentinel: the empty member id of a member that has none yet. */
export const UNKNOWN_MEMBER_ID = '';
/** Generation of a group that never completed a rebalance, and of commits from outside the group. */
export const NO_GENERATION = -1;

export interface JoinGroupRequestProtocol {
  name: string;
  metadata: Uint8Array;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** v1+; the codec passes -1 for v0 and the group then uses sessionTimeoutMs (as Kafka does). */
  rebalanceTimeoutMs: number;
  memberId: string;
  /** v5+ (KIP-345 static membership); null below. */
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinGroupRequestProtocol[];
  /** v8+ (KIP-800); null below. */
  reason: string | null;
  /** KIP-394: true for v4+, where a join without a member id gets MEMBER_ID_REQUIRED and an id. */
  requireKnownMemberId: boolean;
  /** KIP-814: true for v9+, where a static leader rejoining a Stable group may skip the assignment. */
  supportsSkippingAssignment: boolean;
}

export interface JoinGroupResponseMember {
  memberId: string;
  /** v5+. */
  groupInstanceId: string | null;
  metadata: Uint8Array;
}

export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  /** v7+; null until the group has one. */
  protocolType: string | null;
  /** Nullable from v7; the codec writes "" for older versions. */
  protocolName: string | null;
  leader: string;
  /** v9+. */
  skipAssignment: boolean;
  memberId: string;
  /** Only the leader gets the members (with the selected protocol's metadata); followers get []. */
  members: JoinGroupResponseMember[];
}

export interface SyncGroupRequestAssignment {
  memberId: string;
  assignment: Uint8Array;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+. */
  groupInstanceId: string | null;
  /** v5+; null below (not checked then). */
  protocolType: string | null;
  /** v5+; null below (not checked then). */
  protocolName: string | null;
  /** Only the leader's carry assignments; followers send []. */
  assignments: SyncGroupRequestAssignment[];
}

export interface SyncGroupResponse {
  errorCode: number;
  /** v5+. */
  protocolType: string | null;
  /** v5+. */
  protocolName: string | null;
  assignment: Uint8Array;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+. */
  groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  errorCode: number;
}

export interface LeaveGroupMemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
  /** v5+. */
  reason: string | null;
}

export interface LeaveGroupRequest {
  groupId: string;
  /** v3+ carry a batch; the codec turns v0-2's single memberId into one identity. */
  members: LeaveGroupMemberIdentity[];
}

export interface LeaveGroupMemberResponse {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

export interface LeaveGroupResponse {
  /** For v0-2 the codec answers with members[0].errorCode when this is 0. */
  errorCode: number;
  members: LeaveGroupMemberResponse[];
}

/** Who sent a JoinGroup: Kafka stores both on the member (DescribeGroups shows them). */
export interface ClassicRequestContext {
  clientId: string;
  clientHost: string;
}
