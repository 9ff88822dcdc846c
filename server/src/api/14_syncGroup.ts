// SyncGroup (classic protocol): the leader's assignment reaches every member; followers wait for it.
import { EMPTY_ASSIGNMENT, type SyncGroupRequest, type SyncGroupResponse } from '../groups/classic/index.js';
import type { BrokerContext } from './types.js';
import { classicGroupCheck, type ClassicHandler } from './classicGroup.js';

export function syncGroup(ctx: BrokerContext): ClassicHandler<SyncGroupRequest, SyncGroupResponse> {
  return async (req, conn) => {
    const errorCode = classicGroupCheck(ctx, conn, req.groupId);
    if (errorCode !== 0) return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT };
    return ctx.classicGroups.syncGroup(req);
  };
}
