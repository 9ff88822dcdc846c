// AddPartitionsToTxn: v0-3 from producers (one transaction); v4+ is Kafka's broker-to-broker
// batched form, answered per transaction.
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter, KafkaRequestContext } from '../types.js';

type Topics = Array<{ name: string; partitions: number[] }>;

async function add(rc: KafkaRequestContext, t: { transactionalId: string; producerId: number; producerEpoch: number; verifyOnly: boolean; topics: Topics }) {
  const res = await rc.handlers.AddPartitionsToTxn(
    { transactionalId: t.transactionalId, producerId: t.producerId, producerEpoch: t.producerEpoch, verifyOnly: t.verifyOnly, topics: t.topics.map((x) => ({ topic: x.name, partitions: x.partitions })) },
    rc.conn,
  );
  return res.topics.map((x) => ({ name: x.topic, resultsByPartition: x.partitions.map((p) => ({ partitionIndex: p.partition, partitionErrorCode: kafkaCode(p.errorCode) })) }));
}

function failed(topics: Topics, code: number) {
  return topics.map((x) => ({ name: x.name, resultsByPartition: x.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code })) }));
}

export const addPartitionsToTxn: KafkaAdapter<'AddPartitionsToTxn'> = {
  async handle(body, rc) {
    if (rc.version <= 3) {
      const results = await add(rc, { transactionalId: body.v3AndBelowTransactionalId, producerId: body.v3AndBelowProducerId, producerEpoch: body.v3AndBelowProducerEpoch, verifyOnly: false, topics: body.v3AndBelowTopics });
      return { throttleTimeMs: 0, errorCode: 0, resultsByTransaction: [], resultsByTopicV3AndBelow: results };
    }
    const resultsByTransaction = await Promise.all(
      body.transactions.map(async (t) => ({
        transactionalId: t.transactionalId,
        topicResults: await add(rc, t).catch((e: unknown) => failed(t.topics, kafkaCode((e as { code?: number }).code ?? -1))),
      })),
    );
    return { throttleTimeMs: 0, errorCode: 0, resultsByTransaction, resultsByTopicV3AndBelow: [] };
  },
  error: (body, errorCode, _m, rc) =>
    rc.version <= 3
      ? { throttleTimeMs: 0, errorCode: 0, resultsByTransaction: [], resultsByTopicV3AndBelow: failed(body.v3AndBelowTopics, errorCode) }
      : { throttleTimeMs: 0, errorCode, resultsByTransaction: [], resultsByTopicV3AndBelow: [] },
};
