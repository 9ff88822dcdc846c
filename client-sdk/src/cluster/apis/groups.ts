/**
 * Consumer groups (KIP-848) on their coordinator: heartbeats, commits, committed offsets,
 * describe, delete; ListGroups on every broker. Kafka names topics by id in heartbeats;
 * OffsetCommit and OffsetFetch stop before their topic-id versions (10). Group states come back
 * in Brook's spelling (stable, not Stable).
 */
import { BrookError } from '@brook/protocol';
import type { ApiMapping, TopicIds } from './types.js';

const group = (groupId: string) => ({ kind: 'coordinator', keyType: 0, key: groupId }) as const;

/** Kafka's state names (Stable, PreparingRebalance) as Brook writes them (stable, preparing_rebalance). */
export function brookGroupState(state: string): string {
  return state.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

function idsToNames(tps: Array<{ topicId: string; partitions: number[] }>, ids: TopicIds): Array<{ topic: string; partitions: number[] }> {
  return tps.flatMap((tp) => {
    const topic = ids.nameOf(tp.topicId);
    return topic === undefined ? [] : [{ topic, partitions: tp.partitions }];
  });
}

export const consumerGroupHeartbeat: ApiMapping<'ConsumerGroupHeartbeat', 'ConsumerGroupHeartbeat'> = {
  kafka: 'ConsumerGroupHeartbeat',
  route: (b) => group(b.groupId),
  toKafka: (b, version, ids) => ({
    groupId: b.groupId,
    memberId: b.memberId,
    memberEpoch: b.memberEpoch,
    instanceId: b.instanceId,
    rackId: b.rackId,
    rebalanceTimeoutMs: b.rebalanceTimeoutMs,
    subscribedTopicNames: b.subscribedTopicNames,
    // v0 has no regex: the names are all a v0 coordinator can take.
    subscribedTopicRegex: version >= 1 ? b.subscribedTopicRegex : null,
    serverAssignor: b.serverAssignor,
    topicPartitions:
      b.topicPartitions?.flatMap((tp) => {
        const topicId = ids.idOf(tp.topic);
        return topicId === undefined ? [] : [{ topicId, partitions: tp.partitions }];
      }) ?? null,
  }),
  topicIdsIn: (res) => res.assignment?.topicPartitions.map((tp) => tp.topicId) ?? [],
  fromKafka: (res, _v, b, ids) => ({
    errorCode: res.errorCode,
    errorMessage: res.errorMessage,
    memberId: res.memberId ?? b.memberId,
    memberEpoch: res.memberEpoch,
    heartbeatIntervalMs: res.heartbeatIntervalMs,
    assignment: res.assignment === null ? null : idsToNames(res.assignment.topicPartitions, ids),
  }),
};

export const offsetCommit: ApiMapping<'OffsetCommit', 'OffsetCommit'> = {
  kafka: 'OffsetCommit',
  maxVersion: 9,
  route: (b) => group(b.groupId),
  // A commit without a member (admin, while the group is empty) is member "" and generation -1.
  toKafka: (b) => ({
    groupId: b.groupId,
    generationIdOrMemberEpoch: b.memberId === null ? -1 : b.memberEpoch,
    memberId: b.memberId ?? '',
    topics: b.topics.map((t) => ({
      name: t.topic,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedMetadata: p.metadata })),
    })),
  }),
  fromKafka: (res) => ({
    topics: res.topics.map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, errorCode: p.errorCode, errorMessage: null })) })),
  }),
};

export const offsetFetch: ApiMapping<'OffsetFetch', 'OffsetFetch'> = {
  kafka: 'OffsetFetch',
  maxVersion: 9,
  route: (b) => group(b.groupId),
  toKafka: (b, version) => {
    if (version < 8) {
      return { groupId: b.groupId, requireStable: b.requireStable, topics: b.topics?.map((t) => ({ name: t.topic, partitionIndexes: t.partitions ?? [] })) ?? null };
    }
    return {
      requireStable: b.requireStable,
      groups: [{ groupId: b.groupId, topics: b.topics?.map((t) => ({ name: t.topic, partitionIndexes: t.partitions ?? [] })) ?? null }],
    };
  },
  fromKafka: (res, version) => {
    const g = version >= 8 ? res.groups[0] : { errorCode: res.errorCode, topics: res.topics };
    if (!g) throw new BrookError(-1, 'OffsetFetch answered no group');
    return {
      errorCode: g.errorCode,
      errorMessage: null,
      topics: g.topics.map((t) => ({
        topic: t.name,
        partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata, commitTimestamp: -1, errorCode: p.errorCode })),
      })),
    };
  },
};

export const consumerGroupDescribe: ApiMapping<'ConsumerGroupDescribe', 'ConsumerGroupDescribe'> = {
  kafka: 'ConsumerGroupDescribe',
  // One group per request (the cluster splits a list by coordinator).
  route: (b) => group(b.groupIds[0] ?? ''),
  toKafka: (b) => ({ groupIds: b.groupIds, includeAuthorizedOperations: false }),
  fromKafka: (res) => ({
    groups: res.groups.map((g) => ({
      errorCode: g.errorCode,
      errorMessage: g.errorMessage,
      groupId: g.groupId,
      state: brookGroupState(g.groupState),
      groupEpoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      assignor: g.assignorName,
      members: g.members.map((m) => {
        const tps = (a: typeof m.assignment) => a.topicPartitions.map((tp) => ({ topic: tp.topicName, partitions: tp.partitions }));
        return {
          memberId: m.memberId,
          instanceId: m.instanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberEpoch: m.memberEpoch,
          // Kafka does not describe a member's reconciliation state: stable once it holds its target.
          state: m.memberEpoch === g.assignmentEpoch ? 'stable' : 'unrevoked_partitions',
          subscribedTopicNames: m.subscribedTopicNames,
          subscribedTopicRegex: m.subscribedTopicRegex,
          assignment: tps(m.assignment),
          targetAssignment: tps(m.targetAssignment),
        };
      }),
    })),
  }),
};

export const listGroups: ApiMapping<'ListGroups', 'ListGroups'> = {
  kafka: 'ListGroups',
  route: () => ({ kind: 'all' }),
  toKafka: (b) => ({ statesFilter: (b.statesFilter ?? []).map((s) => s.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')) }),
  fromKafka: (res) => {
    if (res.errorCode !== 0) throw new BrookError(res.errorCode);
    // Member counts are not in Kafka's answer: -1 until described (the cluster fills them in).
    return { groups: res.groups.map((g) => ({ groupId: g.groupId, state: brookGroupState(g.groupState), members: -1 })) };
  },
};

export const deleteGroups: ApiMapping<'DeleteGroups', 'DeleteGroups'> = {
  kafka: 'DeleteGroups',
  route: (b) => group(b.groupIds[0] ?? ''),
  toKafka: (b) => ({ groupsNames: b.groupIds }),
  fromKafka: (res) => ({ results: res.results.map((r) => ({ groupId: r.groupId, errorCode: r.errorCode, errorMessage: r.errorMessage })) }),
};

export const offsetDelete: ApiMapping<'OffsetDelete', 'OffsetDelete'> = {
  kafka: 'OffsetDelete',
  route: (b) => group(b.groupId),
  toKafka: (b) => ({ groupId: b.groupId, topics: b.topics.map((t) => ({ name: t.topic, partitions: (t.partitions ?? []).map((partitionIndex) => ({ partitionIndex })) })) }),
  fromKafka: (res) => ({
    errorCode: res.errorCode,
    errorMessage: null,
    topics: res.topics.map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, errorCode: p.errorCode })) })),
  }),
};
