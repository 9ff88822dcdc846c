// KafkaJS 2.2.4, unmodified, against Brook's Kafka port: admin, keyed produce (same partitions
// as Brook's SDK), transactions with offsets, SASL PLAIN and SCRAM. Reads are checked here with
// raw Fetch requests; KafkaJS consumer groups are in kafkajsGroups.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { decodeBatches, defaultPartition, utf8Encode } from '@brook/protocol';
import { testBroker } from '../helpers.js';
import { RawKafka } from './rawKafka.js';

let broker: Awaited<ReturnType<typeof testBroker>>;
let kafka: Kafka;

beforeAll(async () => {
  broker = await testBroker({ kafkaPort: 0 });
  kafka = new Kafka({ clientId: 'kafkajs-test', brokers: [broker.kafkaAddress!], logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await broker.stop();
});

/** Every record value of a partition, read with raw Fetch requests (read_committed if asked). */
async function values(topic: string, partition: number, readCommitted = false): Promise<string[]> {
  const c = await RawKafka.connect(broker.kafkaAddress!);
  try {
    const res = await c.request('Fetch', 11, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: readCommitted ? 1 : 0,
      topics: [{ topic, topicId: '', partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1, replicaDirectoryId: '', highWatermark: 0 }] }],
    });
    const p = res.responses[0]!.partitions[0]!;
    expect(p.errorCode).toBe(0);
    // As Kafka's consumer: a batch of an aborted transaction is skipped (from its first offset on).
    const aborted = p.abortedTransactions ?? [];
    const isAborted = (b: { header: { producerId: number; baseOffset: number } }) => aborted.some((a) => a.producerId === b.header.producerId && b.header.baseOffset >= a.firstOffset);
    return decodeBatches(p.records!)
      .filter((b) => (b.header.attributes & 0x20) === 0 && !(readCommitted && isAborted(b)))
      .flatMap((b) => b.records.map((r) => Buffer.from(r.value!).toString()));
  } finally {
    c.close();
  }
}

describe('KafkaJS against the Kafka listener', () => {
  it('creates, lists, describes and deletes topics with the admin client', async () => {
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'kjs-admin', numPartitions: 3 }], waitForLeaders: true })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'kjs-admin', numPartitions: 3 }] })).toBe(false); // already there
    expect(await admin.listTopics()).toContain('kjs-admin');
    const meta = await admin.fetchTopicMetadata({ topics: ['kjs-admin'] });
    expect(meta.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-admin', count: 5 }] });
    expect(broker.context.topics.get('kjs-admin')!.numPartitions).toBe(5);
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.clusterId).toBe(broker.context.cluster.clusterId);
    await admin.deleteTopics({ topics: ['kjs-admin'] });
    expect(broker.context.topics.get('kjs-admin')).toBeUndefined();
    await admin.disconnect();
  });

  // KafkaJS alters configs with AlterConfigs (33), which is not served (IncrementalAlterConfigs is: listener.test.ts).
  it('describes topic configs; unknown settings are INVALID_CONFIG', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kjs-configs', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '60000' }] }] });
    const described = await admin.describeConfigs({ resources: [{ type: 2, name: 'kjs-configs' }], includeSynonyms: false });
    const entries = new Map(described.resources[0]!.configEntries.map((e) => [e.configName, e]));
    expect(entries.get('retention.ms')!.configValue).toBe('60000');
    expect(entries.get('cleanup.policy')!.configValue).toBe('delete');
    await expect(
      admin.createTopics({ topics: [{ topic: 'kjs-bad-config', numPartitions: 1, configEntries: [{ name: 'no.such.setting', value: '1' }] }] }),
    ).rejects.toMatchObject({ errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })] });
    await admin.disconnect();
  });

  it('produces keyed records to the partitions Brook\'s SDK picks (murmur2), readable over Fetch', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kjs-keys', numPartitions: 4 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    const sent = await producer.send({ topic: 'kjs-keys', acks: -1, messages: keys.map((k) => ({ key: k, value: `v-${k}` })) });
    expect(sent.every((r) => r.errorCode === 0)).toBe(true);
    await producer.disconnect();
    for (let p = 0; p < 4; p++) {
      const expected = keys.filter((k) => defaultPartition(utf8Encode(k), 4) === p).map((k) => `v-${k}`);
      expect(await values('kjs-keys', p)).toEqual(expected);
    }
    const offsets = await (async () => {
      const a = kafka.admin();
      await a.connect();
      try {
        return await a.fetchTopicOffsets('kjs-keys');
      } finally {
        await a.disconnect();
      }
    })();
    expect(offsets.reduce((s, o) => s + Number(o.high), 0)).toBe(20);
  });

  it('runs an idempotent producer', async () => {
    await broker.context.topics.create('kjs-idem', 1);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 3; i++) await producer.send({ topic: 'kjs-idem', messages: [{ value: `m${i}` }] });
    await producer.disconnect();
    expect(await values('kjs-idem', 0)).toEqual(['m0', 'm1', 'm2']);
  });

  it('commits and aborts transactions with offsets; read_committed sees only the committed', async () => {
    await broker.context.topics.create('kjs-txn', 1);
    await broker.context.topics.create('kjs-txn-in', 1);
    const producer = kafka.producer({ transactionalId: 'kjs-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic: 'kjs-txn', messages: [{ value: 'kept' }] });
    await committed.sendOffsets({ consumerGroupId: 'kjs-txn-group', topics: [{ topic: 'kjs-txn-in', partitions: [{ partition: 0, offset: '7' }] }] });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'kjs-txn', messages: [{ value: 'dropped' }] });
    await aborted.abort();
    await producer.disconnect();

    expect(await values('kjs-txn', 0, true)).toEqual(['kept']);
    expect(await values('kjs-txn', 0, false)).toEqual(['kept', 'dropped']);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: 'kjs-txn-group', topics: ['kjs-txn-in'] });
    expect(offsets[0]!.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '7' })]);
    await admin.disconnect();
  });

  it('fetches, lists, describes and deletes groups with the admin client', async () => {
    await broker.context.topics.create('kjs-offsets', 2);
    // An admin commit (no member, generation -1): the group then only has offsets.
    const raw = await RawKafka.connect(broker.kafkaAddress!);
    const commit = await raw.request('OffsetCommit', 8, {
      groupId: 'kjs-g',
      memberId: '',
      generationIdOrMemberEpoch: -1,
      topics: [{ name: 'kjs-offsets', topicId: '', partitions: [0, 1].map((p) => ({ partitionIndex: p, committedOffset: p === 0 ? 3 : 0, committedLeaderEpoch: -1, committedMetadata: null })) }],
    });
    expect(commit.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
    raw.close();
    const admin = kafka.admin();
    await admin.connect();
    const fetched = await admin.fetchOffsets({ groupId: 'kjs-g', topics: ['kjs-offsets'] });
    expect(fetched[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
      [0, '3'],
      [1, '0'],
    ]);
    const groups = await admin.listGroups();
    expect(groups.groups.map((g) => g.groupId)).toContain('kjs-g');
    const described = await admin.describeGroups(['kjs-g']);
    expect(described.groups[0]).toMatchObject({ groupId: 'kjs-g', state: 'Empty' });
    await admin.deleteGroups(['kjs-g']);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('kjs-g');
    await admin.disconnect();
  });
});

