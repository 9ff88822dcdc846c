/**
 * The producer's types: the public, KafkaJS-shaped ones (messages, records, config, events) and
 * the internal ones its parts pass between them (queued records, pending sends, batches).
 */
import { BrookError, ErrorCode, type RecordHeader } from '@brook/protocol';
import type { BytesInput, IHeaders } from '../encoding.js';

export interface Message {
  key?: BytesInput;
  value: BytesInput;
  headers?: IHeaders;
  /** An explicit partition wins over the partitioner. */
  partition?: number;
  /** Milliseconds since the epoch (a number, a decimal string as in KafkaJS, or a Date); default now. */
  timestamp?: number | string | Date;
}

/** -1 or 'all': written and fsynced (default); 1: written; 0: no answer awaited. */
export type Acks = -1 | 0 | 1 | 'all';

export interface ProducerRecord {
  topic: string;
  messages: Message[];
  acks?: Acks | number;
  /** How long the broker may take to satisfy `acks` (ms). Default 30000. */
  timeout?: number;
  /**
   * The batches' codec (CompressionTypes: None, GZIP, Snappy, LZ4, ZSTD), as in KafkaJS. Node has
   * all four; a browser those registered (`registerKafkaCodecs()` from `@brook/protocol/codecs`
   * gives gzip, snappy and lz4).
   */
  compression?: number;
}

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

export interface ProducerBatch {
  topicMessages?: TopicMessages[];
  acks?: Acks | number;
  timeout?: number;
  /** As ProducerRecord's. */
  compression?: number;
}

/** One per partition written by a `send`. Offsets are decimal strings, as in KafkaJS. */
export interface RecordMetadata {
  topic: string;
  /** KafkaJS's name for `topic`. */
  topicName: string;
  partition: number;
  errorCode: number;
  /** Offset of this send's first record in the partition ('-1' with acks 0). */
  baseOffset: string;
  /** Same as baseOffset (KafkaJS's field). */
  offset: string;
  logAppendTime: string;
  logStartOffset: string;
}

export interface RetryOptions {
  /** Attempts after the first one (default: the client's `retry.retries`, 5). */
  retries?: number;
  /** First backoff in ms (default 300, as KafkaJS). */
  initialRetryTime?: number;
  /** Longest backoff in ms (default 30000). */
  maxRetryTime?: number;
  /** Backoff growth per attempt (default 2). */
  multiplier?: number;
  /** Jitter, as a fraction of the backoff (default 0.2). */
  factor?: number;
}

export interface PartitionMetadata {
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

/** KafkaJS's custom partitioner shape: `createPartitioner: () => ({ topic, partitionMetadata, message }) => partition`. */
export type PartitionerFn = (args: { topic: string; partitionMetadata: PartitionMetadata[]; message: Message }) => number;
export type ICustomPartitioner = () => PartitionerFn;

export interface ProducerConfig {
  /** How long to wait for more records before sending a request (ms). Default 0: same macrotask. */
  linger?: number;
  /** Largest record batch the producer builds (bytes); default and cap: the broker's max.message.bytes (1 MiB). */
  batchSize?: number;
  /** Largest Produce request (bytes, default 1 MiB, Kafka's max.request.size); capped by the broker's frame limit. */
  maxRequestSize?: number;
  /** Produce requests outstanding at once on the connection (default 5). */
  maxInFlightRequests?: number;
  /** Bytes queued or in flight before `send` waits (default 32 MiB, like Kafka's buffer.memory). */
  maxBufferedBytes?: number;
  retry?: RetryOptions;
  /** Default: Kafka's murmur2 for keyed records, sticky for keyless ones. */
  createPartitioner?: ICustomPartitioner;
  /** How long partition counts are cached (ms, default 300000). */
  metadataMaxAge?: number;
  /** Accepted for KafkaJS compatibility (Brook never auto-creates topics). */
  allowAutoTopicCreation?: boolean;
  /** Default true: retried batches are never written twice (needs acks 1 or 'all'; acks 0 sends are not numbered). */
  idempotent?: boolean;
  /** Makes the producer transactional: `producer.transaction()`; a new instance with the same id fences the old one. */
  transactionalId?: string;
  /** The broker aborts a transaction open longer than this (ms, default 60000; at most the broker's 15 min). */
  transactionTimeout?: number;
}

/** Marks the built-in partitioners (Partitioners.DefaultPartitioner etc.), which the producer handles itself. */
export const BUILTIN_PARTITIONER: unique symbol = Symbol('brook.builtinPartitioner');

export const ProducerEvents = {
  CONNECT: 'producer.connect',
  DISCONNECT: 'producer.disconnect',
  REQUEST: 'producer.network.request',
} as const;
export type ProducerEventName = (typeof ProducerEvents)[keyof typeof ProducerEvents];
export interface ProducerEvent {
  id: number;
  type: ProducerEventName;
  timestamp: number;
  payload: Record<string, unknown>;
}

// ---- internals shared by the producer's parts

/** One `send` call waiting for the offsets of its records. */
export interface PendingSend {
  remaining: number;
  settled: boolean;
  /** Results by "topic\0partition", in order of first appearance. */
  results: Map<string, RecordMetadata | null>;
  resolve: (r: RecordMetadata[]) => void;
  reject: (e: Error) => void;
}

/** A record waiting in the accumulator; also a `RecordInput` for `encodeBatch`. */
export interface QueuedRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
  timestamp: number;
  size: number;
  send: PendingSend;
  /** Set on the send's first record in its partition: that record's offset is the result's baseOffset. */
  resultKey: string | null;
}

/** One record batch for one partition. */
export interface Unit {
  topic: string;
  partition: number;
  records: QueuedRecord[];
  /** The codec its bytes are compressed with (kept when it is renumbered or split). */
  compression: number;
  bytes: Uint8Array;
  /** The producer id and epoch it is numbered under (-1: not numbered). */
  producerId: number;
  producerEpoch: number;
  /** Sent at least once: from then on it is only ever resent as is (the broker may have written it). */
  sent: boolean;
}

/** The records of one acks level and codec waiting to be sent, by topic and partition. */
export interface Accumulator {
  acks: number;
  compression: number;
  timeout: number;
  bytes: number;
  topics: Map<string, Map<number, QueuedRecord[]>>;
  stickyTopics: Set<string>;
}

/** One Produce request's worth of batches, built and numbered, waiting for an in-flight slot. */
export interface ReadyRequest {
  acks: number;
  timeout: number;
  units: Unit[];
}

/** The open transaction's bookkeeping: the first failure that forbids committing it. */
export interface TxnState {
  failed: BrookError | null;
  /** Partitions added to the transaction (AddPartitionsToTxn), or being added, by rkey. */
  partitions: Map<string, Promise<void>>;
  /** Groups whose offsets the transaction carries (AddOffsetsToTxn). */
  groups: Set<string>;
}

/** Key of a partition in per-partition maps. */
export function rkey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

export function asBrookError(e: unknown): BrookError {
  if (e instanceof BrookError) return e;
  return new BrookError(ErrorCode.UNKNOWN_SERVER_ERROR, e instanceof Error ? e.message : String(e));
}
