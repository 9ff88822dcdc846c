// TxnOffsetCommit: offsets that commit with the transaction. v0-2 carry no member: Brook takes
// them as commits without a member id (a classic group takes them in any state, as Kafka; a
// KIP-848 group only while empty); v3+ carry the member id, generation or member epoch and group
// instance id, fenced as OffsetCommit's; v6 names topics by id.
import type { KafkaAdapter } from '../types.js';
import { commitErrorTopic, resolveCommitTopics } from './commitTopics.js';

export const txnOffsetCommit: KafkaAdapter<'TxnOffsetCommit'> = {
  async handle(body, rc) {
    const resolved = resolveCommitTopics(rc.ctx, body.topics, rc.version >= 6);
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
        topics: resolved.entries,
      },
      rc.conn,
    ))!;
    return { throttleTimeMs: 0, topics: resolved.answer(res.topics) };
  },
  error: (body, errorCode) => ({
    throttleTimeMs: 0,
    topics: body.topics.map((t) => commitErrorTopic(t, errorCode)),
  }),
};
