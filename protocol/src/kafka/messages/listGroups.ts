// ListGroups (API key 16).
// Generated from Kafka 4.4.0's ListGroupsRequest.json and ListGroupsResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, int16, int32, string } from '../types.js';

const ListedGroup = struct('ListedGroup', {
  /** The group ID. */
  groupId: field(string, '0+'),
  /** The group protocol type. */
  protocolType: field(string, '0+'),
  /** The group state name. */
  groupState: field(string, '4+', { ignorable: true }),
  /** The group type name. */
  groupType: field(string, '5+', { ignorable: true }),
});

export const ListGroupsRequest = message('ListGroupsRequest', { apiKey: 16, validVersions: '0-5', flexibleVersions: '3+' }, {
  /** The states of the groups we want to list. If empty, all groups are returned with their state. */
  statesFilter: field(array(string), '4+'),
  /** The types of the groups we want to list. If empty, all groups are returned with their type. */
  typesFilter: field(array(string), '5+'),
});
export type ListGroupsRequest = Infer<typeof ListGroupsRequest>;

export const ListGroupsResponse = message('ListGroupsResponse', { apiKey: 16, validVersions: '0-5', flexibleVersions: '3+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '1+', { ignorable: true }),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** Each group in the response. */
  groups: field(array(ListedGroup), '0+'),
});
export type ListGroupsResponse = Infer<typeof ListGroupsResponse>;
