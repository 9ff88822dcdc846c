// CreateTopics: one broker, so replication factor 1 (or -1, the default) and replica assignments
// naming only this node; numPartitions -1 takes the broker's num.partitions. v5+ answer with the
// topic's partitions, replication factor and configs.
import { ErrorCode } from '@brook/protocol';
import { NODE_ID } from '../../../services/cluster.js';
import { topicConfigs } from '../../../services/configs.js';
import { kafkaCode, KafkaError } from '../errors.js';
import type { KafkaAdapter, KafkaRequestContext, KafkaResponseOf } from '../types.js';
import { ZERO_UUID, topicIdOf } from './topics.js';
import { configSource } from './32_describeConfigs.js';

type Result = KafkaResponseOf<'CreateTopics'>['topics'][number];

function result(name: string, errorCode: number, errorMessage: string | null, rc: KafkaRequestContext, numPartitions = -1): Result {
  const ok = errorCode === 0 && rc.ctx.topics.get(name) !== undefined;
  return {
    name,
    topicId: ok ? topicIdOf(rc.ctx, name) : ZERO_UUID,
    errorCode,
    errorMessage,
    topicConfigErrorCode: 0,
    numPartitions: errorCode === 0 ? numPartitions : -1,
    replicationFactor: errorCode === 0 ? 1 : -1,
    configs: ok ? topicConfigs(rc.ctx, name).map((c) => ({ name: c.name, value: c.value, readOnly: false, configSource: configSource(c.source), isSensitive: false })) : null,
  };
}

export const createTopics: KafkaAdapter<'CreateTopics'> = {
  async handle(body, rc) {
    const refused = new Map<string, Result>();
    const wanted: Array<{ name: string; numPartitions: number; configs: Array<{ name: string; value: string }> }> = [];
    for (const t of body.topics) {
      const numPartitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? rc.ctx.options.autoCreateTopicPartitions : t.numPartitions;
      if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
        refused.set(t.name, result(t.name, KafkaError.INVALID_REPLICATION_FACTOR, `replication factor ${t.replicationFactor}: this cluster has one broker, so it must be 1`, rc));
      } else if (t.assignments.some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== NODE_ID)) {
        refused.set(t.name, result(t.name, KafkaError.INVALID_REPLICA_ASSIGNMENT, `replicas must be [${NODE_ID}], the one broker`, rc));
      } else if (t.configs.some((c) => c.value === null)) {
        refused.set(t.name, result(t.name, ErrorCode.INVALID_CONFIG, 'a config without a value', rc));
      } else wanted.push({ name: t.name, numPartitions, configs: t.configs.map((c) => ({ name: c.name, value: c.value! })) });
    }
    const res = (await rc.handlers.CreateTopics({ topics: wanted, validateOnly: body.validateOnly }, rc.conn))!;
    const created = new Map(res.topics.map((t, i) => [t.name, result(t.name, kafkaCode(t.errorCode), t.errorMessage, rc, wanted[i]!.numPartitions)]));
    return { throttleTimeMs: 0, topics: body.topics.map((t) => refused.get(t.name) ?? created.get(t.name)!) };
  },
};
