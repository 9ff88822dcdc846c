// OffsetCommit (API key 8).
// Generated from Kafka 4.4.0's OffsetCommitRequest.json and OffsetCommitResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, int16, int32, int64, string, uuid } from '../types.js';

const OffsetCommitRequestPartition = struct('OffsetCommitRequestPartition', {
  /** The partition index. */
  partitionIndex: field(int32, '0+'),
  /** The message offset to be committed. */
  committedOffset: field(int64, '0+'),
  /** The leader epoch of this partition. */
  committedLeaderEpoch: field(int32, '6+', { default: -1, ignorable: true }),
  /** Any associated metadata the client wants to keep. */
  committedMetadata: field(string, '0+', { nullable: '0+' }),
});

const OffsetCommitRequestTopic = struct('OffsetCommitRequestTopic', {
  /** The topic name. */
  name: field(string, '0-9', { ignorable: true }),
  /** The topic ID. */
  topicId: field(uuid, '10+', { ignorable: true }),
  /** Each partition to commit offsets for. */
  partitions: field(array(OffsetCommitRequestPartition), '0+'),
});

const OffsetCommitResponsePartition = struct('OffsetCommitResponsePartition', {
  /** The partition index. */
  partitionIndex: field(int32, '0+'),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
});

const OffsetCommitResponseTopic = struct('OffsetCommitResponseTopic', {
  /** The topic name. */
  name: field(string, '0-9', { ignorable: true }),
  /** The topic ID. */
  topicId: field(uuid, '10+', { ignorable: true }),
  /** The responses for each partition in the topic. */
  partitions: field(array(OffsetCommitResponsePartition), '0+'),
});

export const OffsetCommitRequest = message('OffsetCommitRequest', { apiKey: 8, validVersions: '2-10', flexibleVersions: '8+' }, {
  /** The unique group identifier. */
  groupId: field(string, '0+'),
  /** The generation of the group if using the classic group protocol or the member epoch if using the consumer protocol. */
  generationIdOrMemberEpoch: field(int32, '1+', { default: -1, ignorable: true }),
  /** The member ID assigned by the group coordinator. */
  memberId: field(string, '1+', { ignorable: true }),
  /** The unique identifier of the consumer instance provided by end user. */
  groupInstanceId: field(string, '7+', { nullable: '7+', default: null }),
  /** The time period in ms to retain the offset. */
  retentionTimeMs: field(int64, '2-4', { default: -1, ignorable: true }),
  /** The topics to commit offsets for. */
  topics: field(array(OffsetCommitRequestTopic), '0+'),
});
export type OffsetCommitRequest = Infer<typeof OffsetCommitRequest>;

export const OffsetCommitResponse = message('OffsetCommitResponse', { apiKey: 8, validVersions: '2-10', flexibleVersions: '8+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '3+', { ignorable: true }),
  /** The responses for each topic. */
  topics: field(array(OffsetCommitResponseTopic), '0+'),
});
export type OffsetCommitResponse = Infer<typeof OffsetCommitResponse>;
