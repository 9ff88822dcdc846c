// ConsumerGroupDescribe (API key 69): members, epochs and assignments of groups.
import { array, int16, int32, nullableString, string, struct, type Infer } from '../schema.js';
import { TopicPartitions } from './consumerGroupHeartbeat.js';

const DescribedMember = struct('DescribedMember', {
  memberId: string,
  instanceId: nullableString,
  clientId: string,
  clientHost: string,
  memberEpoch: int32,
  state: [string, 'stable, unrevoked_partitions, unreleased_partitions'],
  subscribedTopicNames: array(string),
  subscribedTopicRegex: nullableString,
  assignment: [array(TopicPartitions), 'What the member owns now.'],
  targetAssignment: [array(TopicPartitions), 'What the assignor wants it to own.'],
});

const DescribedGroup = struct('DescribedGroup', {
  errorCode: int16,
  errorMessage: nullableString,
  groupId: string,
  state: [string, 'empty, assigning, reconciling, stable, dead'],
  groupEpoch: int32,
  assignmentEpoch: int32,
  assignor: string,
  members: array(DescribedMember),
});

export const DescribeGroupsRequest = struct('DescribeGroupsRequest', { groupIds: array(string) });
export const DescribeGroupsResponse = struct('DescribeGroupsResponse', { groups: array(DescribedGroup) });

export type DescribeGroupsRequest = Infer<typeof DescribeGroupsRequest>;
export type DescribeGroupsResponse = Infer<typeof DescribeGroupsResponse>;
export type DescribedGroup = Infer<typeof DescribedGroup>;
export type DescribedMember = Infer<typeof DescribedMember>;
