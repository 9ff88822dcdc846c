// OffsetDelete: drop a group's offsets for topics it no longer reads (GROUP_SUBSCRIBED_TO_TOPIC otherwise); see services/groups.ts.
import { BrookError, ErrorCode, validateName } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';
import { allowed } from './acl.js';
import { deleteOffsets } from '../services/groups.js';

export function offsetDelete(ctx: BrokerContext): Handler<'OffsetDelete'> {
  return async (req, conn) => {
    const bad = validateName('group', req.groupId);
    if (bad) throw new BrookError(ErrorCode.INVALID_GROUP_ID, bad);
    if (!allowed(ctx, conn, 'cluster', '', 'admin')) {
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'deleting offsets needs cluster admin', topics: [] };
    }
    return deleteOffsets(ctx, req.groupId, req.topics);
  };
}

