// Produce (API key 0).
// Generated from Kafka 4.4.0's ProduceRequest.json and ProduceResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, int16, int32, int64, records, string, uuid } from '../types.js';

const PartitionProduceData = struct('PartitionProduceData', {
  /** The partition index. */
  index: field(int32, '0+'),
  /** The record data to be produced. */
  records: field(records, '0+', { nullable: '0+' }),
});

const TopicProduceData = struct('TopicProduceData', {
  /** The topic name. */
  name: field(string, '0-12', { ignorable: true }),
  /** The unique topic ID */
  topicId: field(uuid, '13+', { ignorable: true }),
  /** Each partition to produce to. */
  partitionData: field(array(PartitionProduceData), '0+'),
});

const BatchIndexAndErrorMessage = struct('BatchIndexAndErrorMessage', {
  /** The batch index of the record that caused the batch to be dropped. */
  batchIndex: field(int32, '8+'),
  /** The error message of the record that caused the batch to be dropped. */
  batchIndexErrorMessage: field(string, '8+', { nullable: '8+', default: null }),
});

const LeaderIdAndEpoch = struct('LeaderIdAndEpoch', {
  /** The ID of the current leader or -1 if the leader is unknown. */
  leaderId: field(int32, '10+', { default: -1 }),
  /** The latest known leader epoch. */
  leaderEpoch: field(int32, '10+', { default: -1 }),
});

const PartitionProduceResponse = struct('PartitionProduceResponse', {
  /** The partition index. */
  index: field(int32, '0+'),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The base offset. */
  baseOffset: field(int64, '0+'),
  /** The timestamp returned by broker after appending the messages. If CreateTime is used for the topic, the timestamp will be -1. If LogAppendTime is used for the topic, the timestamp will be the broker local time when the messages are appended. */
  logAppendTimeMs: field(int64, '2+', { default: -1, ignorable: true }),
  /** The log start offset. */
  logStartOffset: field(int64, '5+', { default: -1, ignorable: true }),
  /** The batch indices of records that caused the batch to be dropped. */
  recordErrors: field(array(BatchIndexAndErrorMessage), '8+', { ignorable: true }),
  /** The global error message summarizing the common root cause of the records that caused the batch to be dropped. */
  errorMessage: field(string, '8+', { nullable: '8+', default: null, ignorable: true }),
  /** The leader broker that the producer should use for future requests. */
  currentLeader: field(LeaderIdAndEpoch, '10+', { tag: 0, tagged: '10+' }),
});

const TopicProduceResponse = struct('TopicProduceResponse', {
  /** The topic name. */
  name: field(string, '0-12', { ignorable: true }),
  /** The unique topic ID */
  topicId: field(uuid, '13+', { ignorable: true }),
  /** Each partition that we produced to within the topic. */
  partitionResponses: field(array(PartitionProduceResponse), '0+'),
});

const NodeEndpoint = struct('NodeEndpoint', {
  /** The ID of the associated node. */
  nodeId: field(int32, '10+'),
  /** The node's hostname. */
  host: field(string, '10+'),
  /** The node's port. */
  port: field(int32, '10+'),
  /** The rack of the node, or null if it has not been assigned to a rack. */
  rack: field(string, '10+', { nullable: '10+', default: null }),
});

export const ProduceRequest = message('ProduceRequest', { apiKey: 0, validVersions: '3-13', flexibleVersions: '9+' }, {
  /** The transactional ID, or null if the producer is not transactional. */
  transactionalId: field(string, '3+', { nullable: '3+', default: null }),
  /** The number of acknowledgments the producer requires the leader to have received before considering a request complete. Allowed values: 0 for no acknowledgments, 1 for only the leader and -1 for the full ISR. */
  acks: field(int16, '0+'),
  /** The timeout to await a response in milliseconds. */
  timeoutMs: field(int32, '0+'),
  /** Each topic to produce to. */
  topicData: field(array(TopicProduceData), '0+'),
});
export type ProduceRequest = Infer<typeof ProduceRequest>;

export const ProduceResponse = message('ProduceResponse', { apiKey: 0, validVersions: '3-13', flexibleVersions: '9+' }, {
  /** Each produce response. */
  responses: field(array(TopicProduceResponse), '0+'),
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '1+', { default: 0, ignorable: true }),
  /** Endpoints for all current-leaders enumerated in PartitionProduceResponses, with errors NOT_LEADER_OR_FOLLOWER. */
  nodeEndpoints: field(array(NodeEndpoint), '10+', { tag: 0, tagged: '10+' }),
});
export type ProduceResponse = Infer<typeof ProduceResponse>;