describe('KafkaJS with SASL', () => {
  let secured: Awaited<ReturnType<typeof testBroker>>;
  beforeAll(async () => {
    secured = await testBroker({
      kafkaPort: 0,
      auth: {
        principals: [
          { name: 'alice', secret: 'alice-secret', acls: [{ resource: 'cluster', operations: ['admin'] }, { resource: 'topic', name: '*', operations: ['all'] }] },
          { name: 'bob', secret: 'bob-secret', acls: [] },
        ],
      },
    });
    await secured.context.topics.create('sasl-topic', 1);
  });
  afterAll(async () => {
    await secured.stop();
  });

  const client = (sasl: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }) =>
    new Kafka({ clientId: 'kafkajs-sasl', brokers: [secured.kafkaAddress!], logLevel: logLevel.NOTHING, sasl: sasl as never, retry: { retries: 0 } });

  for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
    it(`authenticates with ${mechanism} and applies the principal's ACLs`, async () => {
      const producer = client({ mechanism, username: 'alice', password: 'alice-secret' }).producer();
      await producer.connect();
      await producer.send({ topic: 'sasl-topic', messages: [{ value: mechanism }] });
      await producer.disconnect();

      const wrong = client({ mechanism, username: 'alice', password: 'nope' }).producer();
      await expect(wrong.connect()).rejects.toThrow(/SASL|[Aa]uthentication/);

      // bob authenticates but may not write the topic.
      const bob = client({ mechanism, username: 'bob', password: 'bob-secret' }).producer();
      await bob.connect();
      await expect(bob.send({ topic: 'sasl-topic', messages: [{ value: 'x' }] })).rejects.toThrow(/authoriz/i);
      await bob.disconnect();
    });
  }

  it('closes a connection that sends anything but ApiVersions and SASL before authenticating', async () => {
    const c = await RawKafka.connect(secured.kafkaAddress!);
    expect((await c.request('ApiVersions', 3, {})).errorCode).toBe(0);
    await expect(c.request('Metadata', 12, { topics: null })).rejects.toThrow(/closed/);
    await c.closed;
  });
});
