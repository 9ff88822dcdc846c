/**
 * The Kafka API table: for each API Brook speaks, its key, the versions Brook serves and the
 * request and response declarations. ApiVersions answers are built from it, and the request
 * decoder refuses what it does not list. Ranges are Kafka's `validVersions` (Kafka 4.x) unless a
 * row narrows them; KafkaJS 2.2.4's versions (Produce v3-v7, Fetch v4-v11, Metadata v1-v6, ...)
 * all lie inside them, so no version Kafka 4 dropped is needed.
 */
import type { KMessage } from './message.js';
import type { Infer } from './schema.js';
import { ProduceRequest, ProduceResponse } from './messages/produce.js';
import { FetchRequest, FetchResponse } from './messages/fetch.js';
import { ListOffsetsRequest, ListOffsetsResponse } from './messages/listOffsets.js';
import { MetadataRequest, MetadataResponse } from './messages/metadata.js';
import { OffsetCommitRequest, OffsetCommitResponse } from './messages/offsetCommit.js';
import { OffsetFetchRequest, OffsetFetchResponse } from './messages/offsetFetch.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from './messages/findCoordinator.js';
import { JoinGroupRequest, JoinGroupResponse } from './messages/joinGroup.js';
import { HeartbeatRequest, HeartbeatResponse } from './messages/heartbeat.js';
import { LeaveGroupRequest, LeaveGroupResponse } from './messages/leaveGroup.js';
import { SyncGroupRequest, SyncGroupResponse } from './messages/syncGroup.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from './messages/describeGroups.js';
import { ListGroupsRequest, ListGroupsResponse } from './messages/listGroups.js';
import { SaslHandshakeRequest, SaslHandshakeResponse } from './messages/saslHandshake.js';
import { ApiVersionsRequest, ApiVersionsResponse } from './messages/apiVersions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from './messages/createTopics.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from './messages/deleteTopics.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from './messages/deleteRecords.js';
import { InitProducerIdRequest, InitProducerIdResponse } from './messages/initProducerId.js';
import { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from './messages/addPartitionsToTxn.js';
import { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from './messages/addOffsetsToTxn.js';
import { EndTxnRequest, EndTxnResponse } from './messages/endTxn.js';
import { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from './messages/txnOffsetCommit.js';
import { DescribeConfigsRequest, DescribeConfigsResponse } from './messages/describeConfigs.js';
import { SaslAuthenticateRequest, SaslAuthenticateResponse } from './messages/saslAuthenticate.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from './messages/createPartitions.js';
import { DeleteGroupsRequest, DeleteGroupsResponse } from './messages/deleteGroups.js';
import { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from './messages/incrementalAlterConfigs.js';
import { OffsetDeleteRequest, OffsetDeleteResponse } from './messages/offsetDelete.js';
import { DescribeClusterRequest, DescribeClusterResponse } from './messages/describeCluster.js';
import { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from './messages/consumerGroupHeartbeat.js';
import { ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse } from './messages/consumerGroupDescribe.js';

export interface KafkaApi<Req, Res> {
  readonly key: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly request: KMessage<Req>;
  readonly response: KMessage<Res>;
}

function api<Req, Res>(request: KMessage<Req>, response: KMessage<Res>, narrow: { min?: number; max?: number } = {}): KafkaApi<Req, Res> {
  const key = request.apiKey;
  if (key === undefined || key !== response.apiKey) throw new Error(`${request.name}/${response.name}: api keys differ`);
  const minVersion = Math.max(request.validVersions.lo, narrow.min ?? 0);
  const maxVersion = Math.min(request.validVersions.hi, narrow.max ?? Infinity);
  if (response.validVersions.lo > minVersion || response.validVersions.hi < maxVersion) {
    throw new Error(`${response.name} does not cover versions ${minVersion}-${maxVersion}`);
  }
  return { key, minVersion, maxVersion, request, response };
}

export const KafkaApis = {
  Produce: api(ProduceRequest, ProduceResponse),
  Fetch: api(FetchRequest, FetchResponse),
  ListOffsets: api(ListOffsetsRequest, ListOffsetsResponse),
  Metadata: api(MetadataRequest, MetadataResponse),
  OffsetCommit: api(OffsetCommitRequest, OffsetCommitResponse),
  OffsetFetch: api(OffsetFetchRequest, OffsetFetchResponse),
  FindCoordinator: api(FindCoordinatorRequest, FindCoordinatorResponse),
  JoinGroup: api(JoinGroupRequest, JoinGroupResponse),
  Heartbeat: api(HeartbeatRequest, HeartbeatResponse),
  LeaveGroup: api(LeaveGroupRequest, LeaveGroupResponse),
  SyncGroup: api(SyncGroupRequest, SyncGroupResponse),
  DescribeGroups: api(DescribeGroupsRequest, DescribeGroupsResponse),
  ListGroups: api(ListGroupsRequest, ListGroupsResponse),
  SaslHandshake: api(SaslHandshakeRequest, SaslHandshakeResponse),
  ApiVersions: api(ApiVersionsRequest, ApiVersionsResponse),
  CreateTopics: api(CreateTopicsRequest, CreateTopicsResponse),
  DeleteTopics: api(DeleteTopicsRequest, DeleteTopicsResponse),
  DeleteRecords: api(DeleteRecordsRequest, DeleteRecordsResponse),
  InitProducerId: // v6 is marked unstable in Kafka 4.x (latestVersionUnstable): not advertised.
  api(InitProducerIdRequest, InitProducerIdResponse, { max: 5 }),
  AddPartitionsToTxn: api(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse),
  AddOffsetsToTxn: api(AddOffsetsToTxnRequest, AddOffsetsToTxnResponse),
  EndTxn: api(EndTxnRequest, EndTxnResponse),
  TxnOffsetCommit: api(TxnOffsetCommitRequest, TxnOffsetCommitResponse),
  DescribeConfigs: api(DescribeConfigsRequest, DescribeConfigsResponse),
  SaslAuthenticate: api(SaslAuthenticateRequest, SaslAuthenticateResponse),
  CreatePartitions: api(CreatePartitionsRequest, CreatePartitionsResponse),
  DeleteGroups: api(DeleteGroupsRequest, DeleteGroupsResponse),
  IncrementalAlterConfigs: api(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse),
  OffsetDelete: api(OffsetDeleteRequest, OffsetDeleteResponse),
  DescribeCluster: api(DescribeClusterRequest, DescribeClusterResponse),
  ConsumerGroupHeartbeat: api(ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse),
  ConsumerGroupDescribe: api(ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse),
} as const;

export type KafkaApiName = keyof typeof KafkaApis;
export type KafkaRequestOf<N extends KafkaApiName> = Infer<(typeof KafkaApis)[N]['request']>;
export type KafkaResponseOf<N extends KafkaApiName> = Infer<(typeof KafkaApis)[N]['response']>;

const byKey = new Map<number, KafkaApiName>(Object.entries(KafkaApis).map(([n, a]) => [a.key, n as KafkaApiName]));

export function kafkaApiNameOf(key: number): KafkaApiName | undefined {
  return byKey.get(key);
}

export function isSupportedVersion(name: KafkaApiName, version: number): boolean {
  const a = KafkaApis[name];
  return version >= a.minVersion && version <= a.maxVersion;
}

/** The `apiKeys` of an ApiVersions response: every API in the table with its range, by key. */
export function apiVersionRanges(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
  return Object.values(KafkaApis)
    .map((a) => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion }))
    .sort((x, y) => x.apiKey - y.apiKey);
}
