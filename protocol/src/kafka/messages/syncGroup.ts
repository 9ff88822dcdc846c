// SyncGroup (API key 14).
// Generated from Kafka 4.4.0's SyncGroupRequest.json and SyncGroupResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bytes, int16, int32, string } from '../types.js';

const SyncGroupRequestAssignment = struct('SyncGroupRequestAssignment', {
  /** The ID of the member to assign. */
  memberId: field(string, '0+'),
  /** The member assignment. */
  assignment: field(bytes, '0+'),
});

export const SyncGroupRequest = message('SyncGroupRequest', { apiKey: 14, validVersions: '0-5', flexibleVersions: '4+' }, {
  /** The unique group identifier. */
  groupId: field(string, '0+'),
  /** The generation of the group. */
  generationId: field(int32, '0+'),
  /** The member ID assigned by the group. */
  memberId: field(string, '0+'),
  /** The unique identifier of the consumer instance provided by end user. */
  groupInstanceId: field(string, '3+', { nullable: '3+', default: null }),
  /** The group protocol type. */
  protocolType: field(string, '5+', { nullable: '5+', default: null, ignorable: true }),
  /** The group protocol name. */
  protocolName: field(string, '5+', { nullable: '5+', default: null, ignorable: true }),
  /** Each assignment. */
  assignments: field(array(SyncGroupRequestAssignment), '0+'),
});
export type SyncGroupRequest = Infer<typeof SyncGroupRequest>;

export const SyncGroupResponse = message('SyncGroupResponse', { apiKey: 14, validVersions: '0-5', flexibleVersions: '4+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '1+', { ignorable: true }),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The group protocol type. */
  protocolType: field(string, '5+', { nullable: '5+', default: null, ignorable: true }),
  /** The group protocol name. */
  protocolName: field(string, '5+', { nullable: '5+', default: null, ignorable: true }),
  /** The member assignment. */
  assignment: field(bytes, '0+'),
});
export type SyncGroupResponse = Infer<typeof SyncGroupResponse>;
