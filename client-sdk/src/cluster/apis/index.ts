/** The cluster's API table: for each of Brook's request shapes, its Kafka mapping (one file per family). */
import type { ClusterApiName } from '../../transport/types.js';
import { fetch, listOffsets, metadata, produce } from './data.js';
import { consumerGroupDescribe, consumerGroupHeartbeat, deleteGroups, listGroups, offsetCommit, offsetDelete, offsetFetch } from './groups.js';
import { createTopics, deleteTopics } from './topics.js';
import { addOffsetsToTxn, addPartitionsToTxn, endTxn, initProducerId, txnOffsetCommit } from './txn.js';
import type { ApiMapping, KafkaApiName } from './types.js';

const table = {
  Produce: produce,
  Fetch: fetch,
  ListOffsets: listOffsets,
  Metadata: metadata,
  CreateTopics: createTopics,
  DeleteTopics: deleteTopics,
  ConsumerGroupHeartbeat: consumerGroupHeartbeat,
  OffsetCommit: offsetCommit,
  OffsetFetch: offsetFetch,
  ConsumerGroupDescribe: consumerGroupDescribe,
  ListGroups: listGroups,
  DeleteGroups: deleteGroups,
  OffsetDelete: offsetDelete,
  InitProducerId: initProducerId,
  AddPartitionsToTxn: addPartitionsToTxn,
  AddOffsetsToTxn: addOffsetsToTxn,
  EndTxn: endTxn,
  TxnOffsetCommit: txnOffsetCommit,
} satisfies { [N in ClusterApiName]: { kafka: KafkaApiName } };

/** The mapping of one API (each is type-checked where it is declared). */
export function mappingOf<N extends ClusterApiName>(name: N): ApiMapping<N, KafkaApiName> {
  return table[name] as unknown as ApiMapping<N, KafkaApiName>;
}
