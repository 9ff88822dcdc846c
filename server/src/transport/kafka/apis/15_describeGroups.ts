// DescribeGroups (the classic API): classic groups with Kafka's state names, protocol type, the
// selected protocol while Stable, and each member's metadata and assignment bytes as it sent them
// (the shared handler, after Kafka 4's GroupMetadataManager.describeGroups). KIP-848 groups and
// unknown ids are "Dead": from v6 with GROUP_ID_NOT_FOUND and Kafka's message, before v6 without
// an error, as Kafka answers.
import { ErrorCode } from '@brook/protocol';
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter } from '../types.js';

export const describeGroups: KafkaAdapter<'DescribeGroups'> = {
  async handle(body, rc) {
    const res = await rc.handlers.DescribeGroups({ groupIds: body.groups }, rc.conn);
    return {
      throttleTimeMs: 0,
      groups: res.groups.map((g) => ({
        errorCode: g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND && rc.version < 6 ? 0 : kafkaCode(g.errorCode),
        errorMessage: rc.version >= 6 ? g.errorMessage : null,
        groupId: g.groupId,
        groupState: g.state,
        protocolType: g.protocolType,
        protocolData: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
        authorizedOperations: -2147483648,
      })),
    };
  },
};
