// A driver for the pure classic state machine: it keeps the group, a clock, the timers the effects
// schedule (fired in deadline order by advance) and every answer by request id.
import { classicTransition, DEFAULT_CLASSIC_CONFIG, type ClassicEvent, type ClassicGroup, type ClassicGroupConfig } from '../../../src/groups/classic/index.js';
import type { HeartbeatResponse, JoinGroupRequest, JoinGroupResponse, LeaveGroupResponse, SyncGroupResponse } from '../../../src/groups/classic/index.js';

export const bytes = (s: string) => new TextEncoder().encode(s);
export const text = (b: Uint8Array) => new TextDecoder().decode(b);

export const TEST_CONFIG: ClassicGroupConfig = { ...DEFAULT_CLASSIC_CONFIG, minSessionTimeoutMs: 100, initialRebalanceDelayMs: 50, newMemberJoinTimeoutMs: 5000 };

export function joinRequest(over: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    sessionTimeoutMs: 1000,
    rebalanceTimeoutMs: 2000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: bytes('m') }],
    reason: null,
    requireKnownMemberId: true,
    supportsSkippingAssignment: true,
    ...over,
  };
}

export class Machine {
  group: ClassicGroup | null = null;
  now = 1_000_000;
  persists = 0;
  private seq = 0;
  readonly joins = new Map<number, JoinGroupResponse>();
  readonly syncs = new Map<number, SyncGroupResponse>();
  readonly timers = new Map<string, number>();
  /** Every answer ever given, to check that no request is answered twice. */
  readonly answered: number[] = [];
  /** The group's generation when each request was answered. */
  readonly generationAtAnswer = new Map<number, number>();

  constructor(readonly config: ClassicGroupConfig = TEST_CONFIG) {}

  step(event: ClassicEvent): { heartbeat?: HeartbeatResponse; leave?: LeaveGroupResponse } {
    const before = this.group;
    const r = classicTransition(this.group, event, { now: this.now, config: this.config });
    this.group = r.group;
    if (before && before !== r.group) Object.freeze(before); // transitions never mutate their input
    for (const e of r.effects) {
      const key = `${e.type === 'schedule' || e.type === 'cancel' ? e.timer : ''}:${'memberId' in e ? (e.memberId ?? '') : ''}`;
      if (e.type === 'schedule') this.timers.set(key, e.deadline);
      else if (e.type === 'cancel') this.timers.delete(key);
      else if (e.type === 'joinResponse') {
        this.joins.set(e.requestId, e.response);
        this.generationAtAnswer.set(e.requestId, r.group?.generationId ?? -1);
        this.answered.push(e.requestId);
      } else if (e.type === 'syncResponse') {
        this.syncs.set(e.requestId, e.response);
        this.generationAtAnswer.set(e.requestId, r.group?.generationId ?? -1);
        this.answered.push(e.requestId);
      } else if (e.type === 'persist') this.persists++;
    }
    return r;
  }

  join(over: Partial<JoinGroupRequest> = {}, clientId = 'c'): number {
    const requestId = ++this.seq;
    this.step({ type: 'join', requestId, request: joinRequest(over), context: { clientId, clientHost: '/127.0.0.1' }, uuid: `u${requestId}` });
    return requestId;
  }

  /** KIP-394 round trip: the id from MEMBER_ID_REQUIRED, then the real (parked) join. */
  joinDynamic(over: Partial<JoinGroupRequest> = {}, clientId = 'c'): { memberId: string; request: number } {
    const first = this.joins.get(this.join(over, clientId))!;
    if (first.errorCode !== 79) throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.errorCode}`);
    return { memberId: first.memberId, request: this.join({ ...over, memberId: first.memberId }, clientId) };
  }

  sync(memberId: string, generationId: number, assignments: Array<[string, string]> = [], over: { groupInstanceId?: string | null; protocolType?: string | null; protocolName?: string | null } = {}): number {
    const requestId = ++this.seq;
    this.step({
      type: 'sync',
      requestId,
      request: {
        groupId: 'g',
        generationId,
        memberId,
        groupInstanceId: over.groupInstanceId ?? null,
        protocolType: over.protocolType ?? null,
        protocolName: over.protocolName ?? null,
        assignments: assignments.map(([m, a]) => ({ memberId: m, assignment: bytes(a) })),
      },
    });
    return requestId;
  }

  heartbeat(memberId: string, generationId: number, groupInstanceId: string | null = null): number {
    return this.step({ type: 'heartbeat', request: { groupId: 'g', generationId, memberId, groupInstanceId } }).heartbeat!.errorCode;
  }

  leave(...members: Array<{ memberId: string; groupInstanceId?: string | null }>): LeaveGroupResponse {
    return this.step({ type: 'leave', request: { groupId: 'g', members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, reason: null })) } }).leave!;
  }

  /** Moves time forward, firing due timers in deadline order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let next: [string, number] | undefined;
      for (const t of this.timers) if (t[1] <= end && (!next || t[1] < next[1])) next = t;
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = Math.max(this.now, next[1]);
      const [timer, memberId] = next[0].split(':') as ['join' | 'sync' | 'heartbeat', string];
      this.step({ type: 'timer', timer, memberId: memberId === '' ? null : memberId, deadline: next[1] });
    }
    this.now = end;
  }

  get state() {
    return this.group?.state ?? 'Dead';
  }
}
