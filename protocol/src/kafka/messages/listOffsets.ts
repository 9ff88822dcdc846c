// ListOffsets (API key 2).
// Generated from Kafka 4.4.0's ListOffsetsRequest.json and ListOffsetsResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, int16, int32, int64, int8, string } from '../types.js';

const ListOffsetsPartition = struct('ListOffsetsPartition', {
  /** The partition index. */
  partitionIndex: field(int32, '0+'),
  /** The current leader epoch. */
  currentLeaderEpoch: field(int32, '4+', { default: -1, ignorable: true }),
  /** The current timestamp. */
  timestamp: field(int64, '0+'),
});

const ListOffsetsTopic = struct('ListOffsetsTopic', {
  /** The topic name. */
  name: field(string, '0+'),
  /** Each partition in the request. */
  partitions: field(array(ListOffsetsPartition), '0+'),
});

const ListOffsetsPartitionResponse = struct('ListOffsetsPartitionResponse', {
  /** The partition index. */
  partitionIndex: field(int32, '0+'),
  /** The partition error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The timestamp associated with the returned offset. */
  timestamp: field(int64, '1+', { default: -1 }),
  /** The returned offset. */
  offset: field(int64, '1+', { default: -1 }),
  /** The leader epoch associated with the returned offset. */
  leaderEpoch: field(int32, '4+', { default: -1 }),
});

const ListOffsetsTopicResponse = struct('ListOffsetsTopicResponse', {
  /** The topic name. */
  name: field(string, '0+'),
  /** Each partition in the response. */
  partitions: field(array(ListOffsetsPartitionResponse), '0+'),
});

export const ListOffsetsRequest = message('ListOffsetsRequest', { apiKey: 2, validVersions: '1-11', flexibleVersions: '6+' }, {
  /** The broker ID of the requester, or -1 if this request is being made by a normal consumer. */
  replicaId: field(int32, '0+'),
  /** This setting controls the visibility of transactional records. Using READ_UNCOMMITTED (isolation_level = 0) makes all records visible. With READ_COMMITTED (isolation_level = 1), non-transactional and COMMITTED transactional records are visible. To be more concrete, READ_COMMITTED returns all data from offsets smaller than the current LSO (last stable offset), and enables the inclusion of the list of aborted transactions in the result, which allows consumers to discard ABORTED transactional records. */
  isolationLevel: field(int8, '2+'),
  /** Each topic in the request. */
  topics: field(array(ListOffsetsTopic), '0+'),
  /** The timeout to await a response in milliseconds for requests that require reading from remote storage for topics enabled with tiered storage. */
  timeoutMs: field(int32, '10+', { ignorable: true }),
});
export type ListOffsetsRequest = Infer<typeof ListOffsetsRequest>;

export const ListOffsetsResponse = message('ListOffsetsResponse', { apiKey: 2, validVersions: '1-11', flexibleVersions: '6+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '2+', { ignorable: true }),
  /** Each topic in the response. */
  topics: field(array(ListOffsetsTopicResponse), '0+'),
});
export type ListOffsetsResponse = Infer<typeof ListOffsetsResponse>;
