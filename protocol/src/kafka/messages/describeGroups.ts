// DescribeGroups (API key 15).
// Generated from Kafka 4.4.0's DescribeGroupsRequest.json and DescribeGroupsResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bool, bytes, int16, int32, string } from '../types.js';

const DescribedGroupMember = struct('DescribedGroupMember', {
  /** The member id. */
  memberId: field(string, '0+'),
  /** The unique identifier of the consumer instance provided by end user. */
  groupInstanceId: field(string, '4+', { nullable: '4+', default: null, ignorable: true }),
  /** The client ID used in the member's latest join group request. */
  clientId: field(string, '0+'),
  /** The client host. */
  clientHost: field(string, '0+'),
  /** The metadata corresponding to the current group protocol in use. */
  memberMetadata: field(bytes, '0+'),
  /** The current assignment provided by the group leader. */
  memberAssignment: field(bytes, '0+'),
});

const DescribedGroup = struct('DescribedGroup', {
  /** The describe error, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The describe error message, or null if there was no error. */
  errorMessage: field(string, '6+', { nullable: '6+', default: null }),
  /** The group ID string. */
  groupId: field(string, '0+'),
  /** The group state string, or the empty string. */
  groupState: field(string, '0+'),
  /** The group protocol type, or the empty string. */
  protocolType: field(string, '0+'),
  /** The group protocol data, or the empty string. */
  protocolData: field(string, '0+'),
  /** The group members. */
  members: field(array(DescribedGroupMember), '0+'),
  /** 32-bit bitfield to represent authorized operations for this group. */
  authorizedOperations: field(int32, '3+', { default: -2147483648 }),
});

export const DescribeGroupsRequest = message('DescribeGroupsRequest', { apiKey: 15, validVersions: '0-6', flexibleVersions: '5+' }, {
  /** The names of the groups to describe. */
  groups: field(array(string), '0+'),
  /** Whether to include authorized operations. */
  includeAuthorizedOperations: field(bool, '3+'),
});
export type DescribeGroupsRequest = Infer<typeof DescribeGroupsRequest>;

export const DescribeGroupsResponse = message('DescribeGroupsResponse', { apiKey: 15, validVersions: '0-6', flexibleVersions: '5+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '1+', { ignorable: true }),
  /** Each described group. */
  groups: field(array(DescribedGroup), '0+'),
});
export type DescribeGroupsResponse = Infer<typeof DescribeGroupsResponse>;
