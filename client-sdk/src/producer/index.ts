/** The producer's public surface (see producer.ts); the other modules of this folder are its parts. */
export { Producer, parseAcks } from './producer.js';
export { Transaction, type TransactionOffsets } from './transaction.js';
export {
  BUILTIN_PARTITIONER,
  ProducerEvents,
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
} from './types.js';
export { encodePartitionBatch, type BatchProducerFields, type QueuedRecordInput } from './idempotence.js';
