// LeaveGroup (classic protocol): v0-2 name one member; v3+ (KIP-345) a batch, by member id or
// group instance id, each with its own error. v0-2 answer the member's error as the request's.
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter } from '../types.js';

export const leaveGroup: KafkaAdapter<'LeaveGroup'> = {
  async handle(body, rc) {
    const batched = rc.version >= 3;
    const members = batched
      ? body.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: m.reason }))
      : [{ memberId: body.memberId, groupInstanceId: null, reason: null }];
    const res = await rc.handlers.LeaveGroup({ groupId: body.groupId, members }, rc.conn);
    const errorCode = kafkaCode(res.errorCode);
    if (!batched) return { throttleTimeMs: 0, errorCode: errorCode || kafkaCode(res.members[0]?.errorCode ?? 0), members: [] };
    return { throttleTimeMs: 0, errorCode, members: res.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: kafkaCode(m.errorCode) })) };
  },
  error: (_body, errorCode) => ({ throttleTimeMs: 0, errorCode, members: [] }),
};
