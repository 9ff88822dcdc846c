// The group services (DeleteGroups, OffsetCommit) against a coordinator whose persistence the
// test holds: each runs in the group's queue, after the steps queued before it.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ErrorCode } from '@brook/protocol';
import type { BrokerContext, ConnectionInfo } from '../../src/api/types.js';
import { ClassicGroupCoordinator } from '../../src/groups/classic/index.js';
import type { OffsetEntry } from '../../src/offsets/offsetStore.js';
import { deleteGroup } from '../../src/services/groups.js';
import { commitOffsets } from '../../src/services/offsetCommits.js';
import { harness, Sim, storeBatch, type Harness } from './harness.js';

/** A coordinator whose persistence waits while `hold` is set, and a context around it with offsets in memory. */
function heldHarness() {
  let release: (() => void) | null = null;
  let held: Promise<void> | null = null;
  let started: (() => void) | null = null;
  const persisted: Harness['stored'] = new Map();
  const h = harness({ t: 2 }, {
    persist: async (groupId, records) => {
      started?.();
      await held;
      storeBatch(persisted, groupId, JSON.parse(JSON.stringify(records)) as typeof records);
    },
  });
  const committed: Array<{ groupId: string; entries: OffsetEntry[] }> = [];
  const offsets = {
    hasGroup: (groupId: string) => committed.some((c) => c.groupId === groupId),
    hasOffsets: (groupId: string) => committed.some((c) => c.groupId === groupId),
    commit: async (groupId: string, entries: OffsetEntry[]) => void (entries.length && committed.push({ groupId, entries })),
    deleteGroup: async () => {},
  };
  const topics = { get: (name: string) => (name === 't' ? { numPartitions: 2 } : undefined) };
  const logger = pino({ level: 'silent' });
  const classicGroups = new ClassicGroupCoordinator({ persist: async () => {}, logger, consumerGroups: h.gc });
  const ctx = { groups: h.gc, classicGroups, offsets, topics, auth: null, logger } as unknown as BrokerContext;
  return {
    h,
    ctx,
    /** The group's stored records: its metadata, members and targets. */
    persisted,
    storedMembers: (groupId: string) => [...(persisted.get(groupId)?.values() ?? [])].filter((r) => r.kind === 'member').map((r) => r.memberId),
    committed,
    /** From now on persists wait for release(); resolves when the next one has started. */
    hold(): Promise<void> {
      held = new Promise<void>((r) => (release = r));
      return new Promise<void>((r) => (started = r));
    },
    release() {
      held = null;
      release?.();
    },
  };
}

describe('group services run in the group queue', () => {
  it('DeleteGroups after a queued join: refused as non-empty, never a live group without its records', async () => {
    const { h, ctx, persisted, storedMembers, hold, release } = heldHarness();
    const a = new Sim(h, 'a');
    await a.beat();
    const writing = hold();
    const left = a.leave();
    await writing; // the leave is applied (the group is empty now), its records are being written
    const joined = new Sim(h, 'b').beat(); // queued behind that write
    const deleted = deleteGroup(ctx, 'g'); // arrives after the join
    release();
    const [, join, del] = await Promise.all([left, joined, deleted]);
    await h.gc.idle();
    if (h.gc.has('g')) expect(persisted.get('g')?.has('metadata\0'), 'a live group has its records').toBe(true);
    expect(join.errorCode).toBe(0);
    expect(del.errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
    expect(h.gc.hasMembers('g')).toBe(true);
    expect(storedMembers('g')).toEqual(['b']);
  });

  it('DeleteGroups before a join: the group is deleted and the join creates it again, with its records', async () => {
    const { h, ctx, storedMembers } = heldHarness();
    const a = new Sim(h, 'a');
    await a.beat();
    await a.leave();
    const deleted = deleteGroup(ctx, 'g');
    const joined = new Sim(h, 'b').beat();
    const [del, join] = await Promise.all([deleted, joined]);
    await h.gc.idle();
    expect([del.errorCode, join.errorCode]).toEqual([0, 0]);
    expect(storedMembers('g')).toEqual(['b']);
  });

  it('an OffsetCommit that arrives after the member left is refused (its leave was still being written)', async () => {
    const { h, ctx, committed, hold, release } = heldHarness();
    const a = new Sim(h, 'a');
    await a.beat();
    const writing = hold();
    const b = new Sim(h, 'b');
    const joined = b.beat();
    await writing; // b's join is being written: a's leave is queued behind it
    const left = a.leave();
    const conn = { principal: null } as unknown as ConnectionInfo;
    const commit = commitOffsets(ctx, conn, { groupId: 'g', memberId: 'a', memberEpoch: a.epoch, topics: [{ topic: 't', partitions: [{ partition: 0, offset: 5, metadata: null }] }] });
    release();
    const [, , r] = await Promise.all([joined, left, commit]);
    expect(r.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(committed).toEqual([]);
  });
});
