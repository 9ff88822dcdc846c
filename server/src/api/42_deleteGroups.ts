// DeleteGroups: only groups without members; writes tombstones for offsets and group metadata.
import { ErrorCode } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';
import { allowed } from './acl.js';
import { deleteGroup } from '../services/groups.js';

export function deleteGroups(ctx: BrokerContext): Handler<'DeleteGroups'> {
  return async (req, conn) => ({
    results: await Promise.all(
      req.groupIds.map(async (groupId) =>
        allowed(ctx, conn, 'cluster', '', 'admin')
          ? { groupId, ...(await deleteGroup(ctx, groupId)) }
          : { groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'deleting groups needs cluster admin' },
      ),
    ),
  });
}
