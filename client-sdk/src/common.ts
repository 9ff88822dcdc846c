/**
 * What the SDK exports in Node and in browsers alike: the WebSocket client and everything over it.
 * index.ts (Node) and browser.ts (the `browser` export condition) both export this; Node-only
 * pieces (Kafka's TCP transport) belong in index.ts alone, never here.
 */
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
export { KafkaJSError, CompressionTypes, Partitioners } from './kafkajs.js';
