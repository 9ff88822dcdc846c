// The Kafka transport against a fake cluster of three brokers: bootstrap from one, produce split
// per leader (one batch per partition per request), a moved leader found again after
// NOT_LEADER_OR_FOLLOWER, a coordinator found again after NOT_COORDINATOR.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Brook, logLevel } from '../../src/index.js';
import { FakeCluster } from './fakeCluster.js';

let cluster: FakeCluster;
beforeEach(async () => {
  cluster = await FakeCluster.start(3);
});
afterEach(async () => cluster.close());

const client = () => new Brook({ brokers: [cluster.bootstrap], clientId: 'routing', logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 10 } });
const produced = () =>
  cluster.received
    .filter((r) => r.api === 'Produce')
    .map((r) => ({ node: r.node, partitions: (r.body.topicData as Array<{ partitionData: Array<{ index: number }> }>).flatMap((t) => t.partitionData.map((p) => p.index)) }));

describe('Kafka transport routing', () => {
  it('sends each partition to its leader, and after NOT_LEADER_OR_FOLLOWER to the new leader', async () => {
    cluster.topic('t', [1, 2, 1]);
    const producer = client().producer({ idempotent: false });
    await producer.connect();
    await producer.send({ topic: 't', messages: [0, 1, 2].map((partition) => ({ partition, value: 'x' })) });
    expect(produced().sort((a, b) => a.node - b.node)).toEqual([
      { node: 1, partitions: [0, 2] },
      { node: 2, partitions: [1] },
    ]);

    // Partition 0 moves to node 2; node 1 still answers for it until the client learns.
    cluster.leaders.set('t/0', 2);
    cluster.script = (node, api, body) => {
      if (api !== 'Produce' || node !== 1) return undefined;
      const t = (body.topicData as Array<{ name: string; partitionData: Array<{ index: number }> }>)[0]!;
      return { responses: [{ name: t.name, partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: p.index === 0 ? 6 : 0, baseOffset: 0 })) }] };
    };
    cluster.received.length = 0;
    const [meta] = await producer.send({ topic: 't', messages: [{ partition: 0, value: 'y' }] });
    expect(meta!.partition).toBe(0);
    expect(produced()).toEqual([
      { node: 1, partitions: [0] },
      { node: 2, partitions: [0] },
    ]);
    expect(cluster.received.some((r) => r.api === 'Metadata')).toBe(true);
    await producer.disconnect();
  });

  it('a partition with several batches goes out one batch per request', async () => {
    cluster.topic('big', [0]);
    const producer = client().producer({ idempotent: false, batchSize: 200 });
    await producer.connect();
    await producer.send({ topic: 'big', messages: Array.from({ length: 6 }, () => ({ partition: 0, value: 'v'.repeat(100) })) });
    const requests = cluster.received.filter((r) => r.api === 'Produce');
    expect(requests.length).toBeGreaterThan(1);
    for (const r of requests) {
      const parts = (r.body.topicData as Array<{ partitionData: unknown[] }>).flatMap((t) => t.partitionData);
      expect(parts).toHaveLength(1);
    }
    await producer.disconnect();
  });

  it('finds the coordinator again after NOT_COORDINATOR', async () => {
    cluster.topic('t', [0]);
    let coordinator = 1;
    cluster.script = (node, api, body) => {
      if (api === 'FindCoordinator') return { coordinators: (body.coordinatorKeys as string[]).map((key) => ({ key, nodeId: coordinator, host: '127.0.0.1', port: cluster.ports[coordinator] })) };
      if (api === 'OffsetCommit' && node !== coordinator) {
        return { topics: (body.topics as Array<{ name: string }>).map((t) => ({ name: t.name, partitions: [{ partitionIndex: 0, errorCode: 16 }] })) };
      }
      return undefined;
    };
    const admin = client().admin();
    await admin.connect();
    await admin.setOffsets({ groupId: 'g', topic: 't', partitions: [{ partition: 0, offset: 5 }] });
    expect(cluster.received.filter((r) => r.api === 'OffsetCommit').map((r) => r.node)).toEqual([1]);

    coordinator = 2; // the group moved
    await admin.setOffsets({ groupId: 'g', topic: 't', partitions: [{ partition: 0, offset: 6 }] });
    expect(cluster.received.filter((r) => r.api === 'OffsetCommit').map((r) => r.node)).toEqual([1, 1, 2]);
    expect(cluster.received.filter((r) => r.api === 'FindCoordinator')).toHaveLength(2);
    await admin.disconnect();
  });
});
