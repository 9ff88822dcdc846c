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

/** Every handler: those of Brook's WebSocket API, and those only the Kafka listener calls so far. */
export type BrokerHandlers = ApiHandlers;

export function createHandlers(ctx: BrokerContext): BrokerHandlers {
  return {
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
