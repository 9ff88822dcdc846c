// Heartbeat (API key 12).
// Generated from Kafka 4.4.0's HeartbeatRequest.json and HeartbeatResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, type Infer } from '../schema.js';
import { int16, int32, string } from '../types.js';

export const HeartbeatRequest = message('HeartbeatRequest', { apiKey: 12, validVersions: '0-4', flexibleVersions: '4+' }, {
  /** The group id. */
  groupId: field(string, '0+'),
  /** The generation of the group. */
  generationId: field(int32, '0+'),
  /** The member ID. */
  memberId: field(string, '0+'),
  /** The unique identifier of the consumer instance provided by end user. */
  groupInstanceId: field(string, '3+', { nullable: '3+', default: null }),
});
export type HeartbeatRequest = Infer<typeof HeartbeatRequest>;

export const HeartbeatResponse = message('HeartbeatResponse', { apiKey: 12, validVersions: '0-4', flexibleVersions: '4+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '1+', { ignorable: true }),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
});
export type HeartbeatResponse = Infer<typeof HeartbeatResponse>;
