// OffsetFetch (API key 9).
// Generated from Kafka 4.4.0's OffsetFetchRequest.json and OffsetFetchResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bool, int16, int32, int64, string, uuid } from '../types.js';

const OffsetFetchRequestTopic = struct('OffsetFetchRequestTopic', {
  /** The topic name. */
  name: field(string, '0-7'),
  /** The partition indexes we would like to fetch offsets for. */
  partitionIndexes: field(array(int32), '0-7'),
});

const OffsetFetchRequestTopics = struct('OffsetFetchRequestTopics', {
  /** The topic name. */
  name: field(string, '8-9', { ignorable: true }),
  /** The topic ID. */
  topicId: field(uuid, '10+', { ignorable: true }),
  /** The partition indexes we would like to fetch offsets for. */
  partitionIndexes: field(array(int32), '8+'),
});

const OffsetFetchRequestGroup = struct('OffsetFetchRequestGroup', {
  /** The group ID. */
  groupId: field(string, '8+'),
  /** The member id. */
  memberId: field(string, '9+', { nullable: '9+', default: null, ignorable: true }),
  /** The member epoch if using the new consumer protocol (KIP-848). */
  memberEpoch: field(int32, '9+', { default: -1, ignorable: true }),
  /** Each topic we would like to fetch offsets for, or null to fetch offsets for all topics. */
  topics: field(array(OffsetFetchRequestTopics), '8+', { nullable: '8+' }),
});

const OffsetFetchResponsePartition = struct('OffsetFetchResponsePartition', {
  /** The partition index. */
  partitionIndex: field(int32, '0-7'),
  /** The committed message offset. */
  committedOffset: field(int64, '0-7'),
  /** The leader epoch. */
  committedLeaderEpoch: field(int32, '5-7', { default: -1, ignorable: true }),
  /** The partition metadata. */
  metadata: field(string, '0-7', { nullable: '0-7' }),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0-7'),
});

const OffsetFetchResponseTopic = struct('OffsetFetchResponseTopic', {
  /** The topic name. */
  name: field(string, '0-7'),
  /** The responses per partition. */
  partitions: field(array(OffsetFetchResponsePartition), '0-7'),
});

const OffsetFetchResponsePartitions = struct('OffsetFetchResponsePartitions', {
  /** The partition index. */
  partitionIndex: field(int32, '8+'),
  /** The committed message offset. */
  committedOffset: field(int64, '8+'),
  /** The leader epoch. */
  committedLeaderEpoch: field(int32, '8+', { default: -1, ignorable: true }),
  /** The partition metadata. */
  metadata: field(string, '8+', { nullable: '8+' }),
  /** The partition-level error code, or 0 if there was no error. */
  errorCode: field(int16, '8+'),
});

const OffsetFetchResponseTopics = struct('OffsetFetchResponseTopics', {
  /** The topic name. */
  name: field(string, '8-9', { ignorable: true }),
  /** The topic ID. */
  topicId: field(uuid, '10+', { ignorable: true }),
  /** The responses per partition. */
  partitions: field(array(OffsetFetchResponsePartitions), '8+'),
});

const OffsetFetchResponseGroup = struct('OffsetFetchResponseGroup', {
  /** The group ID. */
  groupId: field(string, '8+'),
  /** The responses per topic. */
  topics: field(array(OffsetFetchResponseTopics), '8+'),
  /** The group-level error code, or 0 if there was no error. */
  errorCode: field(int16, '8+', { default: 0 }),
});

export const OffsetFetchRequest = message('OffsetFetchRequest', { apiKey: 9, validVersions: '1-10', flexibleVersions: '6+' }, {
  /** The group to fetch offsets for. */
  groupId: field(string, '0-7'),
  /** Each topic we would like to fetch offsets for, or null to fetch offsets for all topics. */
  topics: field(array(OffsetFetchRequestTopic), '0-7', { nullable: '2-7' }),
  /** Each group we would like to fetch offsets for. */
  groups: field(array(OffsetFetchRequestGroup), '8+'),
  /** Whether broker should hold on returning unstable offsets but set a retriable error code for the partitions. */
  requireStable: field(bool, '7+', { default: false }),
});
export type OffsetFetchRequest = Infer<typeof OffsetFetchRequest>;

export const OffsetFetchResponse = message('OffsetFetchResponse', { apiKey: 9, validVersions: '1-10', flexibleVersions: '6+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '3+', { ignorable: true }),
  /** The responses per topic. */
  topics: field(array(OffsetFetchResponseTopic), '0-7'),
  /** The top-level error code, or 0 if there was no error. */
  errorCode: field(int16, '2-7', { default: 0, ignorable: true }),
  /** The responses per group id. */
  groups: field(array(OffsetFetchResponseGroup), '8+'),
});
export type OffsetFetchResponse = Infer<typeof OffsetFetchResponse>;
