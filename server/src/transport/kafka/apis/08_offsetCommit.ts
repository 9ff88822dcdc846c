// OffsetCommit: the shared handler checks and writes; v10 names topics by id. A commit without a
// member id and generation (-1) is an admin commit (Brook: member id null). The generation or
// member epoch, member id and (v7+) group instance id fence it by the group's kind: a classic
// group by generation and member (FENCED_INSTANCE_ID for a replaced static member), a KIP-848
// group by member epoch and partition ownership. Negative offsets are stored as Kafka stores them.
import type { KafkaAdapter } from '../types.js';
import { commitErrorTopic, resolveCommitTopics } from './commitTopics.js';

export const offsetCommit: KafkaAdapter<'OffsetCommit'> = {
  async handle(body, rc) {
    const resolved = resolveCommitTopics(rc.ctx, body.topics, rc.version >= 10);
    const admin = body.memberId === '' && body.generationIdOrMemberEpoch < 0;
    const res = (await rc.handlers.OffsetCommit(
      {
        groupId: body.groupId,
        memberId: admin ? null : body.memberId,
        memberEpoch: body.generationIdOrMemberEpoch,
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
