// ConsumerGroupDescribe (KIP-848): groups, members, current and target assignments by topic id and name.
import type { TopicPartitions } from '@brook/protocol';
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter, KafkaRequestContext } from '../types.js';
import { kafkaGroupState } from './groupStates.js';
import { topicIdOf } from './topics.js';

function assignment(rc: KafkaRequestContext, tps: TopicPartitions[]) {
  return { topicPartitions: tps.map((a) => ({ topicId: topicIdOf(rc.ctx, a.topic), topicName: a.topic, partitions: a.partitions })) };
}

export const consumerGroupDescribe: KafkaAdapter<'ConsumerGroupDescribe'> = {
  async handle(body, rc) {
    const res = (await rc.handlers.ConsumerGroupDescribe({ groupIds: body.groupIds }, rc.conn))!;
    return {
      throttleTimeMs: 0,
      groups: res.groups.map((g) => ({
        errorCode: kafkaCode(g.errorCode),
        errorMessage: g.errorMessage,
        groupId: g.groupId,
        groupState: kafkaGroupState(g.state),
        groupEpoch: g.groupEpoch,
        assignmentEpoch: g.assignmentEpoch,
        assignorName: g.assignor,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          instanceId: m.instanceId,
          rackId: null,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: m.subscribedTopicNames,
          subscribedTopicRegex: m.subscribedTopicRegex,
          assignment: assignment(rc, m.assignment),
          targetAssignment: assignment(rc, m.targetAssignment),
          memberType: 1,
        })),
        authorizedOperations: -2147483648,
      })),
    };
  },
};
