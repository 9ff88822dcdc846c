// Persistence of a group: its JSON snapshot (in __consumer_offsets), restore, and upgrade of old versions.
import type { TopicPartitions } from '@brook/protocol';
import * as A from './assignment.js';
import { DEFAULT_ASSIGNOR, getAssignor } from './assignors/index.js';
import { newGroup, type Effect, type Group, type Member, type MemberState, type TransitionResult } from './model.js';

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
  /** Absent in snapshots written before principals were kept (read as null). */
  principal?: string | null;
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
      principal: m.principal,
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
      principal: pm.principal ?? null,
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
