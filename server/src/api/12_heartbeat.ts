// Heartbeat (classic protocol): keeps a member's session; REBALANCE_IN_PROGRESS tells it to rejoin.
import type { HeartbeatRequest, HeartbeatResponse } from '../groups/classic/index.js';
import type { BrokerContext } from './types.js';
import { classicGroupCheck, type ClassicHandler } from './classicGroup.js';

export function heartbeat(ctx: BrokerContext): ClassicHandler<HeartbeatRequest, HeartbeatResponse> {
  return async (req, conn) => {
    const errorCode = classicGroupCheck(ctx, conn, req.groupId);
    if (errorCode !== 0) return { errorCode };
    return ctx.classicGroups.heartbeat(req);
  };
}
