// JoinGroup (classic protocol): the answer is delayed until the group's join phase completes.
import type { JoinGroupRequest, JoinGroupResponse } from '../groups/classic/index.js';
import type { BrokerContext } from './types.js';
import { classicGroupCheck, type ClassicHandler } from './classicGroup.js';

export function joinGroup(ctx: BrokerContext): ClassicHandler<JoinGroupRequest, JoinGroupResponse> {
  return async (req, conn) => {
    const errorCode = classicGroupCheck(ctx, conn, req.groupId);
    if (errorCode !== 0) return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId: req.memberId, members: [] };
    return ctx.classicGroups.joinGroup(req, { clientId: conn.clientId, clientHost: conn.clientHost });
  };
}
