// Persistence of a classic group: a JSON snapshot with what Kafka's GroupMetadataValue holds
// (generation, protocol type and name, leader, members with timeouts, metadata and assignment),
// stored in __consumer_offsets under its own record type, and restore at start-up.
import { EMPTY_ASSIGNMENT, newClassicGroup, type ClassicEffect, type ClassicGroup, type ClassicMember } from './model.js';

export interface PersistedClassicMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  /** Metadata and assignment as base64. */
  protocols: Array<{ name: string; metadata: string }>;
  assignment: string;
}

export interface PersistedClassicGroup {
  kind: 'classic';
  version: 1;
  groupId: string;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  stateTimestamp: number;
  members: PersistedClassicMember[];
}

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const unb64 = (s: string) => (s === '' ? EMPTY_ASSIGNMENT : new Uint8Array(Buffer.from(s, 'base64')));

export function classicSnapshot(g: ClassicGroup): PersistedClassicGroup {
  return {
    kind: 'classic',
    version: 1,
    groupId: g.groupId,
    generationId: g.generationId,
    protocolType: g.protocolType,
    protocolName: g.protocolName,
    leaderId: g.leaderId,
    stateTimestamp: g.stateTimestamp,
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      sessionTimeoutMs: m.sessionTimeoutMs,
      protocolType: m.protocolType,
      protocols: m.protocols.map((p) => ({ name: p.name, metadata: b64(p.metadata) })),
      assignment: b64(m.assignment),
    })),
  };
}

export function isClassicSnapshot(raw: unknown): raw is PersistedClassicGroup {
  return typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'classic' && (raw as { version?: unknown }).version === 1;
}

/**
 * Restores a group as Kafka's replay does: Stable with its members and their assignments, or
 * Empty. Nobody is parked after a restart; every member gets a fresh session, so those that do
 * not come back expire and the group rebalances without them.
 */
export function restoreClassic(p: PersistedClassicGroup, now: number): { group: ClassicGroup; effects: ClassicEffect[] } {
  const g = newClassicGroup(p.groupId, now);
  g.generationId = p.generationId;
  g.protocolType = p.protocolType;
  g.protocolName = p.protocolName;
  g.stateTimestamp = p.stateTimestamp;
  const effects: ClassicEffect[] = [];
  for (const pm of p.members) {
    const m: ClassicMember = {
      memberId: pm.memberId,
      groupInstanceId: pm.groupInstanceId,
      clientId: pm.clientId,
      clientHost: pm.clientHost,
      rebalanceTimeoutMs: pm.rebalanceTimeoutMs,
      sessionTimeoutMs: pm.sessionTimeoutMs,
      protocolType: pm.protocolType,
      protocols: pm.protocols.map((x) => ({ name: x.name, metadata: unb64(x.metadata) })),
      assignment: unb64(pm.assignment),
      awaitingJoin: null,
      awaitingSync: null,
      isNew: false,
      heartbeatDeadline: now + pm.sessionTimeoutMs,
    };
    g.members.set(m.memberId, m);
    if (m.groupInstanceId !== null) g.staticMembers.set(m.groupInstanceId, m.memberId);
    effects.push({ type: 'schedule', timer: 'heartbeat', memberId: m.memberId, deadline: m.heartbeatDeadline });
  }
  g.leaderId = p.leaderId !== null && g.members.has(p.leaderId) ? p.leaderId : (g.members.keys().next().value ?? null);
  g.state = g.members.size > 0 ? 'Stable' : 'Empty';
  return { group: g, effects };
}
