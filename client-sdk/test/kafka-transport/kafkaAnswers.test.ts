// Answers a real Kafka cluster gives and a single Brook broker does not, found by the conformance
// suite (npm run test:conformance) and pinned here on the fake cluster: a new topic that the
// metadata does not name yet, and ILLEGAL_GENERATION for a stale member epoch in TxnOffsetCommit.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Brook, ErrorCode, logLevel } from '../../src/index.js';
import { FakeCluster } from './fakeCluster.js';

let cluster: FakeCluster;
beforeEach(async () => {
  cluster = await FakeCluster.start(3);
});
afterEach(async () => cluster.close());

const client = () => new Brook({ brokers: [cluster.bootstrap], clientId: 'answers', logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 10 } });
const count = (api: string) => cluster.received.filter((r) => r.api === api).length;

it('createTopics resolves once the metadata names a leader for every partition of the new topic', async () => {
  let metadataAfterCreate = 0;
  cluster.script = (_node, api, body) => {
    if (api === 'CreateTopics') return { topics: (body.topics as Array<{ name: string }>).map((t) => ({ name: t.name, errorCode: 0 })) };
    // The brokers learn of the topic on the third Metadata request after CreateTopics answered.
    if (api === 'Metadata' && count('CreateTopics') > 0 && ++metadataAfterCreate === 3) cluster.topic('fresh', [1, 2]);
    return undefined;
  };
  const admin = client().admin();
  await admin.connect();
  expect(await admin.createTopics({ topics: [{ topic: 'fresh', numPartitions: 2 }] })).toBe(true);
  expect(metadataAfterCreate).toBe(3);
  expect(cluster.leaders.get('fresh/1')).toBe(2);
  await admin.disconnect();
});

it('a stale member epoch in a transaction is STALE_MEMBER_EPOCH, though Kafka answers ILLEGAL_GENERATION', async () => {
  cluster.topic('in', [0]);
  cluster.script = (_node, api, body) => {
    if (api === 'InitProducerId') return { errorCode: 0, producerId: 7, producerEpoch: 0 };
    if (api === 'AddOffsetsToTxn' || api === 'EndTxn') return { errorCode: 0 };
    if (api === 'TxnOffsetCommit') {
      return { topics: (body.topics as Array<{ name: string }>).map((t) => ({ name: t.name, partitions: [{ partitionIndex: 0, errorCode: ErrorCode.ILLEGAL_GENERATION }] })) };
    }
    return undefined;
  };
  const producer = client().producer({ transactionalId: 'tx' });
  await producer.connect();
  const tx = await producer.transaction();
  await expect(
    tx.sendOffsets({
      consumerGroupId: 'g',
      consumer: { groupMetadata: () => ({ groupId: 'g', memberId: 'm', memberEpoch: 9, groupInstanceId: null }) },
      topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '1' }] }],
    }),
  ).rejects.toMatchObject({ code: ErrorCode.STALE_MEMBER_EPOCH });
  await tx.abort().catch(() => {});
  await producer.disconnect();
});
