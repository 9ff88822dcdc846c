// Fetch (API key 1).
// Generated from Kafka 4.4.0's FetchRequest.json and FetchResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, int16, int32, int64, int8, records, string, uuid } from '../types.js';

const ReplicaState = struct('ReplicaState', {
  /** The replica ID of the follower, or -1 if this request is from a consumer. */
  replicaId: field(int32, '15+', { default: -1 }),
  /** The epoch of this follower, or -1 if not available. */
  replicaEpoch: field(int64, '15+', { default: -1 }),
});

const FetchPartition = struct('FetchPartition', {
  /** The partition index. */
  partition: field(int32, '0+'),
  /** The current leader epoch of the partition. */
  currentLeaderEpoch: field(int32, '9+', { default: -1, ignorable: true }),
  /** The message offset. */
  fetchOffset: field(int64, '0+'),
  /** The epoch of the last fetched record or -1 if there is none. */
  lastFetchedEpoch: field(int32, '12+', { default: -1 }),
  /** The earliest available offset of the follower replica. The field is only used when the request is sent by the follower. */
  logStartOffset: field(int64, '5+', { default: -1, ignorable: true }),
  /** The maximum bytes to fetch from this partition. See KIP-74 for cases where this limit may not be honored. */
  partitionMaxBytes: field(int32, '0+'),
  /** The directory id of the follower fetching. */
  replicaDirectoryId: field(uuid, '17+', { tag: 0, tagged: '17+', ignorable: true }),
  /** The high-watermark known by the replica. -1 if the high-watermark is not known and 9223372036854775807 if the feature is not supported. */
  highWatermark: field(int64, '18+', { default: Number.MAX_SAFE_INTEGER /* Kafka: Long.MAX_VALUE, beyond a JS number */, tag: 1, tagged: '18+', ignorable: true }),
});

const FetchTopic = struct('FetchTopic', {
  /** The name of the topic to fetch. */
  topic: field(string, '0-12', { ignorable: true }),
  /** The unique topic ID. */
  topicId: field(uuid, '13+', { ignorable: true }),
  /** The partitions to fetch. */
  partitions: field(array(FetchPartition), '0+'),
});

const ForgottenTopic = struct('ForgottenTopic', {
  /** The topic name. */
  topic: field(string, '7-12', { ignorable: true }),
  /** The unique topic ID. */
  topicId: field(uuid, '13+', { ignorable: true }),
  /** The partitions indexes to forget. */
  partitions: field(array(int32), '7+'),
});

const EpochEndOffset = struct('EpochEndOffset', {
  /** The largest epoch. */
  epoch: field(int32, '12+', { default: -1 }),
  /** The end offset of the epoch. */
  endOffset: field(int64, '12+', { default: -1 }),
});

const LeaderIdAndEpoch = struct('LeaderIdAndEpoch', {
  /** The ID of the current leader or -1 if the leader is unknown. */
  leaderId: field(int32, '12+', { default: -1 }),
  /** The latest known leader epoch. */
  leaderEpoch: field(int32, '12+', { default: -1 }),
});

const SnapshotId = struct('SnapshotId', {
  /** The end offset of the epoch. */
  endOffset: field(int64, '0+', { default: -1 }),
  /** The largest epoch. */
  epoch: field(int32, '0+', { default: -1 }),
});

const AbortedTransaction = struct('AbortedTransaction', {
  /** The producer id associated with the aborted transaction. */
  producerId: field(int64, '4+'),
  /** The first offset in the aborted transaction. */
  firstOffset: field(int64, '4+'),
});

const PartitionData = struct('PartitionData', {
  /** The partition index. */
  partitionIndex: field(int32, '0+'),
  /** The error code, or 0 if there was no fetch error. */
  errorCode: field(int16, '0+'),
  /** The current high water mark. */
  highWatermark: field(int64, '0+'),
  /** The last stable offset (or LSO) of the partition. This is the last offset such that the state of all transactional records prior to this offset have been decided (ABORTED or COMMITTED). */
  lastStableOffset: field(int64, '4+', { default: -1, ignorable: true }),
  /** The current log start offset. */
  logStartOffset: field(int64, '5+', { default: -1, ignorable: true }),
  /** In case divergence is detected based on the `LastFetchedEpoch` and `FetchOffset` in the request, this field indicates the largest epoch and its end offset such that subsequent records are known to diverge. */
  divergingEpoch: field(EpochEndOffset, '12+', { tag: 0, tagged: '12+' }),
  /** The current leader of the partition. */
  currentLeader: field(LeaderIdAndEpoch, '12+', { tag: 1, tagged: '12+' }),
  /** In the case of fetching an offset less than the LogStartOffset, this is the end offset and epoch that should be used in the FetchSnapshot request. */
  snapshotId: field(SnapshotId, '12+', { tag: 2, tagged: '12+' }),
  /** The aborted transactions. */
  abortedTransactions: field(array(AbortedTransaction), '4+', { nullable: '4+', ignorable: true }),
  /** The preferred read replica for the consumer to use on its next fetch request. */
  preferredReadReplica: field(int32, '11+', { default: -1 }),
  /** The record data. */
  records: field(records, '0+', { nullable: '0+' }),
});

