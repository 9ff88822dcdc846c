// ConsumerGroupDescribe: groups known to the coordinator, and offsets-only groups (shown empty).
import { ErrorCode, type DescribedGroup } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';
import { allowed } from './acl.js';

export function describeGroup(ctx: BrokerContext, groupId: string): DescribedGroup {
  const g = ctx.groups.describe(groupId);
  if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND && ctx.offsets.hasGroup(groupId)) {
    return { errorCode: 0, errorMessage: null, groupId, state: 'empty', groupEpoch: 0, assignmentEpoch: 0, assignor: 'uniform', members: [] };
  }
  return g;
}

export function consumerGroupDescribe(ctx: BrokerContext): Handler<'ConsumerGroupDescribe'> {
  return async (req, conn) => ({
    groups: req.groupIds.map((id) =>
      allowed(ctx, conn, 'group', id, 'use') || allowed(ctx, conn, 'cluster', '', 'admin')
        ? describeGroup(ctx, id)
        : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: `not allowed to describe group ${id}`, groupId: id, state: 'dead', groupEpoch: -1, assignmentEpoch: -1, assignor: '', members: [] },
    ),
  });
}
