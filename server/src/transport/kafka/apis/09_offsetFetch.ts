// OffsetFetch: v1-7 ask for one group, v8+ for many (each answered by the shared handler); v9+
// name the KIP-848 member asking (UNKNOWN_MEMBER_ID / STALE_MEMBER_EPOCH for the group if it is
// not current); v10 names topics by id.
import type { KafkaAdapter, KafkaRequestContext, KafkaResponseOf } from '../types.js';
import { kafkaCode, toKafkaError } from '../errors.js';
import { topicIdOf, topicName } from './topics.js';

type Group = KafkaResponseOf<'OffsetFetch'>['groups'][number];

interface GroupQuery {
  groupId: string;
  memberId: string | null;
  memberEpoch: number;
  topics: Array<{ name: string; partitions: number[] }> | null;
}

async function fetchGroup(rc: KafkaRequestContext, q: GroupQuery, requireStable: boolean): Promise<Group> {
  const { groupId } = q;
  try {
    const res = (await rc.handlers.OffsetFetch(
      { groupId, requireStable, memberId: q.memberId, memberEpoch: q.memberEpoch, topics: q.topics?.map((t) => ({ topic: t.name, partitions: t.partitions })) ?? null },
      rc.conn,
    ))!;
    return {
      groupId,
      errorCode: kafkaCode(res.errorCode),
      topics: res.topics.map((t) => ({
        name: t.topic,
        topicId: topicIdOf(rc.ctx, t.topic),
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: -1, metadata: p.metadata, errorCode: kafkaCode(p.errorCode) })),
      })),
    };
  } catch (e) {
    return { groupId, errorCode: toKafkaError(e, rc.ctx.logger).errorCode, topics: [] };
  }
}

export const offsetFetch: KafkaAdapter<'OffsetFetch'> = {
  async handle(body, rc) {
    if (rc.version >= 8) {
      const byId = rc.version >= 10;
      const groups = await Promise.all(
        body.groups.map((g) =>
          fetchGroup(
            rc,
            { groupId: g.groupId, memberId: g.memberId, memberEpoch: g.memberEpoch, topics: g.topics?.map((t) => ({ name: topicName(rc.ctx, t, byId) ?? '', partitions: t.partitionIndexes })) ?? null },
            body.requireStable,
          ),
        ),
      );
      return { throttleTimeMs: 0, topics: [], errorCode: 0, groups };
    }
    const g = await fetchGroup(rc, { groupId: body.groupId, memberId: null, memberEpoch: -1, topics: body.topics?.map((t) => ({ name: t.name, partitions: t.partitionIndexes })) ?? null }, body.requireStable);
    const topics = g.topics.map((t) => ({ name: t.name, partitions: t.partitions }));
    // v1: no top-level error code; a group-level error goes on every partition.
    if (rc.version < 2 && g.errorCode !== 0) for (const t of topics) for (const p of t.partitions) p.errorCode = g.errorCode;
    return { throttleTimeMs: 0, topics, errorCode: rc.version < 2 ? 0 : g.errorCode, groups: [] };
  },
};
