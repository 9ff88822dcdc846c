/**
 * @brook/client: the Brook SDK for Node and browsers, shaped like KafkaJS.
 *
 *   import { Brook } from '@brook/client';
 *   const brook = new Brook({ url: 'ws://127.0.0.1:7092/ws', clientId: 'orders-svc' });
 */
import { BrookError } from '@brook/protocol';
import { BUILTIN_PARTITIONER, type ICustomPartitioner, type PartitionerFn } from './producer/index.js';
import { keyedPartition, StickyPartitioner } from './partitioner.js';
import { toBytes } from './encoding.js';

export * from './consumer/consumer.js';
export { Transaction, type TransactionOffsets } from './producer/index.js';
export { idempotentSink, type SinkStore, type SinkBatch, type IdempotentSinkOptions } from './sink.js';
export type { GroupMemberHandle } from './context.js';
export { Brook, Kafka, brokerToUrl, type BrookConfig, type KafkaConfig, type BrookRetryOptions } from './brook.js';
export {
  Producer,
  ProducerEvents,
  parseAcks,
  type Acks,
  type Message,
  type ProducerRecord,
  type ProducerBatch,
  type TopicMessages,
  type RecordMetadata,
  type ProducerConfig,
  type RetryOptions,
  type PartitionMetadata,
  type PartitionerFn,
  type ICustomPartitioner,
  type ProducerEvent,
  type ProducerEventName,
} from './producer/index.js';
export {
  Admin,
  type AdminConfig,
  type ConfigEntry,
  type ITopicConfig,
  type CreateTopicsOptions,
  type ITopicMetadata,
  type PartitionMetadataEntry,
  type TopicOffsets,
  type PartitionOffset,
  type GroupOverview,
  type GroupDescription,
  type GroupMemberDescription,
  type TopicPartitionsAssignment,
  type FetchOffsetsTopic,
  type FetchOffsetsPartition,
  type SeekEntry,
  type DeleteGroupResult,
} from './admin.js';
export { logLevel, createLogger, type LogLevel, type LogCreator, type LogEntry, type Logger } from './logger.js';
export { Connection, type ConnectionOptions } from './connection.js';
export { openConnection, type ClientContext } from './context.js';
export type { SslOption, TlsOptions } from './socket.js';
export { toBytes, bytesToString, toRecordHeaders, fromRecordHeaders, type BytesInput, type IHeaders } from './encoding.js';
export { keyedPartition, StickyPartitioner } from './partitioner.js';
export { BrookError, ErrorCode, errorInfo, type ErrorInfo } from '@brook/protocol';

/** KafkaJS's base error class name, for code that does `instanceof KafkaJSError`. */
export const KafkaJSError = BrookError;
export type KafkaJSError = BrookError;

/**
 * The producer sends uncompressed batches only; the enum exists so KafkaJS code compiles. (The
 * consumer does read compressed batches in Node: see codecs.ts.)
 */
export const CompressionTypes = { None: 0 } as const;
export type CompressionTypes = (typeof CompressionTypes)[keyof typeof CompressionTypes];

function builtin(make: () => PartitionerFn): ICustomPartitioner {
  return Object.assign(make, { [BUILTIN_PARTITIONER]: true as const });
}

/**
 * KafkaJS's partitioner choices, accepted as `createPartitioner`. Both mean Brook's default:
 * Kafka's murmur2 for keyed messages (as KafkaJS's DefaultPartitioner) and sticky partitioning
 * for keyless ones; the producer applies them itself. Called directly, they partition like it.
 */
export const Partitioners: {
  DefaultPartitioner: ICustomPartitioner;
  LegacyPartitioner: ICustomPartitioner;
  JavaCompatiblePartitioner: ICustomPartitioner;
} = {
  DefaultPartitioner: builtin(defaultPartitionerFn),
  LegacyPartitioner: builtin(defaultPartitionerFn),
  JavaCompatiblePartitioner: builtin(defaultPartitionerFn),
};

function defaultPartitionerFn(): PartitionerFn {
  const sticky = new StickyPartitioner();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    const key = toBytes(message.key);
    const n = partitionMetadata.length;
    return key !== null ? keyedPartition(key, n) : sticky.partition(topic, n);
  };
}
