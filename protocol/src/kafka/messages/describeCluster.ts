// DescribeCluster (API key 60).
// Generated from Kafka 4.4.0's DescribeClusterRequest.json and DescribeClusterResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bool, int16, int32, int8, string } from '../types.js';

const DescribeClusterBroker = struct('DescribeClusterBroker', {
  /** The broker ID. */
  brokerId: field(int32, '0+'),
  /** The broker hostname. */
  host: field(string, '0+'),
  /** The broker port. */
  port: field(int32, '0+'),
  /** The rack of the broker, or null if it has not been assigned to a rack. */
  rack: field(string, '0+', { nullable: '0+', default: null }),
  /** Whether the broker is fenced */
  isFenced: field(bool, '2+'),
});

export const DescribeClusterRequest = message('DescribeClusterRequest', { apiKey: 60, validVersions: '0-2', flexibleVersions: '0+' }, {
  /** Whether to include cluster authorized operations. */
  includeClusterAuthorizedOperations: field(bool, '0+'),
  /** The endpoint type to describe. 1=brokers, 2=controllers. */
  endpointType: field(int8, '1+', { default: 1 }),
  /** Whether to include fenced brokers when listing brokers. */
  includeFencedBrokers: field(bool, '2+'),
});
export type DescribeClusterRequest = Infer<typeof DescribeClusterRequest>;

export const DescribeClusterResponse = message('DescribeClusterResponse', { apiKey: 60, validVersions: '0-2', flexibleVersions: '0+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+'),
  /** The top-level error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The top-level error message, or null if there was no error. */
  errorMessage: field(string, '0+', { nullable: '0+', default: null }),
  /** The endpoint type that was described. 1=brokers, 2=controllers. */
  endpointType: field(int8, '1+', { default: 1 }),
  /** The cluster ID that responding broker belongs to. */
  clusterId: field(string, '0+'),
  /** The ID of the controller. When handled by a controller, returns the current voter leader ID. When handled by a broker, returns a random alive broker ID as a fallback. */
  controllerId: field(int32, '0+', { default: -1 }),
  /** Each broker in the response. */
  brokers: field(array(DescribeClusterBroker), '0+'),
  /** 32-bit bitfield to represent authorized operations for this cluster. */
  clusterAuthorizedOperations: field(int32, '0+', { default: -2147483648 }),
});
export type DescribeClusterResponse = Infer<typeof DescribeClusterResponse>;
