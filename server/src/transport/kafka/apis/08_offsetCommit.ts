// OffsetCommit: the shared handler checks and writes; v10 names topics by id. A commit without a
// member id and generation (-1) is an admin commit (Brook: member id null). The generation or
// member epoch, member id and (v7+) group instance id fence it by the group's kind: a classic
// group by generation and member (FENCED_INSTANCE_ID for a replaced static member), a KIP-848
// group by member epoch and partition ownership. Negative offsets are stored as Kafka stores them.
import { kafkaCode, KafkaError } from '../errors.js';
import type { KafkaAdapter, KafkaResponseOf } from '../types.js';
import { topicName } from './topics.js';

type Topic = KafkaResponseOf<'OffsetCommit'>['topics'][number];

export const offsetCommit: KafkaAdapter<'OffsetCommit'> = {
  async handle(body, rc) {
    const byId = rc.version >= 10;
    const unknown: Topic[] = [];
    const topics: Array<{ topic: string; topicId: string; partitions: Array<{ partition: number; offset: number; metadata: string | null }> }> = [];
    for (const t of body.topics) {
      const name = topicName(rc.ctx, t, byId);
      if (name === null) unknown.push({ name: t.name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: KafkaError.UNKNOWN_TOPIC_ID })) });
      else topics.push({ topic: name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata })) });
    }
    const admin = body.memberId === '' && body.generationIdOrMemberEpoch < 0;
    const res = (await rc.handlers.OffsetCommit(
      {
        groupId: body.groupId,
        memberId: admin ? null : body.memberId,
        memberEpoch: body.generationIdOrMemberEpoch,
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
