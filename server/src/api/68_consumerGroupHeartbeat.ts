// ConsumerGroupHeartbeat (KIP-848): join, heartbeat and leave; the group logic lives in groups/.
import { BrookError, ErrorCode, validateName } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';

export function consumerGroupHeartbeat(ctx: BrokerContext): Handler<'ConsumerGroupHeartbeat'> {
  return async (req, conn) => {
    const bad = validateName('group', req.groupId);
    if (bad) throw new BrookError(ErrorCode.INVALID_GROUP_ID, bad);
    return ctx.groups.heartbeat(req, { connectionId: conn.connectionId, clientId: conn.clientId, clientHost: conn.clientHost });
  };
}
