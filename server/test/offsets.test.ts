// Committed offsets: fencing, durability across kill -9, compaction of __consumer_offsets, expiry.
import { afterAll, describe, expect, it } from 'vitest';
import { CONSUMER_OFFSETS_TOPIC, ErrorCode } from '@brook/protocol';
import { cleanupGroups } from '../src/services/groups.js';
import { RawClient, removeDir, spawnBroker, tempDir, testBroker } from './helpers.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map(removeDir)));

function commit(c: RawClient, groupId: string, entries: Array<[string, number, number]>, memberId: string | null = null, memberEpoch = -1) {
  const topics = [...new Set(entries.map((e) => e[0]))].map((topic) => ({
    topic,
    partitions: entries.filter((e) => e[0] === topic).map(([, partition, offset]) => ({ partition, offset, metadata: null })),
  }));
  return c.request('OffsetCommit', { groupId, memberId, memberEpoch, topics });
}

async function fetchOffsets(c: RawClient, groupId: string) {
  const r = await c.request('OffsetFetch', { groupId, topics: null, requireStable: false });
  return Object.fromEntries(r.topics.flatMap((t) => t.partitions.map((p) => [`${t.topic}-${p.partition}`, p.offset])));
}

describe('committed offsets', () => {
  it('acknowledged commits survive kill -9', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    let b = await spawnBroker(dir);
    let c = await RawClient.connect(b.url);
    await c.request('CreateTopics', { topics: [{ name: 'orders', numPartitions: 4, configs: [] }], validateOnly: false });
    const acked: Record<string, number> = {};
    let stop = false;
    const writer = (async () => {
      for (let i = 1; !stop && i < 100_000; i++) {
        const p = i % 4;
        try {
          const r = await commit(c, 'billing', [['orders', p, i]]);
          if (r.topics[0]!.partitions[0]!.errorCode === 0) acked[`orders-${p}`] = i;
        } catch {
          return;
        }
      }
    })();
    for (let i = 0; i < 100 && Object.keys(acked).length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    b.proc.kill('SIGKILL');
    stop = true;
    await writer;
    await b.exited;
    b = await spawnBroker(dir);
    c = await RawClient.connect(b.url);
    const after = await fetchOffsets(c, 'billing');
    // Every acknowledged commit is there (a later, unacknowledged one may be too).
    for (const [k, v] of Object.entries(acked)) expect(after[k]).toBeGreaterThanOrEqual(v);
    c.close();
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 60_000);

  it('compaction keeps __consumer_offsets small after 100,000 commits, and a restart restores the same offsets', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    let broker = await testBroker({ dataDir, logMaintenanceIntervalMs: 0 });
    let c = await RawClient.connect(broker.url);
    await c.request('CreateTopics', { topics: [{ name: 'events', numPartitions: 10, configs: [] }], validateOnly: false });
    const keys = 10;
    const total = 100_000;
    let next = 0;
    const workers = Array.from({ length: 64 }, async () => {
      while (next < total) {
        const base = next;
        next += keys;
        const r = await commit(c, 'g1', Array.from({ length: keys }, (_, p) => ['events', p, base + p] as [string, number, number]));
        expect(r.topics[0]!.partitions.every((p) => p.errorCode === 0)).toBe(true);
      }
    });
    await Promise.all(workers);
    const log = broker.context.topics.partition(CONSUMER_OFFSETS_TOPIC, 0)!;
    expect(log.stats().records).toBeGreaterThanOrEqual(total);
    const before = await fetchOffsets(c, 'g1');
    await broker.context.topics.runCompaction(Date.now() + 1000);
    // Only the active (last) batch is left uncompacted; everything else is one record per key.
    expect(log.stats().records).toBeLessThanOrEqual(2 * keys);
    expect(await fetchOffsets(c, 'g1')).toEqual(before);
    c.close();
    await broker.close();
    broker = await testBroker({ dataDir, logMaintenanceIntervalMs: 0 });
    c = await RawClient.connect(broker.url);
    expect(await fetchOffsets(c, 'g1')).toEqual(before);
    expect(Object.values(before).every((o) => o >= total - keys)).toBe(true);
    c.close();
    await broker.close();
  }, 60_000);

  it('refuses commits from non-members while a group has members, and checks inputs', async () => {
    const broker = await testBroker();
    const c = await RawClient.connect(broker.url);
    await c.request('CreateTopics', { topics: [{ name: 't', numPartitions: 2, configs: [] }], validateOnly: false });
    const hb = await c.request('ConsumerGroupHeartbeat', {
      groupId: 'live',
      memberId: 'member-1',
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 10_000,
      sessionTimeoutMs: 10_000,
      subscribedTopicNames: ['t'],
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: [],
    });
    expect(hb.errorCode).toBe(0);
    expect(hb.assignment).toEqual([{ topic: 't', partitions: [0, 1] }]);
    const admin = await commit(c, 'live', [['t', 0, 5]]);
    expect(admin.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const zombie = await commit(c, 'live', [['t', 0, 5]], 'someone-else', 1);
    expect(zombie.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const stale = await commit(c, 'live', [['t', 0, 5]], 'member-1', hb.memberEpoch + 3);
    expect(stale.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    const ok = await commit(c, 'live', [['t', 0, 5]], 'member-1', hb.memberEpoch);
    expect(ok.topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect(await fetchOffsets(c, 'live')).toEqual({ 't-0': 5 });
    const unknown = await commit(c, 'other', [['nope', 0, 1]]);
    expect(unknown.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const big = await c.request('OffsetCommit', { groupId: 'other', memberId: null, memberEpoch: -1, topics: [{ topic: 't', partitions: [{ partition: 0, offset: 1, metadata: 'x'.repeat(5000) }] }] });
    expect(big.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
    // Admin view: the group, its member, and its lag.
    const view = (await (await fetch(`${broker.httpUrl}/api/groups/live`)).json()) as { state: string; members: Array<{ memberId: string; assignment: unknown }>; offsets: Array<{ partition: number; committedOffset: string | null; lag: string | null }> };
    expect(view.members[0]).toMatchObject({ memberId: 'member-1', assignment: [{ topic: 't', partitions: [0, 1] }] });
    expect(view.offsets.find((o) => o.partition === 0)).toMatchObject({ committedOffset: '5', lag: '0' });
    expect((await fetch(`${broker.httpUrl}/api/groups/live`, { method: 'DELETE' })).status).toBe(409);
    const reset = await fetch(`${broker.httpUrl}/api/groups/live/offsets/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 't', to: 'earliest' }) });
    expect(reset.status).toBe(409);
    // Leaving empties the group: now admin tools may reset and delete.
    await c.request('ConsumerGroupHeartbeat', { groupId: 'live', memberId: 'member-1', memberEpoch: -1, instanceId: null, rackId: null, rebalanceTimeoutMs: -1, sessionTimeoutMs: -1, subscribedTopicNames: null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: null });
    const reset2 = await fetch(`${broker.httpUrl}/api/groups/live/offsets/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 't', to: { offset: '0' }, partitions: [0] }) });
    expect(reset2.status).toBe(200);
    expect(await fetchOffsets(c, 'live')).toEqual({ 't-0': 0 });
    expect((await fetch(`${broker.httpUrl}/api/groups/live`, { method: 'DELETE' })).status).toBe(204);
    expect(await fetchOffsets(c, 'live')).toEqual({});
    c.close();
    await broker.stop();
  });

  it('expires the offsets of an empty group after offsets.retention', async () => {
    const broker = await testBroker();
    const c = await RawClient.connect(broker.url);
    await c.request('CreateTopics', { topics: [{ name: 't', numPartitions: 1, configs: [] }], validateOnly: false });
    await commit(c, 'idle', [['t', 0, 3]]);
    const { offsets, groups } = broker.context;
    expect(await offsets.expire(Date.now() + 1000, 60_000, (g) => !groups.hasMembers(g))).toBe(0);
    expect(await offsets.expire(Date.now() + 120_000, 60_000, (g) => !groups.hasMembers(g))).toBe(1);
    expect(await fetchOffsets(c, 'idle')).toEqual({});
    c.close();
    await broker.stop();
  });

  it('expiry never erases a commit that was in flight when it looked (it lands and is acknowledged after)', async () => {
    const broker = await testBroker();
    const c = await RawClient.connect(broker.url);
    await c.request('CreateTopics', { topics: [{ name: 't', numPartitions: 1, configs: [] }], validateOnly: false });
    const { offsets, groups } = broker.context;
    const old = Date.now() - 120_000;
    await offsets.commit('final', [{ topic: 't', partition: 0, offset: 3, metadata: null }], old);
    // The group's last commit is being written when the sweep runs: the table still shows the old one.
    const final = offsets.commit('final', [{ topic: 't', partition: 0, offset: 9, metadata: null }]);
    const swept = offsets.expire(Date.now(), 60_000, (g) => !groups.hasMembers(g));
    await Promise.all([final, swept]);
    expect(offsets.get('final', 't', 0)?.offset).toBe(9);
    expect(await fetchOffsets(c, 'final')).toEqual({ 't-0': 9 });
    c.close();
    await broker.stop();
  });

  it('deletes an empty group once its offsets expire, or after a retention period empty without offsets', async () => {
    const broker = await testBroker();
    const c = await RawClient.connect(broker.url);
    await c.request('CreateTopics', { topics: [{ name: 't', numPartitions: 1, configs: [] }], validateOnly: false });
    const beat = (groupId: string, memberEpoch: number) =>
      c.request('ConsumerGroupHeartbeat', {
        groupId, memberId: `m-${groupId}`, memberEpoch, instanceId: null, rackId: null, rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 10_000,
        subscribedTopicNames: memberEpoch === 0 ? ['t'] : null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions: memberEpoch === 0 ? [] : null,
      });
    // "done" commits and leaves; "never" leaves without committing; "live" keeps its member.
    const done = await beat('done', 0);
    expect((await commit(c, 'done', [['t', 0, 4]], 'm-done', done.memberEpoch)).topics[0]!.partitions[0]!.errorCode).toBe(0);
    for (const g of ['done', 'never']) {
      if (g === 'never') await beat(g, 0);
      await beat(g, -1);
    }
    await beat('live', 0);
    const listed = async () => (await c.request('ListGroups', { statesFilter: null })).groups.map((g) => g.groupId).sort();
    expect(await listed()).toEqual(['done', 'live', 'never']);
    const { context } = broker;
    const sweep = (laterMs: number) => cleanupGroups(context, Date.now() + laterMs, 60_000);
    await sweep(1000); // nothing has been empty or committed long enough
    expect(await listed()).toEqual(['done', 'live', 'never']);
    await sweep(120_000);
    expect(await listed()).toEqual(['live']);
    expect(context.groups.stats().groups).toBe(1);
    expect(context.offsets.storedGroups().map((g) => g.groupId)).toEqual(['live']);
    expect(await fetchOffsets(c, 'done')).toEqual({});
    c.close();
    await broker.stop();
  });

  it("refuses to delete offsets of a topic the group subscribes to, by name or by regex", async () => {
    const broker = await testBroker();
    const c = await RawClient.connect(broker.url);
    await c.request('CreateTopics', { topics: ['orders', 'xorders'].map((name) => ({ name, numPartitions: 1, configs: [] })), validateOnly: false });
    await commit(c, 'rx', [['orders', 0, 1], ['xorders', 0, 1]]);
    const hb = await c.request('ConsumerGroupHeartbeat', {
      groupId: 'rx', memberId: 'm1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 10_000,
      subscribedTopicNames: [], subscribedTopicRegex: 'ord.*', serverAssignor: null, topicPartitions: [],
    });
    expect(hb.assignment).toEqual([{ topic: 'orders', partitions: [0] }]);
    const del = (topic: string) => c.request('OffsetDelete', { groupId: 'rx', topics: [{ topic, partitions: null }] });
    expect((await del('orders')).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    expect((await fetch(`${broker.httpUrl}/api/groups/rx/offsets?topic=orders`, { method: 'DELETE' })).status).toBe(409);
    // The regex is anchored like the assignor's: it does not cover "xorders".
    expect((await del('xorders')).topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect(await fetchOffsets(c, 'rx')).toEqual({ 'orders-0': 1 });
    // A group with neither members nor offsets does not exist.
    const unknown = await c.request('OffsetDelete', { groupId: 'nobody', topics: [{ topic: 'orders', partitions: null }] });
    expect(unknown.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    c.close();
    await broker.stop();
  });
});

