// DescribeGroups (the classic API) of consumer-protocol groups, as Kafka 4 shows them: protocol
// type "consumer", the assignor as protocol data, each member's subscription and assignment in
// the consumer protocol's encoding. A group that does not exist: GROUP_ID_NOT_FOUND from v6,
// before that state "Dead" without an error, as Kafka.
import { ErrorCode } from '@brook/protocol';
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter } from '../types.js';
import { kafkaGroupState, memberAssignment, memberMetadata } from './groupStates.js';

export const describeGroups: KafkaAdapter<'DescribeGroups'> = {
  async handle(body, rc) {
    const res = (await rc.handlers.ConsumerGroupDescribe({ groupIds: body.groups }, rc.conn))!;
    return {
      throttleTimeMs: 0,
      groups: res.groups.map((g) => {
        const missing = g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND;
        return {
          errorCode: missing && rc.version < 6 ? 0 : kafkaCode(g.errorCode),
          errorMessage: rc.version >= 6 ? g.errorMessage : null,
          groupId: g.groupId,
          groupState: missing ? 'Dead' : kafkaGroupState(g.state),
          protocolType: missing ? '' : 'consumer',
          protocolData: missing ? '' : g.assignor,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.instanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: memberMetadata(m),
            memberAssignment: memberAssignment(m),
          })),
          authorizedOperations: -2147483648,
        };
      }),
    };
  },
};
