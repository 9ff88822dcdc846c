// FindCoordinator (API key 10).
// Generated from Kafka 4.4.0's FindCoordinatorRequest.json and FindCoordinatorResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, int16, int32, int8, string } from '../types.js';

const Coordinator = struct('Coordinator', {
  /** The coordinator key. */
  key: field(string, '4+'),
  /** The node id. */
  nodeId: field(int32, '4+'),
  /** The host name. */
  host: field(string, '4+'),
  /** The port. */
  port: field(int32, '4+'),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '4+'),
  /** The error message, or null if there was no error. */
  errorMessage: field(string, '4+', { nullable: '4+', ignorable: true }),
});

export const FindCoordinatorRequest = message('FindCoordinatorRequest', { apiKey: 10, validVersions: '0-6', flexibleVersions: '3+' }, {
  /** The coordinator key. */
  key: field(string, '0-3'),
  /** The coordinator key type. (group, transaction, share). */
  keyType: field(int8, '1+', { default: 0 }),
  /** The coordinator keys. */
  coordinatorKeys: field(array(string), '4+'),
});
export type FindCoordinatorRequest = Infer<typeof FindCoordinatorRequest>;

export const FindCoordinatorResponse = message('FindCoordinatorResponse', { apiKey: 10, validVersions: '0-6', flexibleVersions: '3+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '1+', { ignorable: true }),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0-3'),
  /** The error message, or null if there was no error. */
  errorMessage: field(string, '1-3', { nullable: '1-3', ignorable: true }),
  /** The node id. */
  nodeId: field(int32, '0-3'),
  /** The host name. */
  host: field(string, '0-3'),
  /** The port. */
  port: field(int32, '0-3'),
  /** Each coordinator result in the response. */
  coordinators: field(array(Coordinator), '4+'),
});
export type FindCoordinatorResponse = Infer<typeof FindCoordinatorResponse>;
