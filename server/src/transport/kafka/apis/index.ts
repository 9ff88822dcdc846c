// The Kafka listener's API table: one adapter file per API (named after Kafka's API keys), each
// calling the shared handler of server/src/api/. ApiVersions advertises exactly these.
import { kafka } from '@brook/protocol';
import type { KafkaAdapters } from '../types.js';
import { produce } from './00_produce.js';
import { fetch } from './01_fetch.js';
import { listOffsets } from './02_listOffsets.js';
import { metadata } from './03_metadata.js';
import { offsetCommit } from './08_offsetCommit.js';
import { offsetFetch } from './09_offsetFetch.js';
import { findCoordinator } from './10_findCoordinator.js';
import { joinGroup } from './11_joinGroup.js';
import { heartbeat } from './12_heartbeat.js';
import { leaveGroup } from './13_leaveGroup.js';
import { syncGroup } from './14_syncGroup.js';
import { describeGroups } from './15_describeGroups.js';
import { listGroups } from './16_listGroups.js';
import { saslHandshake } from './17_saslHandshake.js';
import { apiVersions } from './18_apiVersions.js';
import { createTopics } from './19_createTopics.js';
import { deleteTopics } from './20_deleteTopics.js';
import { deleteRecords } from './21_deleteRecords.js';
import { initProducerId } from './22_initProducerId.js';
import { addPartitionsToTxn } from './24_addPartitionsToTxn.js';
import { addOffsetsToTxn } from './25_addOffsetsToTxn.js';
import { endTxn } from './26_endTxn.js';
import { txnOffsetCommit } from './28_txnOffsetCommit.js';
import { describeConfigs } from './32_describeConfigs.js';
import { saslAuthenticate } from './36_saslAuthenticate.js';
import { createPartitions } from './37_createPartitions.js';
import { deleteGroups } from './42_deleteGroups.js';
import { incrementalAlterConfigs } from './44_incrementalAlterConfigs.js';
import { offsetDelete } from './47_offsetDelete.js';
import { describeCluster } from './60_describeCluster.js';
import { consumerGroupHeartbeat } from './68_consumerGroupHeartbeat.js';
import { consumerGroupDescribe } from './69_consumerGroupDescribe.js';

export const kafkaAdapters: KafkaAdapters = {
  Produce: produce,
  Fetch: fetch,
  ListOffsets: listOffsets,
  Metadata: metadata,
  OffsetCommit: offsetCommit,
  OffsetFetch: offsetFetch,
  FindCoordinator: findCoordinator,
  JoinGroup: joinGroup,
  Heartbeat: heartbeat,
  LeaveGroup: leaveGroup,
  SyncGroup: syncGroup,
  DescribeGroups: describeGroups,
  ListGroups: listGroups,
  SaslHandshake: saslHandshake,
  ApiVersions: apiVersions,
  CreateTopics: createTopics,
  DeleteTopics: deleteTopics,
  DeleteRecords: deleteRecords,
  InitProducerId: initProducerId,
  AddPartitionsToTxn: addPartitionsToTxn,
  AddOffsetsToTxn: addOffsetsToTxn,
  EndTxn: endTxn,
  TxnOffsetCommit: txnOffsetCommit,
  DescribeConfigs: describeConfigs,
  SaslAuthenticate: saslAuthenticate,
  CreatePartitions: createPartitions,
  DeleteGroups: deleteGroups,
  IncrementalAlterConfigs: incrementalAlterConfigs,
  OffsetDelete: offsetDelete,
  DescribeCluster: describeCluster,
  ConsumerGroupHeartbeat: consumerGroupHeartbeat,
  ConsumerGroupDescribe: consumerGroupDescribe,
};

/**
 * ApiVersions' `apiKeys`: the codec's version ranges of the APIs that have an adapter. Produce is
 * advertised from v0 as Kafka 4 does (KAFKA-18659): older librdkafka (2.0.2, Debian's kcat) turns
 * gzip, snappy and lz4 off against a broker whose Produce starts at v3; v0-v2 requests are still
 * refused (the codec has no v0-v2, so they are answered as unsupported versions).
 */
export function servedVersionRanges(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
  return kafka
    .apiVersionRanges()
    .filter((r) => {
      const name = kafka.kafkaApiNameOf(r.apiKey);
      return name !== undefined && kafkaAdapters[name] !== undefined;
    })
    .map((r) => (r.apiKey === 0 ? { ...r, minVersion: 0 } : r));
}
