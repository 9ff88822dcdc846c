/** Public types of the group consumer (KafkaJS-shaped). */
import type { BrookError } from '@brook/protocol';

export type AutoOffsetReset = 'earliest' | 'latest' | 'none';
export type IsolationLevelName = 'read_committed' | 'read_uncommitted';
export type ServerAssignorName = 'uniform' | 'range' | 'roundrobin';
export type DeliveryGuarantee = 'at-least-once' | 'at-most-once';

/** A partition of a topic. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A topic and some of its partitions. */
export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** A position in a partition; `offset` is a decimal string (the next offset to read, for commits). */
export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** What `pause`/`resume` take: a whole topic, or some of its partitions. */
export interface TopicPartitionsSelector {
  topic: string;
  partitions?: number[];
}

export type PartitionsListener = (partitions: TopicPartition[]) => void | Promise<void>;

export interface ConsumerRebalanceListeners {
  /** Called after partitions were added to the assignment, before they are fetched (a place to `seek`). */
  onPartitionsAssigned?: PartitionsListener;
  /** Called when partitions are taken away in a rebalance, after their in-flight handlers finished and their processed offsets were committed. */
  onPartitionsRevoked?: PartitionsListener;
  /** Called when partitions were lost (the member was fenced or expelled): nothing is committed for them. */
  onPartitionsLost?: PartitionsListener;
}

export interface ConsumerConfig extends ConsumerRebalanceListeners {
  groupId: string;
  /** Static membership (KIP-345): a stable id per instance, so a quick restart gets its partitions back. */
  groupInstanceId?: string | null;
  /** ms without a heartbeat before the broker expels the member (default 45000; the broker allows 6000 to 30 min). */
  sessionTimeout?: number;
  /** ms between heartbeats (default 3000); the broker's value wins once it answers. */
  heartbeatInterval?: number;
  /** ms the member may take to give up revoked partitions (default 60000). */
  rebalanceTimeout?: number;
  /** Where to start when the group has no committed offset: 'earliest', 'latest' (default) or 'none' (crash with a clear error). */
  autoOffsetReset?: AutoOffsetReset;
  /** Fetch long poll (default 500 ms). */
  maxWaitTimeInMs?: number;
  minBytes?: number;
  /** Byte budget of one fetch (default 10 MiB). */
  maxBytes?: number;
  /** Byte budget per partition in one fetch (default 1 MiB). */
  maxBytesPerPartition?: number;
  /**
   * 'read_committed' (default, like KafkaJS): only records of committed transactions (and
   * non-transactional ones), up to the last stable offset. 'read_uncommitted': everything written,
   * including open and aborted transactions' records.
   */
  isolationLevel?: IsolationLevelName;
  /** KafkaJS's switch: true means isolationLevel 'read_uncommitted'. */
  readUncommitted?: boolean;
  /** The broker-side assignor: 'uniform' (default), 'range' or 'roundrobin'. */
  serverAssignor?: ServerAssignorName;
  /** Alias of `serverAssignor`. */
  assignor?: ServerAssignorName;
  /** Accepted for KafkaJS compatibility; ignored (assignments are computed by the broker). */
  partitionAssigners?: unknown[];
  /** Accepted for KafkaJS compatibility. Brook always retries retriable errors. */
  retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number; restartOnFailure?: (e: Error) => Promise<boolean> };
  /** Accepted for KafkaJS compatibility; topics are created with the admin client. */
  allowAutoTopicCreation?: boolean;
  /** Accepted for KafkaJS compatibility; ignored. */
  metadataMaxAge?: number;
  rackId?: string | null;
}

export interface ConsumerSubscribeTopics {
  topics: Array<string | RegExp>;
  fromBeginning?: boolean;
}

export interface ConsumerSubscribeTopic {
  topic: string | RegExp;
  fromBeginning?: boolean;
}

/** Header values come out as bytes (Buffers in Node); a repeated key gives an array. */
export interface MessageHeaders {
  [key: string]: Uint8Array | Uint8Array[] | null;
}

export interface KafkaMessage {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: MessageHeaders;
  /** Decimal string. */
  offset: string;
  /** ms since the epoch, as a decimal string. */
  timestamp: string;
  /** Bytes of key, value and headers. */
  size: number;
  attributes: number;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  /** Heartbeats run on their own timer; this exists for KafkaJS compatibility and resolves at once. */
  heartbeat(): Promise<void>;
  /** Pauses this partition (the rest of the batch is kept for later); returns a function that resumes it. */
  pause(): () => void;
}