const FetchableTopicResponse = struct('FetchableTopicResponse', {
  /** The topic name. */
  topic: field(string, '0-12', { ignorable: true }),
  /** The unique topic ID. */
  topicId: field(uuid, '13+', { ignorable: true }),
  /** The topic partitions. */
  partitions: field(array(PartitionData), '0+'),
});

const NodeEndpoint = struct('NodeEndpoint', {
  /** The ID of the associated node. */
  nodeId: field(int32, '16+'),
  /** The node's hostname. */
  host: field(string, '16+'),
  /** The node's port. */
  port: field(int32, '16+'),
  /** The rack of the node, or null if it has not been assigned to a rack. */
  rack: field(string, '16+', { nullable: '16+', default: null }),
});

export const FetchRequest = message('FetchRequest', { apiKey: 1, validVersions: '4-18', flexibleVersions: '12+' }, {
  /** The clusterId if known. This is used to validate metadata fetches prior to broker registration. */
  clusterId: field(string, '12+', { nullable: '12+', default: null, tag: 0, tagged: '12+', ignorable: true }),
  /** The broker ID of the follower, of -1 if this request is from a consumer. */
  replicaId: field(int32, '0-14', { default: -1 }),
  /** The state of the replica in the follower. */
  replicaState: field(ReplicaState, '15+', { tag: 1, tagged: '15+' }),
  /** The maximum time in milliseconds to wait for the response. */
  maxWaitMs: field(int32, '0+'),
  /** The minimum bytes to accumulate in the response. */
  minBytes: field(int32, '0+'),
  /** The maximum bytes to fetch. See KIP-74 for cases where this limit may not be honored. */
  maxBytes: field(int32, '3+', { default: 2147483647, ignorable: true }),
  /** This setting controls the visibility of transactional records. Using READ_UNCOMMITTED (isolation_level = 0) makes all records visible. With READ_COMMITTED (isolation_level = 1), non-transactional and COMMITTED transactional records are visible. To be more concrete, READ_COMMITTED returns all data from offsets smaller than the current LSO (last stable offset), and enables the inclusion of the list of aborted transactions in the result, which allows consumers to discard ABORTED transactional records. */
  isolationLevel: field(int8, '4+', { default: 0, ignorable: true }),
  /** The fetch session ID. */
  sessionId: field(int32, '7+', { default: 0, ignorable: true }),
  /** The fetch session epoch, which is used for ordering requests in a session. */
  sessionEpoch: field(int32, '7+', { default: -1, ignorable: true }),
  /** The topics to fetch. */
  topics: field(array(FetchTopic), '0+'),
  /** In an incremental fetch request, the partitions to remove. */
  forgottenTopicsData: field(array(ForgottenTopic), '7+'),
  /** Rack ID of the consumer making this request. */
  rackId: field(string, '11+', { default: "", ignorable: true }),
});
export type FetchRequest = Infer<typeof FetchRequest>;

export const FetchResponse = message('FetchResponse', { apiKey: 1, validVersions: '4-18', flexibleVersions: '12+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '1+', { ignorable: true }),
  /** The top level response error code. */
  errorCode: field(int16, '7+', { ignorable: true }),
  /** The fetch session ID, or 0 if this is not part of a fetch session. */
  sessionId: field(int32, '7+', { default: 0 }),
  /** The response topics. */
  responses: field(array(FetchableTopicResponse), '0+'),
  /** Endpoints for all current-leaders enumerated in PartitionData, with errors NOT_LEADER_OR_FOLLOWER & FENCED_LEADER_EPOCH. */
  nodeEndpoints: field(array(NodeEndpoint), '16+', { tag: 0, tagged: '16+' }),
});
export type FetchResponse = Infer<typeof FetchResponse>;
