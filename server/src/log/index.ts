/** The storage layer: partitioned append-only logs in one LevelDB per broker (see README.md); this file is the folder's public surface. */
export { Storage, type Db, type DbBatch } from './storage.js';
export { WriteQueue, type WriteEntry } from './writeQueue.js';
export { PartitionLog, type LogStats, type ReadResult, type TimestampOffset } from './partitionLog.js';
export { AppendOp, type AppendOptions, type AppendResult, type AtomicPart, type ExtraOps } from './appendOp.js';
export { type CompactionResult, type CompactionSettings } from './cleaner.js';
export { type RetentionPlan } from './retention.js';
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
