// ConsumerGroupDescribe: groups known to the coordinator, and offsets-only groups (shown empty).
import { ErrorCode } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';
import { allowed } from './acl.js';
import { describeGroup } from '../services/groups.js';

export function consumerGroupDescribe(ctx: BrokerContext): Handler<'ConsumerGroupDescribe'> {
  return async (req, conn) => ({
    groups: req.groupIds.map((id) =>
      allowed(ctx, conn, 'group', id, 'use') || allowed(ctx, conn, 'cluster', '', 'admin')
        ? describeGroup(ctx, id)
        : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: `not allowed to describe group ${id}`, groupId: id, state: 'dead', groupEpoch: -1, assignmentEpoch: -1, assignor: '', members: [] },
    ),
  });
}
