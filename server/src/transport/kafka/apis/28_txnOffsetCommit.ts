// TxnOffsetCommit: offsets that commit with the transaction. v0-2 carry no member: Brook takes
// them as commits without a member id (a classic group takes them in any state, as Kafka; a
// KIP-848 group only while empty); v3+ carry the member id, generation or member epoch and group
// instance id, fenced as OffsetCommit's; v6 names topics by id.
import { kafkaCode, KafkaError } from '../errors.js';
import type { KafkaAdapter, KafkaResponseOf } from '../types.js';
import { topicName } from './topics.js';

type Topic = KafkaResponseOf<'TxnOffsetCommit'>['topics'][number];

export const txnOffsetCommit: KafkaAdapter<'TxnOffsetCommit'> = {
  async handle(body, rc) {
    const byId = rc.version >= 6;
    const unknown: Topic[] = [];
    const topics: Array<{ topic: string; topicId: string; partitions: Array<{ partition: number; offset: number; metadata: string | null }> }> = [];
    for (const t of body.topics) {
      const name = topicName(rc.ctx, t, byId);
      if (name === null) unknown.push({ name: t.name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: KafkaError.UNKNOWN_TOPIC_ID })) });
      else topics.push({ topic: name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata })) });
    }
    const member = body.memberId !== '';
    const res = (await rc.handlers.TxnOffsetCommit(
      {
        transactionalId: body.transactionalId,
        producerId: body.producerId,
        producerEpoch: body.producerEpoch,
        groupId: body.groupId,
        memberId: member ? body.memberId : null,
        memberEpoch: member ? body.generationIdOrMemberEpoch : -1,
        groupInstanceId: body.groupInstanceId,
        acceptNegativeOffsets: true,
        topics: topics.map(({ topic, partitions }) => ({ topic, partitions })),
      },
      rc.conn,
    ))!;
    return {
      throttleTimeMs: 0,
      topics: [
        ...res.topics.map((t, i) => ({ name: t.topic, topicId: topics[i]!.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: kafkaCode(p.errorCode) })) })),
        ...unknown,
      ],
    };
  },
  error: (body, errorCode) => ({
    throttleTimeMs: 0,
    topics: body.topics.map((t) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  }),
};
