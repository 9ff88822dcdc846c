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

/** Handlers only the Kafka listener calls so far (Brook's WebSocket protocol has no message for them yet). */
function serverOnlyHandlers(ctx: BrokerContext) {
  return {
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

/** Every handler: those of Brook's WebSocket API, and those only the Kafka listener calls so far. */
export type BrokerHandlers = ApiHandlers & ReturnType<typeof serverOnlyHandlers>;

export function createHandlers(ctx: BrokerContext): BrokerHandlers {
  return {
    ...serverOnlyHandlers(ctx),
    Produce: produce(ctx),
    Fetch: fetch(ctx),
    ListOffsets: listOffsets(ctx),
    Metadata: metadata(ctx),
    OffsetCommit: offsetCommit(ctx),
    OffsetFetch: offsetFetch(ctx),
    ListGroups: listGroups(ctx),
    Handshake: handshake(ctx),
    CreateTopics: createTopics(ctx),
    DeleteTopics: deleteTopics(ctx),
    InitProducerId: initProducerId(ctx),
    EndTxn: endTxn(ctx),
    TxnOffsetCommit: txnOffsetCommit(ctx),
    DeleteGroups: deleteGroups(ctx),
    OffsetDelete: offsetDelete(ctx),
    ConsumerGroupHeartbeat: consumerGroupHeartbeat(ctx),
    ConsumerGroupDescribe: consumerGroupDescribe(ctx),
  };
}
