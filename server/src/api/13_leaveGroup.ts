// LeaveGroup (classic protocol): members leave at once, by member id or (KIP-345) by instance id.
import type { LeaveGroupRequest, LeaveGroupResponse } from '../groups/classic/index.js';
import type { BrokerContext } from './types.js';
import { classicGroupCheck, type ClassicHandler } from './classicGroup.js';

export function leaveGroup(ctx: BrokerContext): ClassicHandler<LeaveGroupRequest, LeaveGroupResponse> {
  return async (req, conn) => {
    const errorCode = classicGroupCheck(ctx, conn, req.groupId);
    if (errorCode !== 0) return { errorCode, members: [] };
    return ctx.classicGroups.leaveGroup(req);
  };
}
