// Metadata (API key 3).
// Generated from Kafka 4.4.0's MetadataRequest.json and MetadataResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bool, int16, int32, string, uuid } from '../types.js';

const MetadataRequestTopic = struct('MetadataRequestTopic', {
  /** The topic id. */
  topicId: field(uuid, '10+', { ignorable: true }),
  /** The topic name. */
  name: field(string, '0+', { nullable: '10+' }),
});

const MetadataResponseBroker = struct('MetadataResponseBroker', {
  /** The broker ID. */
  nodeId: field(int32, '0+'),
  /** The broker hostname. */
  host: field(string, '0+'),
  /** The broker port. */
  port: field(int32, '0+'),
  /** The rack of the broker, or null if it has not been assigned to a rack. */
  rack: field(string, '1+', { nullable: '1+', default: null, ignorable: true }),
});

const MetadataResponsePartition = struct('MetadataResponsePartition', {
  /** The partition error, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The partition index. */
  partitionIndex: field(int32, '0+'),
  /** The ID of the leader broker. */
  leaderId: field(int32, '0+'),
  /** The leader epoch of this partition. */
  leaderEpoch: field(int32, '7+', { default: -1, ignorable: true }),
  /** The set of all nodes that host this partition. */
  replicaNodes: field(array(int32), '0+'),
  /** The set of nodes that are in sync with the leader for this partition. */
  isrNodes: field(array(int32), '0+'),
  /** The set of offline replicas of this partition. */
  offlineReplicas: field(array(int32), '5+', { ignorable: true }),
});

const MetadataResponseTopic = struct('MetadataResponseTopic', {
  /** The topic error, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The topic name. Null for non-existing topics queried by ID. This is never null when ErrorCode is zero. One of Name and TopicId is always populated. */
  name: field(string, '0+', { nullable: '12+' }),
  /** The topic id. Zero for non-existing topics queried by name. This is never zero when ErrorCode is zero. One of Name and TopicId is always populated. */
  topicId: field(uuid, '10+', { ignorable: true }),
  /** True if the topic is internal. */
  isInternal: field(bool, '1+', { default: false, ignorable: true }),
  /** Each partition in the topic. */
  partitions: field(array(MetadataResponsePartition), '0+'),
  /** 32-bit bitfield to represent authorized operations for this topic. */
  topicAuthorizedOperations: field(int32, '8+', { default: -2147483648 }),
});

export const MetadataRequest = message('MetadataRequest', { apiKey: 3, validVersions: '0-13', flexibleVersions: '9+' }, {
  /** The topics to fetch metadata for. */
  topics: field(array(MetadataRequestTopic), '0+', { nullable: '1+' }),
  /** If this is true, the broker may auto-create topics that we requested which do not already exist, if it is configured to do so. */
  allowAutoTopicCreation: field(bool, '4+', { default: true }),
  /** Whether to include cluster authorized operations. */
  includeClusterAuthorizedOperations: field(bool, '8-10'),
  /** Whether to include topic authorized operations. */
  includeTopicAuthorizedOperations: field(bool, '8+'),
});
export type MetadataRequest = Infer<typeof MetadataRequest>;

export const MetadataResponse = message('MetadataResponse', { apiKey: 3, validVersions: '0-13', flexibleVersions: '9+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '3+', { ignorable: true }),
  /** A list of brokers present in the cluster. */
  brokers: field(array(MetadataResponseBroker), '0+'),
  /** The cluster ID that responding broker belongs to. */
  clusterId: field(string, '2+', { nullable: '2+', default: null, ignorable: true }),
  /** The ID of the controller broker. */
  controllerId: field(int32, '1+', { default: -1, ignorable: true }),
  /** Each topic in the response. */
  topics: field(array(MetadataResponseTopic), '0+'),
  /** 32-bit bitfield to represent authorized operations for this cluster. */
  clusterAuthorizedOperations: field(int32, '8-10', { default: -2147483648 }),
  /** The top-level error code, or 0 if there was no error. */
  errorCode: field(int16, '13+', { ignorable: true }),
});
export type MetadataResponse = Infer<typeof MetadataResponse>;
