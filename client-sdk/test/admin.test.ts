import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrookError, type Admin, type Brook } from '../src/index.js';
import { client, testBroker, type TestBroker } from './helpers.js';

let tb: TestBroker;
let brook: Brook;
let admin: Admin;

beforeAll(async () => {
  tb = await testBroker();
  brook = client(tb.url);
  admin = brook.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await tb?.stop();
});

describe('admin: topics', () => {
  it('creates, lists, describes and deletes topics', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 6 }, { topic: 'audit' }] })).toBe(true);
    // Already existing: not an error, and false.
    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 6 }] })).toBe(false);
    const topics = await admin.listTopics();
    expect(topics).toEqual(expect.arrayContaining(['orders', 'audit']));
    expect(topics.some((t) => t.startsWith('__'))).toBe(false);

    const md = await admin.fetchTopicMetadata({ topics: ['orders'] });
    expect(md.topics).toHaveLength(1);
    expect(md.topics[0]!.name).toBe('orders');
    expect(md.topics[0]!.partitions.map((p) => p.partitionId)).toEqual([0, 1, 2, 3, 4, 5]);
    const audit = await admin.fetchTopicMetadata({ topics: ['audit'] });
    expect(audit.topics[0]!.partitions).toHaveLength(1);

    await admin.deleteTopics({ topics: ['audit'] });
    expect(await admin.listTopics()).not.toContain('audit');
    const err = await admin.deleteTopics({ topics: ['audit'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrookError);
    expect((err as BrookError).type).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    await expect(admin.fetchTopicMetadata({ topics: ['audit'] })).rejects.toBeInstanceOf(BrookError);
  });

  it('validateOnly creates nothing; bad input rejects with BrookError', async () => {
    expect(await admin.createTopics({ validateOnly: true, topics: [{ topic: 'dry-run', numPartitions: 2 }] })).toBe(true);
    expect(await admin.listTopics()).not.toContain('dry-run');
    const err = await admin.createTopics({ topics: [{ topic: 'bad name!', numPartitions: 1 }] }).catch((e: unknown) => e);
    expect((err as BrookError).type).toBe('INVALID_TOPIC_EXCEPTION');
    const err2 = await admin.createTopics({ topics: [{ topic: 'zero', numPartitions: 0 }] }).catch((e: unknown) => e);
    expect((err2 as BrookError).type).toBe('INVALID_PARTITIONS');
    const err3 = await admin.createTopics({ topics: [{ topic: 'cfg', configEntries: [{ name: 'cleanup.policy', value: 'nonsense' }] }] }).catch((e: unknown) => e);
    expect((err3 as BrookError).type).toBe('INVALID_CONFIG');
  });

  it('fetchTopicOffsets and fetchTopicOffsetsByTimestamp', async () => {
    await admin.createTopics({ topics: [{ topic: 'offs', numPartitions: 2 }] });
    expect(await admin.fetchTopicOffsets('offs')).toEqual([
      { partition: 0, offset: '0', high: '0', low: '0' },
      { partition: 1, offset: '0', high: '0', low: '0' },
    ]);
    const producer = brook.producer();
    await producer.send({ topic: 'offs', messages: [0, 1, 2].map((i) => ({ value: String(i), partition: 0, timestamp: 1000 + i * 1000 })) });
    await producer.disconnect();
    expect(await admin.fetchTopicOffsets('offs')).toEqual([
      { partition: 0, offset: '3', high: '3', low: '0' },
      { partition: 1, offset: '0', high: '0', low: '0' },
    ]);
    expect(await admin.fetchTopicOffsetsByTimestamp('offs', 2000)).toEqual([
      { partition: 0, offset: '1' },
      { partition: 1, offset: '0' },
    ]);
    expect((await admin.fetchTopicOffsetsByTimestamp('offs', 10_000))[0]!.offset).toBe('3');
    await expect(admin.fetchTopicOffsets('nope')).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
  });
});

describe('admin: groups and offsets', () => {
  it('sets, fetches, resets and deletes offsets of an empty group', async () => {
    await admin.createTopics({ topics: [{ topic: 'g-topic', numPartitions: 3 }] });
    const producer = brook.producer();
    await producer.send({ topic: 'g-topic', messages: Array.from({ length: 5 }, (_, i) => ({ value: String(i), partition: 1 })) });
    await producer.disconnect();

    await admin.setOffsets({ groupId: 'g1', topic: 'g-topic', partitions: [{ partition: 1, offset: '2' }] });
    expect(await admin.fetchOffsets({ groupId: 'g1', topics: ['g-topic'] })).toEqual([
      {
        topic: 'g-topic',
        partitions: [
          { partition: 0, offset: '-1', metadata: null },
          { partition: 1, offset: '2', metadata: null },
          { partition: 2, offset: '-1', metadata: null },
        ],
      },
    ]);
    // Without topics: what the group has.
    const all = await admin.fetchOffsets({ groupId: 'g1' });
    expect(all).toEqual([{ topic: 'g-topic', partitions: [{ partition: 1, offset: '2', metadata: null }] }]);
    // Old KafkaJS form.
    const flat = await admin.fetchOffsets({ groupId: 'g1', topic: 'g-topic' });
    expect(flat.find((p) => p.partition === 1)!.offset).toBe('2');

    await admin.resetOffsets({ groupId: 'g1', topic: 'g-topic', earliest: true });
    expect((await admin.fetchOffsets({ groupId: 'g1', topics: ['g-topic'] }))[0]!.partitions.map((p) => p.offset)).toEqual(['0', '0', '0']);
    await admin.resetOffsets({ groupId: 'g1', topic: 'g-topic' });
    expect((await admin.fetchOffsets({ groupId: 'g1', topics: ['g-topic'] }))[0]!.partitions.map((p) => p.offset)).toEqual(['0', '5', '0']);

    const groups = await admin.listGroups();
    expect(groups.groups.find((g) => g.groupId === 'g1')).toMatchObject({ protocolType: 'consumer' });
    const desc = await admin.describeGroups(['g1']);
    expect(desc.groups[0]).toMatchObject({ groupId: 'g1', members: [] });

    await admin.deleteTopicOffsets({ groupId: 'g1', topic: 'g-topic', partitions: [1] });
    expect((await admin.fetchOffsets({ groupId: 'g1', topics: ['g-topic'] }))[0]!.partitions.map((p) => p.offset)).toEqual(['0', '-1', '0']);
    await admin.deleteTopicOffsets({ groupId: 'g1', topic: 'g-topic' });
    expect(await admin.fetchOffsets({ groupId: 'g1' })).toEqual([]);

    await admin.setOffsets({ groupId: 'g2', topic: 'g-topic', partitions: [{ partition: 0, offset: 0 }] });
    expect(await admin.deleteGroups(['g2'])).toEqual([{ groupId: 'g2', errorCode: 0 }]);
    expect(await admin.fetchOffsets({ groupId: 'g2' })).toEqual([]);
  });

  it('rejects bad offsets and unknown groups with BrookError', async () => {
    await expect(admin.setOffsets({ groupId: 'g3', topic: 'g-topic', partitions: [{ partition: 0, offset: 'abc' }] })).rejects.toBeInstanceOf(BrookError);
    const err = await admin.deleteGroups(['never-existed']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrookError);
    const d = await admin.describeGroups(['never-existed']);
    expect(d.groups[0]!.state).toBe('dead');
  });
});
