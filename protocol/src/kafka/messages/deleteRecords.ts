// DeleteRecords (API key 21).
// Generated from Kafka 4.4.0's DeleteRecordsRequest.json and DeleteRecordsResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, int16, int32, int64, string } from '../types.js';

const DeleteRecordsPartition = struct('DeleteRecordsPartition', {
  /** The partition index. */
  partitionIndex: field(int32, '0+'),
  /** The deletion offset. -1 means that records should be truncated to the high watermark. */
  offset: field(int64, '0+'),
});

const DeleteRecordsTopic = struct('DeleteRecordsTopic', {
  /** The topic name. */
  name: field(string, '0+'),
  /** Each partition that we want to delete records from. */
  partitions: field(array(DeleteRecordsPartition), '0+'),
});

const DeleteRecordsPartitionResult = struct('DeleteRecordsPartitionResult', {
  /** The partition index. */
  partitionIndex: field(int32, '0+'),
  /** The partition low water mark. */
  lowWatermark: field(int64, '0+'),
  /** The deletion error code, or 0 if the deletion succeeded. */
  errorCode: field(int16, '0+'),
});

const DeleteRecordsTopicResult = struct('DeleteRecordsTopicResult', {
  /** The topic name. */
  name: field(string, '0+'),
  /** Each partition that we wanted to delete records from. */
  partitions: field(array(DeleteRecordsPartitionResult), '0+'),
});

export const DeleteRecordsRequest = message('DeleteRecordsRequest', { apiKey: 21, validVersions: '0-2', flexibleVersions: '2+' }, {
  /** Each topic that we want to delete records from. */
  topics: field(array(DeleteRecordsTopic), '0+'),
  /** How long to wait for the deletion to complete, in milliseconds. */
  timeoutMs: field(int32, '0+'),
});
export type DeleteRecordsRequest = Infer<typeof DeleteRecordsRequest>;

export const DeleteRecordsResponse = message('DeleteRecordsResponse', { apiKey: 21, validVersions: '0-2', flexibleVersions: '2+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+'),
  /** Each topic that we wanted to delete records from. */
  topics: field(array(DeleteRecordsTopicResult), '0+'),
});
export type DeleteRecordsResponse = Infer<typeof DeleteRecordsResponse>;
