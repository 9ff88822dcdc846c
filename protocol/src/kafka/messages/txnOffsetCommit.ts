// TxnOffsetCommit (API key 28).
// Generated from Kafka 4.4.0's TxnOffsetCommitRequest.json and TxnOffsetCommitResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, int16, int32, int64, string, uuid } from '../types.js';

const TxnOffsetCommitRequestPartition = struct('TxnOffsetCommitRequestPartition', {
  /** The index of the partition within the topic. */
  partitionIndex: field(int32, '0+'),
  /** The message offset to be committed. */
  committedOffset: field(int64, '0+'),
  /** The leader epoch of the last consumed record. */
  committedLeaderEpoch: field(int32, '2+', { default: -1, ignorable: true }),
  /** Any associated metadata the client wants to keep. */
  committedMetadata: field(string, '0+', { nullable: '0+' }),
});

const TxnOffsetCommitRequestTopic = struct('TxnOffsetCommitRequestTopic', {
  /** The topic name. */
  name: field(string, '0-5', { ignorable: true }),
  /** The topic ID. */
  topicId: field(uuid, '6+', { ignorable: true }),
  /** The partitions inside the topic that we want to commit offsets for. */
  partitions: field(array(TxnOffsetCommitRequestPartition), '0+'),
});

const TxnOffsetCommitResponsePartition = struct('TxnOffsetCommitResponsePartition', {
  /** The partition index. */
  partitionIndex: field(int32, '0+'),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
});

const TxnOffsetCommitResponseTopic = struct('TxnOffsetCommitResponseTopic', {
  /** The topic name. */
  name: field(string, '0-5', { ignorable: true }),
  /** The topic ID. */
  topicId: field(uuid, '6+', { ignorable: true }),
  /** The responses for each partition in the topic. */
  partitions: field(array(TxnOffsetCommitResponsePartition), '0+'),
});

export const TxnOffsetCommitRequest = message('TxnOffsetCommitRequest', { apiKey: 28, validVersions: '0-6', flexibleVersions: '3+' }, {
  /** The ID of the transaction. */
  transactionalId: field(string, '0+'),
  /** The ID of the group. */
  groupId: field(string, '0+'),
  /** The current producer ID in use by the transactional ID. */
  producerId: field(int64, '0+'),
  /** The current epoch associated with the producer ID. */
  producerEpoch: field(int16, '0+'),
  /** The generation of the group if using the classic group protocol or the member epoch if using the consumer protocol. */
  generationIdOrMemberEpoch: field(int32, '3+', { default: -1 }),
  /** The member ID assigned by the group coordinator. */
  memberId: field(string, '3+', { default: "" }),
  /** The unique identifier of the consumer instance provided by end user. */
  groupInstanceId: field(string, '3+', { nullable: '3+', default: null }),
  /** Each topic that we want to commit offsets for. */
  topics: field(array(TxnOffsetCommitRequestTopic), '0+'),
});
export type TxnOffsetCommitRequest = Infer<typeof TxnOffsetCommitRequest>;

export const TxnOffsetCommitResponse = message('TxnOffsetCommitResponse', { apiKey: 28, validVersions: '0-6', flexibleVersions: '3+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+'),
  /** The responses for each topic. */
  topics: field(array(TxnOffsetCommitResponseTopic), '0+'),
});
export type TxnOffsetCommitResponse = Infer<typeof TxnOffsetCommitResponse>;
