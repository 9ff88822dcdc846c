// Persistence of a group as per-member records (in __consumer_offsets), restore, and upgrade of whole-group snapshots.
//
// After Kafka's consumer-group records: one metadata record per group (epochs, assignor,
// subscribed topic sizes), one record per member (subscription, epochs, current assignment), one
// per member target assignment. A transition writes only the records that changed; a member
// leaving writes tombstones for its two records. Compaction keeps the latest record per key.
import type { TopicPartitions } from '@brook/protocol';
import { Map as PMap } from 'immutable';
import * as A from './assignment.js';
import { DEFAULT_ASSIGNOR, getAssignor } from './assignors/index.js';
import { newGroup, type Effect, type Group, type Member, type MemberRecord, type MemberState, type TransitionResult, type Tx } from './model.js';

export interface PersistedGroupMetadata {
  groupEpoch: number;
  assignmentEpoch: number;
  assignor: string;
  subscribedTopics: Array<{ topic: string; partitions: number }>;
}

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
  /** Absent in records and snapshots written before principals were kept (read as null). */
  principal?: string | null;
  serverAssignor: string | null;
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  assigned: TopicPartitions[];
  pendingRevocation: TopicPartitions[];
  leftStatic: boolean;
}

export interface PersistedTarget {
  assignment: TopicPartitions[];
}

/** One record of a group, as written; a null value is a tombstone. */
export type GroupRecord =
  | { kind: 'metadata'; memberId: null; value: PersistedGroupMetadata | null }
  | { kind: 'member'; memberId: string; value: PersistedMember | null }
  | { kind: 'target'; memberId: string; value: PersistedTarget | null };

/** One record of a group, as read back at start-up ('snapshot': the whole-group format before per-member records). */
export interface StoredGroupRecord {
  kind: 'snapshot' | 'metadata' | 'member' | 'target';
  memberId: string | null;
  value: unknown;
}

/** The whole-group snapshot written before per-member records (version 2; version 1 is upgraded to it). */
export interface GroupSnapshot extends PersistedGroupMetadata {
  version: 2;
  groupId: string;
  members: Array<PersistedMember & { target: TopicPartitions[] }>;
}

type PersistEffect = Extract<Effect, { type: 'persist' }>;

// ---------------------------------------------------------------------------------------------
// writing

