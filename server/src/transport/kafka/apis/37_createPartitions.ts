// CreatePartitions: grows topics; replica assignments may only name this broker.
import { NODE_ID } from '../../../services/cluster.js';
import { kafkaCode, KafkaError } from '../errors.js';
import type { KafkaAdapter } from '../types.js';

export const createPartitions: KafkaAdapter<'CreatePartitions'> = {
  async handle(body, rc) {
    const bad = new Set(body.topics.filter((t) => t.assignments?.some((a) => a.brokerIds.some((b) => b !== NODE_ID))).map((t) => t.name));
    const res = await rc.handlers.CreatePartitions({ topics: body.topics.filter((t) => !bad.has(t.name)).map((t) => ({ name: t.name, count: t.count })), validateOnly: body.validateOnly }, rc.conn);
    return {
      throttleTimeMs: 0,
      results: [
        ...res.results.map((r) => ({ name: r.name, errorCode: kafkaCode(r.errorCode), errorMessage: r.errorMessage })),
        ...[...bad].map((name) => ({ name, errorCode: KafkaError.INVALID_REPLICA_ASSIGNMENT, errorMessage: `replicas must be [${NODE_ID}], the one broker` })),
      ],
    };
  },
};
