export { Storage, type Db, type DbBatch } from './storage.js';
export { WriteQueue, type WriteEntry } from './writeQueue.js';
export {
  PartitionLog,
  AppendOp,
  type AppendOptions,
  type AppendResult,
  type AtomicPart,
  type CompactionResult,
  type CompactionSettings,
  type ExtraOps,
  type LogStats,
  type ReadResult,
  type TimestampOffset,
} from './partitionLog.js';
export {
  TopicManager,
  type CreateTopicOptions,
  type RetentionResult,
  type TopicChange,
  type TopicInfo,
  type TopicManagerOptions,
} from './topicManager.js';
export { DEFAULT_TOPIC_CONFIG, parseTopicConfig, topicConfigEntries, type TopicConfig } from './topicConfig.js';
export { FIRST_FOREIGN_KIND } from './keys.js';