export interface Batch {
  topic: string;
  partition: number;
  /** The partition's log end offset when the batch was fetched (decimal string). */
  highWatermark: string;
  messages: KafkaMessage[];
  isEmpty(): boolean;
  firstOffset(): string | null;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
}

export interface OffsetsByTopicPartition {
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
}

export interface EachBatchPayload {
  batch: Batch;
  /** Marks the message at `offset` (and everything before it) as processed. */
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  /** Commits the resolved offsets (or the given ones) when autoCommit is on (always when offsets are given). */
  commitOffsetsIfNecessary(offsets?: OffsetsByTopicPartition): Promise<void>;
  uncommittedOffsets(): OffsetsByTopicPartition;
  isRunning(): boolean;
  /** True once the batch should be abandoned (a seek, revocation, or stop). */
  isStale(): boolean;
  pause(): () => void;
}

export type EachMessageHandler = (payload: EachMessagePayload) => Promise<void> | void;
export type EachBatchHandler = (payload: EachBatchPayload) => Promise<void> | void;

export interface ConsumerRunConfig extends ConsumerRebalanceListeners {
  eachMessage?: EachMessageHandler;
  eachBatch?: EachBatchHandler;
  /** Default true. */
  autoCommit?: boolean;
  /** ms between auto commits (default 5000); null disables the timer. */
  autoCommitInterval?: number | null;
  /** Commit once this many messages were processed since the last commit. */
  autoCommitThreshold?: number | null;
  /** eachBatch: resolve the batch's last offset when the handler returns (default true). */
  eachBatchAutoResolve?: boolean;
  /** How many partitions are processed at the same time (default 1). */
  partitionsConsumedConcurrently?: number;
  /** 'at-least-once' (default: commit after processing) or 'at-most-once' (commit before processing). */
  deliveryGuarantee?: DeliveryGuarantee;
}

export const ConsumerEvents = {
  GROUP_JOIN: 'group.join',
  REBALANCING: 'rebalance',
  CRASH: 'crash',
  HEARTBEAT: 'heartbeat',
  COMMIT_OFFSETS: 'commit',
  FETCH: 'fetch',
  FETCH_START: 'fetch.start',
  START_BATCH_PROCESS: 'start.batch',
  END_BATCH_PROCESS: 'end.batch',
  CONNECT: 'connect',
  DISCONNECT: 'disconnect',
  STOP: 'stop',
  /** Brook's own: subscribed topic names that do not exist (payload `MissingTopicsPayload`), once per name. */
  MISSING_TOPICS: 'missing.topics',
} as const;

export type ConsumerEventName = (typeof ConsumerEvents)[keyof typeof ConsumerEvents];

/** KafkaJS's event names (and the same style for Brook's own), accepted by `consumer.on` as aliases. */
export const KAFKAJS_CONSUMER_EVENT_ALIASES: Readonly<Record<string, ConsumerEventName>> = {
  'consumer.group_join': 'group.join',
  'consumer.rebalancing': 'rebalance',
  'consumer.crash': 'crash',
  'consumer.heartbeat': 'heartbeat',
  'consumer.commit_offsets': 'commit',
  'consumer.fetch': 'fetch',
  'consumer.fetch_start': 'fetch.start',
  'consumer.start_batch_process': 'start.batch',
  'consumer.end_batch_process': 'end.batch',
  'consumer.connect': 'connect',
  'consumer.disconnect': 'disconnect',
  'consumer.stop': 'stop',
  'consumer.missing_topics': 'missing.topics',
};

export interface ConsumerEvent<P = Record<string, unknown>> {
  id: number;
  type: string;
  timestamp: number;
  payload: P;
}

export interface GroupJoinPayload {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  leaderId: null;
  isLeader: false;
  groupProtocol: string;
  memberAssignment: { [topic: string]: number[] };
  duration: number;
}

/** MISSING_TOPICS: subscribed names the broker does not know (the consumer keeps waiting for them). */
export interface MissingTopicsPayload {
  groupId: string;
  topics: string[];
}

export interface CrashPayload {
  error: BrookError | Error;
  groupId: string;
  restart: boolean;
}
