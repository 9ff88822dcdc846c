// ConsumerGroupDescribe: groups known to the coordinator, and offsets-only groups (shown empty).
import { ErrorCode, type DescribedGroup } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';

export function describeGroup(ctx: BrokerContext, groupId: string): DescribedGroup {
  const g = ctx.groups.describe(groupId);
  if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND && ctx.offsets.hasGroup(groupId)) {
    return { errorCode: 0, errorMessage: null, groupId, state: 'empty', groupEpoch: 0, assignmentEpoch: 0, assignor: 'uniform', members: [] };
  }
  return g;
}

export function consumerGroupDescribe(ctx: BrokerContext): Handler<'ConsumerGroupDescribe'> {
  return async (req) => ({ groups: req.groupIds.map((id) => describeGroup(ctx, id)) });
}
