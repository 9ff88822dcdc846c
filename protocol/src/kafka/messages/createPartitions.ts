// CreatePartitions (API key 37).
// Generated from Kafka 4.4.0's CreatePartitionsRequest.json and CreatePartitionsResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bool, int16, int32, string } from '../types.js';

const CreatePartitionsAssignment = struct('CreatePartitionsAssignment', {
  /** The assigned broker IDs. */
  brokerIds: field(array(int32), '0+'),
});

const CreatePartitionsTopic = struct('CreatePartitionsTopic', {
  /** The topic name. */
  name: field(string, '0+'),
  /** The new partition count. */
  count: field(int32, '0+'),
  /** The new partition assignments. */
  assignments: field(array(CreatePartitionsAssignment), '0+', { nullable: '0+' }),
});

const CreatePartitionsTopicResult = struct('CreatePartitionsTopicResult', {
  /** The topic name. */
  name: field(string, '0+'),
  /** The result error, or zero if there was no error. */
  errorCode: field(int16, '0+'),
  /** The result message, or null if there was no error. */
  errorMessage: field(string, '0+', { nullable: '0+', default: null }),
});

export const CreatePartitionsRequest = message('CreatePartitionsRequest', { apiKey: 37, validVersions: '0-3', flexibleVersions: '2+' }, {
  /** Each topic that we want to create new partitions inside. */
  topics: field(array(CreatePartitionsTopic), '0+'),
  /** The time in ms to wait for the partitions to be created. */
  timeoutMs: field(int32, '0+'),
  /** If true, then validate the request, but don't actually increase the number of partitions. */
  validateOnly: field(bool, '0+'),
});
export type CreatePartitionsRequest = Infer<typeof CreatePartitionsRequest>;

export const CreatePartitionsResponse = message('CreatePartitionsResponse', { apiKey: 37, validVersions: '0-3', flexibleVersions: '2+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+'),
  /** The partition creation results for each topic. */
  results: field(array(CreatePartitionsTopicResult), '0+'),
});
export type CreatePartitionsResponse = Infer<typeof CreatePartitionsResponse>;
