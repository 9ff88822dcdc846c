// OffsetDelete (API key 47).
// Generated from Kafka 4.4.0's OffsetDeleteRequest.json and OffsetDeleteResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, int16, int32, string } from '../types.js';

const OffsetDeleteRequestPartition = struct('OffsetDeleteRequestPartition', {
  /** The partition index. */
  partitionIndex: field(int32, '0+'),
});

const OffsetDeleteRequestTopic = struct('OffsetDeleteRequestTopic', {
  /** The topic name. */
  name: field(string, '0+'),
  /** Each partition to delete offsets for. */
  partitions: field(array(OffsetDeleteRequestPartition), '0+'),
});

const OffsetDeleteResponsePartition = struct('OffsetDeleteResponsePartition', {
  /** The partition index. */
  partitionIndex: field(int32, '0+'),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
});

const OffsetDeleteResponseTopic = struct('OffsetDeleteResponseTopic', {
  /** The topic name. */
  name: field(string, '0+'),
  /** The responses for each partition in the topic. */
  partitions: field(array(OffsetDeleteResponsePartition), '0+'),
});

export const OffsetDeleteRequest = message('OffsetDeleteRequest', { apiKey: 47, validVersions: '0', flexibleVersions: 'none' }, {
  /** The unique group identifier. */
  groupId: field(string, '0+'),
  /** The topics to delete offsets for. */
  topics: field(array(OffsetDeleteRequestTopic), '0+'),
});
export type OffsetDeleteRequest = Infer<typeof OffsetDeleteRequest>;

export const OffsetDeleteResponse = message('OffsetDeleteResponse', { apiKey: 47, validVersions: '0', flexibleVersions: 'none' }, {
  /** The top-level error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+', { ignorable: true }),
  /** The responses for each topic. */
  topics: field(array(OffsetDeleteResponseTopic), '0+'),
});
export type OffsetDeleteResponse = Infer<typeof OffsetDeleteResponse>;
