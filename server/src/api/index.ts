// The API table, one handler file per API (named after Kafka's API keys), as in franz-go's kfake.
import type { ApiHandlers, BrokerContext } from './types.js';
import { produce } from './00_produce.js';
import { fetch } from './01_fetch.js';
import { listOffsets } from './02_listOffsets.js';
import { metadata } from './03_metadata.js';
import { offsetCommit } from './08_offsetCommit.js';
import { offsetFetch } from './09_offsetFetch.js';
import { listGroups } from './16_listGroups.js';
import { handshake } from './18_handshake.js';
import { createTopics } from './19_createTopics.js';
import { deleteTopics } from './20_deleteTopics.js';
import { initProducerId } from './22_initProducerId.js';
import { endTxn } from './26_endTxn.js';
import { txnOffsetCommit } from './28_txnOffsetCommit.js';
import { deleteGroups } from './42_deleteGroups.js';
import { offsetDelete } from './47_offsetDelete.js';
import { consumerGroupHeartbeat } from './68_consumerGroupHeartbeat.js';
import { consumerGroupDescribe } from './69_consumerGroupDescribe.js';
import { findCoordinator } from './10_findCoordinator.js';
import { deleteRecords } from './21_deleteRecords.js';
import { addPartitionsToTxn } from './24_addPartitionsToTxn.js';
import { addOffsetsToTxn } from './25_addOffsetsToTxn.js';
import { describeConfigs } from './32_describeConfigs.js';
import { createPartitions } from './37_createPartitions.js';
import { incrementalAlterConfigs } from './44_incrementalAlterConfigs.js';
import { describeCluster } from './60_describeCluster.js';
import { joinGroup } from './11_joinGroup.js';
import { heartbeat } from './12_heartbeat.js';
import { leaveGroup } from './13_leaveGroup.js';
import { syncGroup } from './14_syncGroup.js';
import { describeGroups } from './15_describeGroups.js';

/**
 * Handlers only the Kafka listener calls so far (Brook's WebSocket protocol has no message for
 * them yet), and those that take more from Kafka clients than Brook's messages carry (OffsetCommit
 * and TxnOffsetCommit: the group instance id; OffsetFetch: the KIP-848 member). The latter still
 * take Brook's requests as they are, so the WebSocket door calls them unchanged.
 */
function serverOnlyHandlers(ctx: BrokerContext) {
  return {
    JoinGroup: joinGroup(ctx),
    Heartbeat: heartbeat(ctx),
    LeaveGroup: leaveGroup(ctx),
    SyncGroup: syncGroup(ctx),
    DescribeGroups: describeGroups(ctx),
    OffsetCommit: offsetCommit(ctx),
    OffsetFetch: offsetFetch(ctx),
    TxnOffsetCommit: txnOffsetCommit(ctx),
    FindCoordinator: findCoordinator(ctx),
    DeleteRecords: deleteRecords(ctx),
    AddPartitionsToTxn: addPartitionsToTxn(ctx),
    AddOffsetsToTxn: addOffsetsToTxn(ctx),
    DescribeConfigs: describeConfigs(ctx),
    CreatePartitions: createPartitions(ctx),
    IncrementalAlterConfigs: incrementalAlterConfigs(ctx),
    DescribeCluster: describeCluster(ctx),
  };
}

type ServerOnlyHandlers = ReturnType<typeof serverOnlyHandlers>;

/** Every handler: those of Brook's WebSocket API, and those only the Kafka listener calls so far. */
export type BrokerHandlers = Omit<ApiHandlers, keyof ServerOnlyHandlers> & ServerOnlyHandlers;

export function createHandlers(ctx: BrokerContext): BrokerHandlers {
  return {
    ...serverOnlyHandlers(ctx),
    Produce: produce(ctx),
    Fetch: fetch(ctx),
    ListOffsets: listOffsets(ctx),
    Metadata: metadata(ctx),
    ListGroups: listGroups(ctx),
    Handshake: handshake(ctx),
    CreateTopics: createTopics(ctx),
    DeleteTopics: deleteTopics(ctx),
    InitProducerId: initProducerId(ctx),
    EndTxn: endTxn(ctx),
    DeleteGroups: deleteGroups(ctx),
    OffsetDelete: offsetDelete(ctx),
    ConsumerGroupHeartbeat: consumerGroupHeartbeat(ctx),
    ConsumerGroupDescribe: consumerGroupDescribe(ctx),
  };
}
