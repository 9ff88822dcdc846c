// Persistence of groups through the coordinator: per-member records written as they change,
// restored by load() on a new coordinator (as after a broker restart), whole-group snapshots of
// earlier versions read and rewritten as records, and a whole rewrite after a failed write.
import { describe, expect, it } from 'vitest';
import type { PersistedMember, PersistedTarget } from '../../src/groups/index.js';
import { assertSingleHolders, harness, labels, settle, Sim, storedGroups } from './harness.js';

describe('group coordinator: persistence', () => {
  it('persists before answering, and load() restores members, epochs, targets and assignments', async () => {
    const h = harness({ t: 6 });
    const a = new Sim(h, 'a', { instanceId: 'pod-a' });
    const b = new Sim(h, 'b');
    a.slow = true;
    await a.beat();
    await b.beat();
    await a.beat(); // a revoking
    const before = h.gc.describe('g');

    // A new broker with the same records.
    const h2 = harness({ t: 6 });
    h2.gc.load(storedGroups(h));
    await h2.gc.idle();
    const after = h2.gc.describe('g');
    expect(after).toEqual(before);
    assertSingleHolders(h2);
    // Static takeover works at once (restored members have no connection).
    const a2 = new Sim(h2, 'a2', { instanceId: 'pod-a' });
    await a2.beat();
    expect(a2.count()).toBe(3);
    // b carries on with its epoch and gets its partitions (a2 released what a was revoking).
    const b2 = new Sim(h2, 'b');
    b2.epoch = b.epoch;
    await b2.beat();
    expect(b2.count()).toBe(3);
    expect(h2.gc.describe('g').state).toBe('stable');
  });

  it('restored members that do not come back are expelled after their session timeout', async () => {
    const h = harness({ t: 4 });
    await settle([new Sim(h, 'a'), new Sim(h, 'b')]);
    const h2 = harness({ t: 4 });
    h2.gc.load([...storedGroups(h), { groupId: 'x', records: [{ kind: 'snapshot', memberId: null, value: { version: 99 } }] }]);
    expect(h2.gc.has('x')).toBe(false);
    const b = new Sim(h2, 'b');
    b.epoch = 2;
    b.owned = [{ topic: 't', partitions: [2, 3] }];
    await h2.clock.advance(6000, h2.gc);
    await b.beat();
    await h2.clock.advance(4500, h2.gc);
    expect(h2.gc.describe('g').members.map((m) => m.memberId)).toEqual(['b']);
    await b.beat();
    expect(b.count()).toBe(4);
  });

  it('loads a version-1 snapshot (the first format) and rewrites it as records', async () => {
    const h = harness({ t: 2 });
    const v1 = {
      version: 1,
      groupId: 'g',
      groupEpoch: 3,
      assignmentEpoch: 3,
      assignor: 'uniform',
      topicsSeen: { t: 2 },
      members: [
        {
          memberId: 'a', instanceId: null, clientId: 'c', clientHost: 'h', rackId: null, rebalanceTimeoutMs: 1000, sessionTimeoutMs: 10000,
          subscribedTopicNames: ['t'], subscribedTopicRegex: null, memberEpoch: 3, previousMemberEpoch: 2, state: 'stable',
          assigned: { t: [0, 1] }, pendingRevocation: {}, leftStatic: false,
        },
      ],
      target: { a: { t: [0, 1] } },
    };
    h.gc.load([{ groupId: 'g', records: [{ kind: 'snapshot', memberId: null, value: v1 }] }]);
    const d = h.gc.describe('g');
    expect(d.groupEpoch).toBe(3);
    expect(d.members[0]!.assignment).toEqual([{ topic: 't', partitions: [0, 1] }]);
    expect(d.state).toBe('stable');
    await h.gc.idle();
    expect([...h.stored.get('g')!.keys()].sort()).toEqual(['member\0a', 'metadata\0', 'target\0a']);
    // The rewritten records restore the same group.
    const h2 = harness({ t: 2 });
    h2.gc.load(storedGroups(h));
    expect(h2.gc.describe('g')).toEqual(d);
  });

  it('persists one JSON record per member and per target, and the group metadata', async () => {
    const h = harness();
    await settle([new Sim(h, 'a', { instanceId: 'i' }), new Sim(h, 'b')]);
    const records = [...h.stored.get('g')!.values()];
    expect(records.filter((r) => r.kind === 'member').map((r) => (r.value as PersistedMember).memberId).sort()).toEqual(['a', 'b']);
    expect(labels(records.filter((r) => r.kind === 'target').flatMap((r) => (r.value as PersistedTarget).assignment))).toHaveLength(6);
    expect(records.find((r) => r.kind === 'metadata')!.value).toMatchObject({ groupEpoch: 2, assignmentEpoch: 2, assignor: 'uniform' });
  });

  it('writes only what changed: a join writes the metadata, the newcomer and the targets that moved; a leave writes tombstones', async () => {
    const h = harness({ t: 6 });
    const sims = ['a', 'b', 'c'].map((id) => new Sim(h, id));
    await settle(sims);
    const written = (from: number) => h.batches.slice(from).flatMap((b) => b.records!.map((r) => `${r.kind}:${r.memberId ?? ''}${r.value === null ? ' (tombstone)' : ''}`));
    // Steady heartbeats write nothing.
    let n = h.batches.length;
    await settle(sims, 2);
    expect(h.batches.length).toBe(n);

    // 6 partitions, 3 -> 4 members: two members give one partition each to d; c keeps its two.
    const d = new Sim(h, 'd');
    await d.beat();
    const targets = (h.batches.at(-1)!.records ?? []).filter((r) => r.kind === 'target').map((r) => r.memberId).sort();
    expect(targets).toContain('d');
    expect(targets.length).toBeLessThan(4);
    expect(written(n)).toEqual(expect.arrayContaining(['metadata:', 'member:d']));
    expect(written(n).filter((w) => w.startsWith('member:') && w !== 'member:d')).toEqual([]);

    n = h.batches.length;
    await d.leave();
    expect(written(n)).toEqual(expect.arrayContaining(['member:d (tombstone)', 'target:d (tombstone)', 'metadata:']));
    expect([...h.stored.get('g')!.keys()].some((k) => k.endsWith('\0d'))).toBe(false);
  });

  it('a failed write is followed by a write of the whole group', async () => {
    const h = harness({ t: 4 });
    const [a, b] = [new Sim(h, 'a'), new Sim(h, 'b')];
    await settle([a, b]);
    h.failWrites = true;
    await new Sim(h, 'c').beat(); // this write is lost
    h.failWrites = false;
    await a.beat(); // a steady heartbeat: nothing changed, but the group is written whole
    const h2 = harness({ t: 4 });
    h2.gc.load(storedGroups(h));
    expect(h2.gc.describe('g')).toEqual(h.gc.describe('g'));
  });
});
