// ConsumerGroupDescribe (KIP-848): groups, members, current and target assignments by topic id and
// name. Classic groups (and groups that only have offsets, Kafka's simple classic groups) are
// GROUP_ID_NOT_FOUND, "Group g is not a consumer group.", as Kafka answers: its admin client then
// describes them with DescribeGroups.
import { ErrorCode, type DescribedGroup, type TopicPartitions } from '@brook/protocol';
import { groupType } from '../../../services/groups.js';
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter, KafkaRequestContext, KafkaResponseOf } from '../types.js';
import { kafkaGroupState } from './groupStates.js';
import { topicIdOf } from './topics.js';

type Described = KafkaResponseOf<'ConsumerGroupDescribe'>['groups'][number];

function assignment(rc: KafkaRequestContext, tps: TopicPartitions[]) {
  return { topicPartitions: tps.map((a) => ({ topicId: topicIdOf(rc.ctx, a.topic), topicName: a.topic, partitions: a.partitions })) };
}

function notConsumerGroup(groupId: string): Described {
  return {
    errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
    errorMessage: `Group ${groupId} is not a consumer group.`,
    groupId,
    groupState: '',
    groupEpoch: -1,
    assignmentEpoch: -1,
    assignorName: '',
    members: [],
    authorizedOperations: -2147483648,
  };
}

function described(rc: KafkaRequestContext, g: DescribedGroup): Described {
  return {
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
  };
}

export const consumerGroupDescribe: KafkaAdapter<'ConsumerGroupDescribe'> = {
  async handle(body, rc) {
    const res = (await rc.handlers.ConsumerGroupDescribe({ groupIds: body.groupIds }, rc.conn))!;
    return {
      throttleTimeMs: 0,
      groups: res.groups.map((g) => (g.errorCode === 0 && groupType(rc.ctx, g.groupId)?.type === 'classic' ? notConsumerGroup(g.groupId) : described(rc, g))),
    };
  },
};
