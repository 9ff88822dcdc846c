// Topic and broker configs as Kafka describes them (name, value, where the value comes from):
// shared by DescribeConfigs/IncrementalAlterConfigs and, later, the admin API.
import { BrookError, ErrorCode } from '@brook/protocol';
import type { BrokerContext } from '../api/types.js';
import { topicConfigEntries } from '../log/topicConfig.js';
import { NODE_ID } from './cluster.js';

export type ConfigSource = 'topic' | 'default' | 'static-broker';

export interface ConfigEntry {
  name: string;
  value: string;
  source: ConfigSource;
  readOnly: boolean;
}

/** A topic's every setting; those it set itself are source "topic", the rest the broker defaults. */
export function topicConfigs(ctx: Pick<BrokerContext, 'topics'>, topic: string): ConfigEntry[] {
  const t = ctx.topics.get(topic);
  if (!t) throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${topic}`);
  const own = ctx.topics.configOverrides(topic);
  return Object.entries(topicConfigEntries(t.config)).map(([name, value]) => ({ name, value, source: name in own ? 'topic' : 'default', readOnly: false }));
}

/** The broker's settings under Kafka's names, read-only (they are set at start-up). */
export function brokerConfigs(ctx: Pick<BrokerContext, 'options'>, broker: string): ConfigEntry[] {
  if (broker !== '' && broker !== String(NODE_ID)) throw new BrookError(ErrorCode.INVALID_REQUEST, `no broker ${broker}: this cluster has broker ${NODE_ID}`);
  const o = ctx.options;
  const entries: Record<string, string | number | boolean> = {
    'node.id': NODE_ID,
    'auto.create.topics.enable': o.autoCreateTopics,
    'num.partitions': o.autoCreateTopicPartitions,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'message.max.bytes': o.maxMessageBytes,
    'socket.request.max.bytes': o.maxFrameBytes,
    'offsets.retention.minutes': Math.round(o.offsetsRetentionMs / 60_000),
    'transaction.max.timeout.ms': o.transactionMaxTimeoutMs,
    'group.min.session.timeout.ms': o.groupMinSessionTimeoutMs,
    'group.max.session.timeout.ms': o.groupMaxSessionTimeoutMs,
    'group.consumer.heartbeat.interval.ms': o.groupHeartbeatIntervalMs,
    'group.consumer.session.timeout.ms': o.groupSessionTimeoutMs,
    'group.max.size': o.groupMaxSize,
    'group.initial.rebalance.delay.ms': o.groupInitialRebalanceDelayMs,
  };
  return Object.entries(entries).map(([name, value]) => ({ name, value: String(value), source: 'static-broker', readOnly: true }));
}
