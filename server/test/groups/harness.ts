// Test harness: a fake clock with fake timers, a coordinator wired to it, and simulated members
// that report what they own. After every step the single-holder invariant is asserted.
import { expect } from 'vitest';
import { pino } from 'pino';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, TopicPartitions } from '@brook/protocol';
import { GroupCoordinator, type GroupCoordinatorDeps, type GroupRecord, type StoredGroupRecord } from '../../src/groups/index.js';

export class FakeClock {
  now = 1_000_000;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  readonly setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.now + Math.max(0, ms), fn });
    return id;
  };
  readonly clearTimeout = (h: unknown): void => {
    this.timers.delete(h as number);
  };
  pending(): number {
    return this.timers.size;
  }
  /** Moves time forward, firing due timers in deadline order and letting the coordinator drain after each. */
  async advance(ms: number, gc: GroupCoordinator): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0]))) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = Math.max(this.now, next[1].at);
      next[1].fn();
      await gc.idle();
    }
    this.now = end;
  }
}

export interface Harness {
  gc: GroupCoordinator;
  clock: FakeClock;
  topics: Map<string, number>;
  notified: Array<{ connectionId: string; memberId: string }>;
  /** What the coordinator wrote, as the offsets store keeps it: per group, the latest record per key. */
  stored: Map<string, Map<string, StoredGroupRecord>>;
  /** Every batch written, in order (records null: the group was deleted). */
  batches: Array<{ groupId: string; records: GroupRecord[] | null }>;
  persistCount: number;
  /** While set, every write fails (as LevelDB would, e.g. with a full disk). */
  failWrites: boolean;
}

/** The stored groups, as a restarted broker's coordinator loads them. */
export function storedGroups(h: Harness): Array<{ groupId: string; records: StoredGroupRecord[] }> {
  return [...h.stored].map(([groupId, t]) => ({ groupId, records: [...t.values()] }));
}

/** Applies a written batch to `stored` as the offsets store does: the latest record per key; null deletes the group. */
export function storeBatch(stored: Harness['stored'], groupId: string, records: readonly GroupRecord[] | null): void {
  if (records === null) return void stored.delete(groupId);
  const table = stored.get(groupId) ?? new Map<string, StoredGroupRecord>();
  stored.set(groupId, table);
  for (const r of records) {
    const k = `${r.kind}\0${r.memberId ?? ''}`;
    if (r.value === null) table.delete(k);
    else table.set(k, r);
  }
}

export function harness(topics: Record<string, number> = { t: 6 }, opts: Partial<GroupCoordinatorDeps> = {}): Harness {
  const clock = new FakeClock();
  const h: Harness = { clock, topics: new Map(Object.entries(topics)), notified: [], stored: new Map(), batches: [], persistCount: 0, failWrites: false, gc: undefined as never };
  h.gc = new GroupCoordinator({
    topics: () => h.topics,
    notify: (connectionId, p) => void h.notified.push({ connectionId, memberId: p.memberId }),
    persist: async (g, records) => {
      if (h.failWrites) throw new Error('write failed');
      h.persistCount++;
      // Round-trip through JSON, as the real store does.
      const written = records === null ? null : (JSON.parse(JSON.stringify(records)) as GroupRecord[]);
      h.batches.push({ groupId: g, records: written });
      storeBatch(h.stored, g, written);
    },
    logger: pino({ level: 'silent' }),
    minSessionTimeoutMs: 1000,
    now: () => clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    ...opts,
  });
  return h;
}

