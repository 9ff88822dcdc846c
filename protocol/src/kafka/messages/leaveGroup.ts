// LeaveGroup (API key 13).
// Generated from Kafka 4.4.0's LeaveGroupRequest.json and LeaveGroupResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, int16, int32, string } from '../types.js';

const MemberIdentity = struct('MemberIdentity', {
  /** The member ID to remove from the group. */
  memberId: field(string, '3+'),
  /** The group instance ID to remove from the group. */
  groupInstanceId: field(string, '3+', { nullable: '3+', default: null }),
  /** The reason why the member left the group. */
  reason: field(string, '5+', { nullable: '5+', default: null, ignorable: true }),
});

const MemberResponse = struct('MemberResponse', {
  /** The member ID to remove from the group. */
  memberId: field(string, '3+'),
  /** The group instance ID to remove from the group. */
  groupInstanceId: field(string, '3+', { nullable: '3+' }),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '3+'),
});

export const LeaveGroupRequest = message('LeaveGroupRequest', { apiKey: 13, validVersions: '0-5', flexibleVersions: '4+' }, {
  /** The ID of the group to leave. */
  groupId: field(string, '0+'),
  /** The member ID to remove from the group. */
  memberId: field(string, '0-2'),
  /** List of leaving member identities. */
  members: field(array(MemberIdentity), '3+'),
});
export type LeaveGroupRequest = Infer<typeof LeaveGroupRequest>;

export const LeaveGroupResponse = message('LeaveGroupResponse', { apiKey: 13, validVersions: '0-5', flexibleVersions: '4+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '1+', { ignorable: true }),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** List of leaving member responses. */
  members: field(array(MemberResponse), '3+'),
});
export type LeaveGroupResponse = Infer<typeof LeaveGroupResponse>;