/** What a transition changed that must be written (null: nothing). */
export function persistedChanges(before: Group, after: Group, tx: Tx): PersistEffect | null {
  const metadata =
    before.groupEpoch !== after.groupEpoch ||
    before.assignmentEpoch !== after.assignmentEpoch ||
    before.assignor !== after.assignor ||
    before.subscribedTopics !== after.subscribedTopics;
  const members = new Set(tx.removed);
  for (const m of tx.owned) {
    const was = before.members.get(m.memberId);
    if (!was || !samePersisted(was, m)) members.add(m.memberId);
  }
  const targets = [...tx.retargeted];
  if (!metadata && members.size === 0 && targets.length === 0) return null;
  return { type: 'persist', metadata, members: [...members], targets };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function samePersisted(a: Member, b: Member): boolean {
  return (
    a.instanceId === b.instanceId &&
    a.rackId === b.rackId &&
    a.clientId === b.clientId &&
    a.clientHost === b.clientHost &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs &&
    a.sessionTimeoutMs === b.sessionTimeoutMs &&
    a.heartbeatIntervalMs === b.heartbeatIntervalMs &&
    sameList(a.subscribedTopicNames, b.subscribedTopicNames) &&
    a.subscribedTopicRegex === b.subscribedTopicRegex &&
    a.principal === b.principal &&
    a.serverAssignor === b.serverAssignor &&
    a.memberEpoch === b.memberEpoch &&
    a.previousMemberEpoch === b.previousMemberEpoch &&
    a.state === b.state &&
    A.equal(a.assigned, b.assigned) &&
    A.equal(a.pendingRevocation, b.pendingRevocation) &&
    a.leftStatic === b.leftStatic
  );
}

function metadataValue(g: Group): PersistedGroupMetadata {
  return {
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    assignor: g.assignor,
    subscribedTopics: [...g.subscribedTopics].map(([topic, partitions]) => ({ topic, partitions })),
  };
}

function memberValue(m: Member): PersistedMember {
  return {
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
    leftStatic: m.leftStatic,
  };
}

function memberRecord(g: Group, memberId: string): GroupRecord {
  const m = g.members.get(memberId);
  return { kind: 'member', memberId, value: m ? memberValue(m) : null };
}

function targetRecord(g: Group, memberId: string): GroupRecord {
  const t = g.target.get(memberId);
  return { kind: 'target', memberId, value: t ? { assignment: A.toWire(t) } : null };
}

/** The records a persist effect asks for, from the group after the transition. */
export function changedRecords(g: Group, e: PersistEffect): GroupRecord[] {
  const out: GroupRecord[] = [];
  if (e.metadata) out.push({ kind: 'metadata', memberId: null, value: metadataValue(g) });
  for (const id of e.members) out.push(memberRecord(g, id));
  for (const id of e.targets) out.push(targetRecord(g, id));
  return out;
}

/** Every record of the group (an upgrade from a snapshot, or a rewrite after a failed write). */
export function groupRecords(g: Group): GroupRecord[] {
  const ids = [...g.members.keys()];
  return changedRecords(g, { type: 'persist', metadata: true, members: ids, targets: ids });
}

// ---------------------------------------------------------------------------------------------
// reading

/**
 * Restores a group after a broker restart from its records (or, from a data dir written before
 * per-member records, from its snapshot: `upgraded` is then true and the caller rewrites it as
 * records). Members have no connection and a fresh session (so those that do not come back are
 * expelled normally); the effects schedule their deadlines. Null if there is no group metadata.
 */
export function restore(groupId: string, records: readonly StoredGroupRecord[], now: number): (TransitionResult & { upgraded: boolean }) | null {
  const metadata = records.find((r) => r.kind === 'metadata')?.value as PersistedGroupMetadata | undefined;
  if (metadata) {
    const members = records.filter((r) => r.kind === 'member').map((r) => r.value as PersistedMember);
    const targets = new Map(records.filter((r) => r.kind === 'target').map((r) => [r.memberId!, (r.value as PersistedTarget).assignment]));
    return { ...build(groupId, metadata, members, targets, now), upgraded: false };
  }
  const raw = records.find((r) => r.kind === 'snapshot')?.value;
  const snapshot = raw === undefined ? null : upgradeSnapshot(raw);
  if (!snapshot) return null;
  const targets = new Map(snapshot.members.map((m) => [m.memberId, m.target]));
  return { ...build(groupId, snapshot, snapshot.members, targets, now), upgraded: true };
}

function build(groupId: string, meta: PersistedGroupMetadata, members: readonly PersistedMember[], targets: ReadonlyMap<string, TopicPartitions[]>, now: number): TransitionResult {
  const effects: Effect[] = [];
  const restored: MemberRecord[] = members.map((pm) => {
    const pending = A.fromWire(pm.pendingRevocation);
    const m: MemberRecord = {
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
    effects.push({ type: 'schedule', kind: 'session', memberId: m.memberId, deadline: m.sessionDeadline });
    if (m.rebalanceDeadline !== null) effects.push({ type: 'schedule', kind: 'rebalance', memberId: m.memberId, deadline: m.rebalanceDeadline });
    return m;
  });
  const g: Group = {
    ...newGroup(groupId),
    groupEpoch: meta.groupEpoch,
    assignmentEpoch: meta.assignmentEpoch,
    assignor: getAssignor(meta.assignor) ? meta.assignor : DEFAULT_ASSIGNOR,
    subscribedTopics: new Map(meta.subscribedTopics.map((s) => [s.topic, s.partitions])),
    members: PMap(restored.map((m) => [m.memberId, m])),
    target: PMap(restored.map((m) => [m.memberId, A.fromWire(targets.get(m.memberId) ?? [])])),
    staticMembers: PMap(restored.filter((m) => m.instanceId !== null).map((m) => [m.instanceId!, m.memberId])),
  };
  return { group: { ...g, holders: holderIndex(g), targetOwners: targetOwnerIndex(g) }, effects };
}

/** Who holds (assigned or pending revocation) each partition, rebuilt from the members. */
export function holderIndex(g: Group): PMap<string, string> {
  return PMap<string, string>().withMutations((out) => {
    for (const m of g.members.values()) {
      for (const [t, p] of A.pairs(m.assigned)) out.set(A.tpKey(t, p), m.memberId);
      for (const [t, p] of A.pairs(m.pendingRevocation)) out.set(A.tpKey(t, p), m.memberId);
    }
  });
}

/** Whose target has each partition, rebuilt from the targets. */
export function targetOwnerIndex(g: Group): PMap<string, string> {
  return PMap<string, string>().withMutations((out) => {
    for (const [memberId, a] of g.target) for (const [t, p] of A.pairs(a)) out.set(A.tpKey(t, p), memberId);
  });
}

/** Accepts snapshots of version 2 and of the first format (version 1); anything else is null. */
export function upgradeSnapshot(raw: unknown): GroupSnapshot | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const v = (raw as { version?: unknown }).version;
  if (v === 2) return raw as GroupSnapshot;
  if (v !== 1) return null;
  type Rec = Record<string, number[]>;
  const old = raw as {
    groupId: string;
    groupEpoch: number;
    assignmentEpoch: number;
    assignor: string;
    topicsSeen?: Record<string, number>;
    target?: Record<string, Rec>;
    members: Array<Omit<PersistedMember, 'assigned' | 'pendingRevocation' | 'heartbeatIntervalMs' | 'serverAssignor'> & { assigned: Rec; pendingRevocation: Rec }>;
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
