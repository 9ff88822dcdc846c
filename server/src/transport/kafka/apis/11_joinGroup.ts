// JoinGroup (classic protocol): answered when the group's join phase completes. v4+ (KIP-394): a
// member without an id gets MEMBER_ID_REQUIRED and its id, and joins again with it; v5+ carry the
// group instance id (KIP-345); v9 (KIP-814) lets a static leader skip the assignment.
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter } from '../types.js';

export const joinGroup: KafkaAdapter<'JoinGroup'> = {
  async handle(body, rc) {
    const res = await rc.handlers.JoinGroup(
      {
        groupId: body.groupId,
        sessionTimeoutMs: body.sessionTimeoutMs,
        rebalanceTimeoutMs: body.rebalanceTimeoutMs,
        memberId: body.memberId,
        groupInstanceId: body.groupInstanceId,
        protocolType: body.protocolType,
        protocols: body.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
        reason: body.reason,
        requireKnownMemberId: rc.version >= 4,
        supportsSkippingAssignment: rc.version >= 9,
      },
      rc.conn,
    );
    return {
      throttleTimeMs: 0,
      errorCode: kafkaCode(res.errorCode),
      generationId: res.generationId,
      protocolType: res.protocolType,
      // Not nullable before v7; Kafka's error answers leave it at its default, "".
      protocolName: rc.version >= 7 && res.errorCode === 0 ? res.protocolName : (res.protocolName ?? ''),
      leader: res.leader,
      skipAssignment: res.skipAssignment,
      memberId: res.memberId,
      members: res.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
    };
  },
  error: (body, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: '',
    leader: '',
    skipAssignment: false,
    memberId: body.memberId,
    members: [],
  }),
};
