// CreateTopics (API key 19).
// Generated from Kafka 4.4.0's CreateTopicsRequest.json and CreateTopicsResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bool, int16, int32, int8, string, uuid } from '../types.js';

const CreatableReplicaAssignment = struct('CreatableReplicaAssignment', {
  /** The partition index. */
  partitionIndex: field(int32, '0+'),
  /** The brokers to place the partition on. */
  brokerIds: field(array(int32), '0+'),
});

const CreatableTopicConfig = struct('CreatableTopicConfig', {
  /** The configuration name. */
  name: field(string, '0+'),
  /** The configuration value. */
  value: field(string, '0+', { nullable: '0+' }),
});

const CreatableTopic = struct('CreatableTopic', {
  /** The topic name. */
  name: field(string, '0+'),
  /** The number of partitions to create in the topic, or -1 if we are either specifying a manual partition assignment or using the default partitions. */
  numPartitions: field(int32, '0+'),
  /** The number of replicas to create for each partition in the topic, or -1 if we are either specifying a manual partition assignment or using the default replication factor. */
  replicationFactor: field(int16, '0+'),
  /** The manual partition assignment, or the empty array if we are using automatic assignment. */
  assignments: field(array(CreatableReplicaAssignment), '0+'),
  /** The custom topic configurations to set. */
  configs: field(array(CreatableTopicConfig), '0+'),
});

const CreatableTopicConfigs = struct('CreatableTopicConfigs', {
  /** The configuration name. */
  name: field(string, '5+'),
  /** The configuration value. */
  value: field(string, '5+', { nullable: '5+' }),
  /** True if the configuration is read-only. */
  readOnly: field(bool, '5+'),
  /** The configuration source. */
  configSource: field(int8, '5+', { default: -1, ignorable: true }),
  /** True if this configuration is sensitive. */
  isSensitive: field(bool, '5+'),
});

const CreatableTopicResult = struct('CreatableTopicResult', {
  /** The topic name. */
  name: field(string, '0+'),
  /** The unique topic ID. */
  topicId: field(uuid, '7+', { ignorable: true }),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The error message, or null if there was no error. */
  errorMessage: field(string, '1+', { nullable: '0+', ignorable: true }),
  /** Optional topic config error returned if configs are not returned in the response. */
  topicConfigErrorCode: field(int16, '5+', { tag: 0, tagged: '5+', ignorable: true }),
  /** Number of partitions of the topic. */
  numPartitions: field(int32, '5+', { default: -1, ignorable: true }),
  /** Replication factor of the topic. */
  replicationFactor: field(int16, '5+', { default: -1, ignorable: true }),
  /** Configuration of the topic. */
  configs: field(array(CreatableTopicConfigs), '5+', { nullable: '5+', ignorable: true }),
});

export const CreateTopicsRequest = message('CreateTopicsRequest', { apiKey: 19, validVersions: '2-7', flexibleVersions: '5+' }, {
  /** The topics to create. */
  topics: field(array(CreatableTopic), '0+'),
  /** How long to wait in milliseconds before timing out the request. */
  timeoutMs: field(int32, '0+', { default: 60000 }),
  /** If true, check that the topics can be created as specified, but don't create anything. */
  validateOnly: field(bool, '1+', { default: false }),
});
export type CreateTopicsRequest = Infer<typeof CreateTopicsRequest>;

export const CreateTopicsResponse = message('CreateTopicsResponse', { apiKey: 19, validVersions: '2-7', flexibleVersions: '5+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '2+', { ignorable: true }),
  /** Results for each topic we tried to create. */
  topics: field(array(CreatableTopicResult), '0+'),
});
export type CreateTopicsResponse = Infer<typeof CreateTopicsResponse>;
