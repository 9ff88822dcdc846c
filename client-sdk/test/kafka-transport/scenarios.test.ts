// The scenarios that define the SDK's meaning, run on both transports against one Brook broker:
// over its WebSocket and over its Kafka port (Kafka's protocol: leaders, coordinators,
// AddPartitionsToTxn and AddOffsetsToTxn, KIP-848 heartbeats without Brook's push).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyedPartition, type Admin, type Brook, type Consumer, type EachMessagePayload, type Producer } from '../../src/index.js';
import { startTarget, text, TRANSPORTS, until, type Target } from './targets.js';

describe.each(TRANSPORTS)('over %s', (transport) => {
  let target: Target;
  let brook: Brook;
  let admin: Admin;
  let producer: Producer;
  const open: Array<{ disconnect(): Promise<void> }> = [];

  beforeAll(async () => {
    target = await startTarget(transport);
    brook = target.client();
    admin = brook.admin();
    await admin.connect();
    producer = brook.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.disconnect()));
    await producer?.disconnect();
    await admin?.disconnect();
    await target?.stop();
  });

  function consumer(groupId: string, extra: Record<string, unknown> = {}): Consumer {
    const c = brook.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 250, ...extra });
    open.push(c);
    return c;
  }

  it('keyed messages land on their murmur2 partitions and are read back in order', async () => {
    await admin.createTopics({ topics: [{ topic: 'keyed', numPartitions: 4 }] });
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i % 10}`);
    const sent = await producer.send({ topic: 'keyed', messages: keys.map((key, i) => ({ key, value: `v${i}`, headers: { n: String(i) } })) });
    const partitionOf = new Map(sent.map((m) => [m.partition, m]));
    expect(partitionOf.size).toBeGreaterThan(1);

    const got = new Map<number, Array<{ key: string; value: string; n: string }>>();
    const c = consumer('keyed-g');
    await c.subscribe({ topics: ['keyed'], fromBeginning: true });
    await c.run({
      eachMessage: async ({ partition, message }) => {
        const list = got.get(partition) ?? [];
        got.set(partition, list);
        list.push({ key: text(message.key)!, value: text(message.value)!, n: text(message.headers!.n as Uint8Array)! });
      },
    });
    await until('40 messages', () => [...got.values()].reduce((s, l) => s + l.length, 0) === 40);
    for (const [partition, list] of got) {
      for (const m of list) expect(keyedPartition(new TextEncoder().encode(m.key), 4)).toBe(partition);
      // In send order within the partition.
      expect(list.map((m) => Number(m.n))).toEqual([...list.map((m) => Number(m.n))].sort((a, b) => a - b));
    }
  });

  it('a group of two splits the partitions, commits, and hands them over when one leaves', async () => {
    await admin.createTopics({ topics: [{ topic: 'grp', numPartitions: 4 }] });
    const seen = new Map<string, string[]>();
    const handler = (name: string) => async ({ partition, message }: EachMessagePayload) => {
      const k = `${partition}/${message.offset}`;
      seen.set(k, [...(seen.get(k) ?? []), name]);
    };
    const fill = (suffix: string) => producer.send({ topic: 'grp', messages: Array.from({ length: 40 }, (_, i) => ({ partition: i % 4, value: `${suffix}${i}` })) });
    await fill('a');
    const c1 = consumer('grp-g');
    await c1.subscribe({ topics: ['grp'], fromBeginning: true });
    await c1.run({ eachMessage: handler('c1') });
    await until('c1 reads the first 40', () => seen.size === 40);

    const c2 = consumer('grp-g');
    await c2.subscribe({ topics: ['grp'], fromBeginning: true });
    await c2.run({ eachMessage: handler('c2') });
    await until('a 2/2 split', () => c1.assignment().length === 2 && c2.assignment().length === 2);
    await fill('b');
    await until('the next 40', () => seen.size === 80);
    const c2Parts = new Set(c2.assignment().map((tp) => tp.partition));
    const byC2 = [...seen].filter(([, who]) => who.includes('c2')).map(([k]) => Number(k.split('/')[0]));
    expect(byC2.length).toBeGreaterThan(0);
    expect(byC2.every((p) => c2Parts.has(p))).toBe(true);

    await c1.disconnect();
    await until('c2 takes every partition', () => c2.assignment().length === 4);
    await fill('c');
    await until('the last 40', () => seen.size === 120);
    // Revoked partitions were committed before they moved: nothing read twice.
    expect([...seen].filter(([, who]) => who.length > 1)).toEqual([]);
    await c2.stop();
    const offsets = await admin.fetchOffsets({ groupId: 'grp-g', topics: ['grp'] });
    expect(offsets[0]!.partitions.map((p) => p.offset).sort()).toEqual(['30', '30', '30', '30']);
  });

  it('consume-transform-produce: sendOffsets commits with the output; an abort leaves both untouched; read_committed sees only commits', async () => {
    await admin.createTopics({ topics: [{ topic: 'tx-in', numPartitions: 2 }, { topic: 'tx-out', numPartitions: 2 }] });
    await producer.send({ topic: 'tx-in', messages: Array.from({ length: 6 }, (_, i) => ({ value: String(i), partition: i % 2 })) });

    const txp = brook.producer({ transactionalId: `ctp-${transport}` });
    await txp.connect();
    open.push(txp);
    const c = consumer('ctp-g');
    await c.subscribe({ topics: ['tx-in'], fromBeginning: true });
    let processed = 0;
    let abortNext = true;
    await c.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const tx = await txp.transaction();
        await tx.send({ topic: 'tx-out', messages: [{ value: String(Number(text(message.value)) * 2), partition }] });
        await tx.sendOffsets({ consumerGroupId: 'ctp-g', topics: [{ topic, partitions: [{ partition, offset: String(Number(message.offset) + 1) }] }] });
        if (abortNext) {
          abortNext = false;
          await tx.abort();
          throw new Error('redeliver'); // neither the output nor the offset survived
        }
        await tx.commit();
        processed++;
      },
    });
    await until('6 processed', () => processed === 6);
    await c.stop();
    const offsets = await admin.fetchOffsets({ groupId: 'ctp-g', topics: ['tx-in'] });
    expect(offsets[0]!.partitions.map((p) => p.offset).sort()).toEqual(['3', '3']);

    const reader = consumer('ctp-reader', { isolationLevel: 'read_committed' });
    const out: number[] = [];
    await reader.subscribe({ topics: ['tx-out'], fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void out.push(Number(text(message.value))) });
    await until('6 committed outputs', () => out.length >= 6);
    // The aborted output (0) is not there twice; every input doubled exactly once.
    expect(out.sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it.runIf(transport === 'kafka')('went through Kafka\'s APIs: coordinators found, partitions and groups added to transactions', async () => {
    const metrics = await (await fetch(`${target.broker.httpUrl}/metrics`)).text();
    for (const api of ['ApiVersions', 'Metadata', 'FindCoordinator', 'ConsumerGroupHeartbeat', 'InitProducerId', 'AddPartitionsToTxn', 'AddOffsetsToTxn', 'TxnOffsetCommit', 'EndTxn', 'Produce', 'Fetch']) {
      expect(metrics).toMatch(new RegExp(`brook_request_duration_seconds_count\\{api="${api}",listener="kafka"\\} [1-9]`));
    }
    expect(metrics).not.toMatch(/brook_request_duration_seconds_count\{api="[A-Za-z]+",listener="ws"\} [1-9]/);
  });

  it('admin: topics, offsets and groups', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'adm', numPartitions: 3 }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'adm', numPartitions: 3 }] })).toBe(false);
    expect(await admin.listTopics()).toContain('adm');
    const meta = await admin.fetchTopicMetadata({ topics: ['adm'] });
    expect(meta.topics[0]!.partitions.map((p) => p.partitionId)).toEqual([0, 1, 2]);
    expect(meta.topics[0]!.partitions.every((p) => p.leader >= 0)).toBe(true);

    await producer.send({ topic: 'adm', messages: [{ partition: 1, value: 'a' }, { partition: 1, value: 'b' }] });
    const offs = await admin.fetchTopicOffsets('adm');
    expect(offs.find((o) => o.partition === 1)).toMatchObject({ high: '2', low: '0' });
    const byTime = await admin.fetchTopicOffsetsByTimestamp('adm', 0);
    expect(byTime.map((o) => o.offset)).toEqual(['0', '0', '0']);

    await admin.setOffsets({ groupId: 'adm-g', topic: 'adm', partitions: [{ partition: 1, offset: '1' }] });
    expect((await admin.fetchOffsets({ groupId: 'adm-g', topics: ['adm'] }))[0]!.partitions.find((p) => p.partition === 1)!.offset).toBe('1');
    await admin.resetOffsets({ groupId: 'adm-g', topic: 'adm', earliest: false });
    expect((await admin.fetchOffsets({ groupId: 'adm-g', topics: ['adm'] }))[0]!.partitions.map((p) => p.offset)).toEqual(['0', '2', '0']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain('adm-g');
    const described = await admin.describeGroups(['adm-g']);
    expect(described.groups[0]).toMatchObject({ groupId: 'adm-g', members: [] });
    await admin.deleteTopicOffsets({ groupId: 'adm-g', topic: 'adm' });
    expect((await admin.fetchOffsets({ groupId: 'adm-g', topics: ['adm'] }))[0]!.partitions.map((p) => p.offset)).toEqual(['-1', '-1', '-1']);
    await admin.setOffsets({ groupId: 'adm-g', topic: 'adm', partitions: [{ partition: 0, offset: '0' }] });
    await admin.deleteGroups(['adm-g']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('adm-g');

    await admin.deleteTopics({ topics: ['adm'] });
    await until('the topic is gone', async () => !(await admin.listTopics()).includes('adm'));
    await expect(producer.send({ topic: 'adm', messages: [{ value: 'x' }] })).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });
});
