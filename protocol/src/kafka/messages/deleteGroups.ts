// DeleteGroups (API key 42).
// Generated from Kafka 4.4.0's DeleteGroupsRequest.json and DeleteGroupsResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, int16, int32, string } from '../types.js';

const DeletableGroupResult = struct('DeletableGroupResult', {
  /** The group id. */
  groupId: field(string, '0+'),
  /** The deletion error, or 0 if the deletion succeeded. */
  errorCode: field(int16, '0+'),
  /** The error message, or null if there was no error. */
  errorMessage: field(string, '3+', { nullable: '3+', default: null, ignorable: true }),
});

export const DeleteGroupsRequest = message('DeleteGroupsRequest', { apiKey: 42, validVersions: '0-3', flexibleVersions: '2+' }, {
  /** The group names to delete. */
  groupsNames: field(array(string), '0+'),
});
export type DeleteGroupsRequest = Infer<typeof DeleteGroupsRequest>;

export const DeleteGroupsResponse = message('DeleteGroupsResponse', { apiKey: 42, validVersions: '0-3', flexibleVersions: '2+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+'),
  /** The deletion results. */
  results: field(array(DeletableGroupResult), '0+'),
});
export type DeleteGroupsResponse = Infer<typeof DeleteGroupsResponse>;
