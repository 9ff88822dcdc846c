// JoinGroup (API key 11).
// Generated from Kafka 4.4.0's JoinGroupRequest.json and JoinGroupResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bool, bytes, int16, int32, string } from '../types.js';

const JoinGroupRequestProtocol = struct('JoinGroupRequestProtocol', {
  /** The protocol name. */
  name: field(string, '0+'),
  /** The protocol metadata. */
  metadata: field(bytes, '0+'),
});

const JoinGroupResponseMember = struct('JoinGroupResponseMember', {
  /** The group member ID. */
  memberId: field(string, '0+'),
  /** The unique identifier of the consumer instance provided by end user. */
  groupInstanceId: field(string, '5+', { nullable: '5+', default: null, ignorable: true }),
  /** The group member metadata. */
  metadata: field(bytes, '0+'),
});

export const JoinGroupRequest = message('JoinGroupRequest', { apiKey: 11, validVersions: '0-9', flexibleVersions: '6+' }, {
  /** The group identifier. */
  groupId: field(string, '0+'),
  /** The coordinator considers the consumer dead if it receives no heartbeat after this timeout in milliseconds. */
  sessionTimeoutMs: field(int32, '0+'),
  /** The maximum time in milliseconds that the coordinator will wait for each member to rejoin when rebalancing the group. */
  rebalanceTimeoutMs: field(int32, '1+', { default: -1, ignorable: true }),
  /** The member id assigned by the group coordinator. */
  memberId: field(string, '0+'),
  /** The unique identifier of the consumer instance provided by end user. */
  groupInstanceId: field(string, '5+', { nullable: '5+', default: null }),
  /** The unique name the for class of protocols implemented by the group we want to join. */
  protocolType: field(string, '0+'),
  /** The list of protocols that the member supports. */
  protocols: field(array(JoinGroupRequestProtocol), '0+'),
  /** The reason why the member (re-)joins the group. */
  reason: field(string, '8+', { nullable: '8+', default: null, ignorable: true }),
});
export type JoinGroupRequest = Infer<typeof JoinGroupRequest>;

export const JoinGroupResponse = message('JoinGroupResponse', { apiKey: 11, validVersions: '0-9', flexibleVersions: '6+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '2+', { ignorable: true }),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The generation ID of the group. */
  generationId: field(int32, '0+', { default: -1 }),
  /** The group protocol name. */
  protocolType: field(string, '7+', { nullable: '7+', default: null, ignorable: true }),
  /** The group protocol selected by the coordinator. */
  protocolName: field(string, '0+', { nullable: '7+' }),
  /** The leader of the group. */
  leader: field(string, '0+'),
  /** True if the leader must skip running the assignment. */
  skipAssignment: field(bool, '9+', { default: false }),
  /** The member ID assigned by the group coordinator. */
  memberId: field(string, '0+'),
  /** The group members. */
  members: field(array(JoinGroupResponseMember), '0+'),
});
export type JoinGroupResponse = Infer<typeof JoinGroupResponse>;
