// DeleteGroups: only groups without members; writes tombstones for offsets and group metadata.
import { ErrorCode } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';
import { allowed } from './acl.js';

export async function deleteGroup(ctx: BrokerContext, groupId: string): Promise<{ errorCode: number; errorMessage: string | null }> {
  if (ctx.groups.hasMembers(groupId)) {
    return { errorCode: ErrorCode.NON_EMPTY_GROUP, errorMessage: `group ${groupId} still has members` };
  }
  const known = ctx.groups.list().some((g) => g.groupId === groupId) || ctx.offsets.hasGroup(groupId);
  if (!known) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `group ${groupId} does not exist` };
  ctx.groups.deleteGroup(groupId);
  await ctx.offsets.deleteGroup(groupId);
  ctx.logger.info({ groupId }, 'group deleted');
  return { errorCode: 0, errorMessage: null };
}

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
