/** The API table: one entry per message pair, keyed by Kafka's API numbers where Kafka has one. */
import type { Codec, Infer } from './schema.js';
import { HandshakeRequest, HandshakeResponse } from './messages/handshake.js';
import { MetadataRequest, MetadataResponse } from './messages/metadata.js';
import { CreateTopicsRequest, CreateTopicsResponse } from './messages/createTopics.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from './messages/deleteTopics.js';
import { ProduceRequest, ProduceResponse } from './messages/produce.js';
import { FetchRequest, FetchResponse } from './messages/fetch.js';
import { ListOffsetsRequest, ListOffsetsResponse } from './messages/listOffsets.js';
import { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from './messages/consumerGroupHeartbeat.js';
import { OffsetCommitRequest, OffsetCommitResponse } from './messages/offsetCommit.js';
import { OffsetFetchRequest, OffsetFetchResponse } from './messages/offsetFetch.js';
import { ListGroupsRequest, ListGroupsResponse } from './messages/listGroups.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from './messages/describeGroups.js';
import { DeleteGroupsRequest, DeleteGroupsResponse } from './messages/deleteGroups.js';
import { OffsetDeleteRequest, OffsetDeleteResponse } from './messages/offsetDelete.js';
import { InitProducerIdRequest, InitProducerIdResponse } from './messages/initProducerId.js';
import { EndTxnRequest, EndTxnResponse } from './messages/endTxn.js';
import { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from './messages/txnOffsetCommit.js';

function api<Req, Res>(key: number, request: Codec<Req>, response: Codec<Res>, doc: string) {
  return { key, minVersion: 0, maxVersion: 0, request, response, doc };
}

export const Apis = {
  Produce: api(0, ProduceRequest, ProduceResponse, 'Append record batches to partitions.'),
  Fetch: api(1, FetchRequest, FetchResponse, 'Read record batches, long-polling until minBytes or maxWaitMs.'),
  ListOffsets: api(2, ListOffsetsRequest, ListOffsetsResponse, 'Earliest, latest, or by-timestamp offsets.'),
  Metadata: api(3, MetadataRequest, MetadataResponse, 'Topics and partition counts.'),
  OffsetCommit: api(8, OffsetCommitRequest, OffsetCommitResponse, "Commit a group's offsets (fenced by member epoch)."),
  OffsetFetch: api(9, OffsetFetchRequest, OffsetFetchResponse, "Read a group's committed offsets."),
  ListGroups: api(16, ListGroupsRequest, ListGroupsResponse, 'List consumer groups.'),
  Handshake: api(18, HandshakeRequest, HandshakeResponse, 'First request on a connection: versions and client name.'),
  CreateTopics: api(19, CreateTopicsRequest, CreateTopicsResponse, 'Create topics.'),
  DeleteTopics: api(20, DeleteTopicsRequest, DeleteTopicsResponse, 'Delete topics.'),
  InitProducerId: api(22, InitProducerIdRequest, InitProducerIdResponse, 'Producer id and epoch (bumps the epoch of a transactional id).'),
  EndTxn: api(26, EndTxnRequest, EndTxnResponse, 'Commit or abort the open transaction.'),
  TxnOffsetCommit: api(28, TxnOffsetCommitRequest, TxnOffsetCommitResponse, 'Consumer offsets that commit with the transaction.'),
  DeleteGroups: api(42, DeleteGroupsRequest, DeleteGroupsResponse, 'Delete empty groups and their offsets.'),
  OffsetDelete: api(47, OffsetDeleteRequest, OffsetDeleteResponse, "Delete a group's offsets for topics."),
  ConsumerGroupHeartbeat: api(68, ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, 'KIP-848 join/heartbeat/leave.'),
  ConsumerGroupDescribe: api(69, DescribeGroupsRequest, DescribeGroupsResponse, 'Describe groups, members and assignments.'),
} as const;

export type ApiName = keyof typeof Apis;
export type RequestOf<N extends ApiName> = Infer<(typeof Apis)[N]['request']>;
export type ResponseOf<N extends ApiName> = Infer<(typeof Apis)[N]['response']>;

export const ApiKey = Object.fromEntries(Object.entries(Apis).map(([n, a]) => [n, a.key])) as {
  readonly [N in ApiName]: (typeof Apis)[N]['key'];
};

const byKey = new Map<number, ApiName>(Object.entries(Apis).map(([n, a]) => [a.key, n as ApiName]));

export function apiNameOf(key: number): ApiName | undefined {
  return byKey.get(key);
}
