// Heartbeat (classic protocol): keeps a member's session; REBALANCE_IN_PROGRESS tells it to rejoin.
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter } from '../types.js';

export const heartbeat: KafkaAdapter<'Heartbeat'> = {
  async handle(body, rc) {
    const res = await rc.handlers.Heartbeat({ groupId: body.groupId, generationId: body.generationId, memberId: body.memberId, groupInstanceId: body.groupInstanceId }, rc.conn);
    return { throttleTimeMs: 0, errorCode: kafkaCode(res.errorCode) };
  },
  error: (_body, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};