export const count = (tps: readonly TopicPartitions[]) => tps.reduce((s, tp) => s + tp.partitions.length, 0);
export const labels = (tps: readonly TopicPartitions[]) => tps.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`)).sort();

export function assertSingleHolders(h: Harness, groupId = 'g'): void {
  expect(h.gc.doubleOwners(groupId)).toEqual([]);
  const d = h.gc.describe(groupId);
  const seen = new Set<string>();
  for (const m of d.members) {
    for (const l of labels(m.assignment)) {
      expect(seen.has(l), `${l} held twice in ${groupId}`).toBe(false);
      seen.add(l);
    }
  }
}

/** A simulated member that reports exactly what it owns; `slow` members revoke only when told to. */
export class Sim {
  epoch = 0;
  owned: TopicPartitions[] = [];
  /** Partitions the broker told it to give up that it still owns (slow revocation). */
  last: ConsumerGroupHeartbeatResponse | null = null;
  slow = false;
  conn: string;
  constructor(
    readonly h: Harness,
    public id: string,
    readonly opts: { instanceId?: string; topics?: string[]; sessionTimeoutMs?: number; rebalanceTimeoutMs?: number; group?: string; assignor?: string } = {},
  ) {
    this.conn = `conn-${id}`;
  }
  request(over: Partial<ConsumerGroupHeartbeatRequest> = {}): ConsumerGroupHeartbeatRequest {
    return {
      groupId: this.opts.group ?? 'g',
      memberId: this.id,
      memberEpoch: this.epoch,
      instanceId: this.opts.instanceId ?? null,
      rackId: null,
      rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs ?? 10_000,
      sessionTimeoutMs: this.opts.sessionTimeoutMs ?? 10_000,
      subscribedTopicNames: this.opts.topics ?? ['t'],
      subscribedTopicRegex: null,
      serverAssignor: this.opts.assignor ?? null,
      topicPartitions: this.owned,
      ...over,
    };
  }
  async beat(over: Partial<ConsumerGroupHeartbeatRequest> = {}): Promise<ConsumerGroupHeartbeatResponse> {
    const r = await this.h.gc.heartbeat(this.request(over), { connectionId: this.conn, clientId: `client-${this.id}`, clientHost: '10.0.0.1' });
    this.last = r;
    if (r.errorCode === 0 && r.memberEpoch >= 0) {
      this.epoch = r.memberEpoch;
      if (r.assignment) {
        const told = new Set(labels(r.assignment));
        // New partitions are taken at once; a slow member keeps revoked ones until revoke().
        this.owned = this.slow ? merge(this.owned, r.assignment) : r.assignment.map((tp) => ({ topic: tp.topic, partitions: [...tp.partitions] }));
        this.told = told;
      }
    } else if (r.errorCode !== 0) {
      this.owned = [];
    }
    assertSingleHolders(this.h, this.opts.group ?? 'g');
    return r;
  }
  told = new Set<string>();
  /** A slow member finally drops what it was told to give up. */
  revoke(): void {
    this.owned = this.owned.map((tp) => ({ topic: tp.topic, partitions: tp.partitions.filter((p) => this.told.has(`${tp.topic}-${p}`)) })).filter((tp) => tp.partitions.length);
  }
  count(): number {
    return count(this.owned);
  }
  labels(): string[] {
    return labels(this.owned);
  }
  async leave(): Promise<ConsumerGroupHeartbeatResponse> {
    const r = await this.h.gc.heartbeat(this.request({ memberEpoch: -1, topicPartitions: null, subscribedTopicNames: null }), { connectionId: this.conn, clientId: this.id, clientHost: '10.0.0.1' });
    this.owned = [];
    this.epoch = 0;
    return r;
  }
}

function merge(a: readonly TopicPartitions[], b: readonly TopicPartitions[]): TopicPartitions[] {
  const m = new Map<string, Set<number>>();
  for (const tp of [...a, ...b]) {
    const s = m.get(tp.topic) ?? new Set<number>();
    for (const p of tp.partitions) s.add(p);
    m.set(tp.topic, s);
  }
  return [...m].sort(([x], [y]) => (x < y ? -1 : 1)).map(([topic, s]) => ({ topic, partitions: [...s].sort((x, y) => x - y) }));
}

/** Heartbeats every member in turn, `rounds` times. */
export async function settle(sims: Sim[], rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) for (const s of sims) await s.beat();
}
