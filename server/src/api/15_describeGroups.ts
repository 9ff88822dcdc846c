// DescribeGroups (Kafka's classic API, Kafka door only): classic groups as Kafka 4's
// GroupMetadataManager.describeGroups shows them. Kafka describes no other kind of group here: a
// KIP-848 group is "Dead" with GROUP_ID_NOT_FOUND ("Group g is not a classic group."), which
// tells Kafka's admin client to use ConsumerGroupDescribe for it.
import { ErrorCode } from '@brook/protocol';
import type { ClassicGroupWireDescription } from '../groups/classic/index.js';
import type { BrokerContext, ServerHandler } from './types.js';
import { allowed } from './acl.js';
import { describeClassicForWire, groupType } from '../services/groups.js';

export interface DescribeGroupsRequest {
  groupIds: string[];
}

export interface DescribedClassicGroup extends ClassicGroupWireDescription {
  groupId: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface DescribeGroupsResponse {
  groups: DescribedClassicGroup[];
}

/** Kafka's answer for a group it does not describe: no state when refused, "Dead" when not found. */
const refused = (groupId: string, errorCode: number, errorMessage: string): DescribedClassicGroup => ({
  groupId,
  errorCode,
  errorMessage,
  state: errorCode === ErrorCode.GROUP_ID_NOT_FOUND ? 'Dead' : '',
  protocolType: '',
  protocolData: '',
  members: [],
});

export function describeGroups(ctx: BrokerContext): ServerHandler<DescribeGroupsRequest, DescribeGroupsResponse> {
  return async (req, conn) => ({
    groups: req.groupIds.map((groupId) => {
      if (!allowed(ctx, conn, 'group', groupId, 'use') && !allowed(ctx, conn, 'cluster', '', 'admin')) {
        return refused(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED, `not allowed to describe group ${groupId}`);
      }
      const described = describeClassicForWire(ctx, groupId);
      if (described) return { groupId, errorCode: 0, errorMessage: null, ...described };
      const message = groupType(ctx, groupId) === null ? `Group ${groupId} not found.` : `Group ${groupId} is not a classic group.`;
      return refused(groupId, ErrorCode.GROUP_ID_NOT_FOUND, message);
    }),
  });
}
