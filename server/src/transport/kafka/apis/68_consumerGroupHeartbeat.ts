// ConsumerGroupHeartbeat (KIP-848): the shared group coordinator; Kafka names topics by id in
// owned and assigned partitions. A v0 member joining without an id gets one (Kafka 4.0's v0).
import { randomBytes } from 'node:crypto';
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter } from '../types.js';
import { topicIdOf } from './topics.js';

export const consumerGroupHeartbeat: KafkaAdapter<'ConsumerGroupHeartbeat'> = {
  async handle(body, rc) {
    const { cluster } = rc.ctx;
    const memberId = body.memberId === '' && body.memberEpoch === 0 ? randomBytes(16).toString('base64url') : body.memberId;
    const res = (await rc.handlers.ConsumerGroupHeartbeat(
      {
        groupId: body.groupId,
        memberId,
        memberEpoch: body.memberEpoch,
        instanceId: body.instanceId,
        rackId: body.rackId,
        rebalanceTimeoutMs: body.rebalanceTimeoutMs,
        sessionTimeoutMs: -1,
        subscribedTopicNames: body.subscribedTopicNames,
        subscribedTopicRegex: body.subscribedTopicRegex,
        serverAssignor: body.serverAssignor,
        topicPartitions:
          body.topicPartitions?.flatMap((tp) => {
            const topic = cluster.topicNameOf(tp.topicId);
            return topic === null ? [] : [{ topic, partitions: tp.partitions }];
          }) ?? null,
      },
      rc.conn,
    ))!;
    return {
      throttleTimeMs: 0,
      errorCode: kafkaCode(res.errorCode),
      errorMessage: res.errorMessage,
      memberId: res.memberId,
      memberEpoch: res.memberEpoch,
      heartbeatIntervalMs: res.heartbeatIntervalMs,
      assignment: res.assignment === null ? null : { topicPartitions: res.assignment.map((a) => ({ topicId: topicIdOf(rc.ctx, a.topic), partitions: a.partitions })) },
    };
  },
  error: (body, errorCode, errorMessage) => ({ throttleTimeMs: 0, errorCode, errorMessage, memberId: body.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null }),
};
