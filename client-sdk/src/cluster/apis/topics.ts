/**
 * Creating and deleting topics, on any broker (a KRaft broker forwards to the controller).
 * A topic without a replication factor takes the cluster's default (-1, KIP-464).
 */
import type { ApiMapping } from './types.js';

/** How long the controller may take to create or delete, as Kafka's admin client's default. */
const ADMIN_TIMEOUT_MS = 30_000;

export const createTopics: ApiMapping<'CreateTopics', 'CreateTopics'> = {
  kafka: 'CreateTopics',
  route: () => ({ kind: 'any' }),
  toKafka: (b) => ({
    validateOnly: b.validateOnly,
    timeoutMs: ADMIN_TIMEOUT_MS,
    topics: b.topics.map((t) => ({ name: t.name, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor ?? -1, configs: t.configs })),
  }),
  fromKafka: (res) => ({ topics: res.topics.map((t) => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage })) }),
};

export const deleteTopics: ApiMapping<'DeleteTopics', 'DeleteTopics'> = {
  kafka: 'DeleteTopics',
  route: () => ({ kind: 'any' }),
  toKafka: (b, version) => (version >= 6 ? { timeoutMs: ADMIN_TIMEOUT_MS, topics: b.topics.map((name) => ({ name })) } : { timeoutMs: ADMIN_TIMEOUT_MS, topicNames: b.topics }),
  fromKafka: (res) => ({ topics: res.responses.map((t) => ({ name: t.name ?? '', errorCode: t.errorCode, errorMessage: t.errorMessage })) }),
};
