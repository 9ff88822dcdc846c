/**
 * The producer: KafkaJS-shaped `send` / `sendBatch` over one connection.
 *
 * Records from every `send` call go into an accumulator (per acks level, then topic and
 * partition). The accumulator is flushed after `linger` ms (default 0: whatever was queued in the
 * same macrotask), into one Produce request with one record batch per partition (split so that
 * each batch stays under the broker's max.message.bytes). Each `send` resolves with the offsets of
 * its own records: the batch's base offset plus the index of its first record in that partition.
 *
 * At most `maxInFlightRequests` Produce requests are outstanding; while all are busy the
 * accumulator keeps growing (so the next request is bigger), and once `maxBufferedBytes` are
 * queued or in flight, `send` waits. Retriable errors are retried with exponential backoff.
 *
 * Idempotence (on by default, as in Kafka 3+): the producer gets a producer id from the broker
 * and numbers each partition's records; a batch resent after a lost answer carries the same
 * numbers and the broker answers it with its original offsets instead of writing it twice. When a
 * batch is dropped unwritten (a gap in the numbering), the producer takes a new producer id.
 * With a `transactionalId`, every batch belongs to the open transaction (see transaction.ts).
 */
import {
  BATCH_HEADER_SIZE,
  BrookError,
  ErrorCode,
  encodeBatch,
  errorInfo,
  type ProduceRequest,
  type RequestOf,
  type ResponseOf,
  type RecordHeader,
  concatBytes,
} from '@brook/protocol';
import { sleep, type Connection } from './connection.js';
import { openConnection, type ClientContext } from './context.js';
import { recordSizeUpperBound, toBytes, toRecordHeaders, type BytesInput, type IHeaders } from './encoding.js';
import type { Logger } from './logger.js';
import { StickyPartitioner, keyedPartition } from './partitioner.js';
import { Transaction } from './transaction.js';

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
  /** Accepted for KafkaJS compatibility; only CompressionTypes.None is supported. */
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
  /** First backoff in ms (default 100). */
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

// ---- internals

interface PendingSend {
  remaining: number;
  settled: boolean;
  /** Results by "topic\0partition", in order of first appearance. */
  results: Map<string, RecordMetadata | null>;
  resolve: (r: RecordMetadata[]) => void;
  reject: (e: Error) => void;
}

/** A record waiting in the accumulator; also a `RecordInput` for `encodeBatch`. */
interface QueuedRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
  timestamp: number;
  size: number;
  send: PendingSend;
  /** Set on the send's first record in its partition: that record's offset is the result's baseOffset. */
  resultKey: string | null;
}

interface Accumulator {
  acks: number;
  timeout: number;
  bytes: number;
  topics: Map<string, Map<number, QueuedRecord[]>>;
  stickyTopics: Set<string>;
}

/** One record batch for one partition. */
interface Unit {
  topic: string;
  partition: number;
  records: QueuedRecord[];
  bytes: Uint8Array;
  /** The producer id and epoch it is numbered under (-1: not numbered). */
  producerId: number;
  producerEpoch: number;
  /** Sent at least once: from then on it is only ever resent as is (the broker may have written it). */
  sent: boolean;
}

const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Shared by queued records without headers (most): read only, frozen so nothing can add to it. */
const NO_HEADERS: RecordHeader[] = Object.freeze([]) as unknown as RecordHeader[];
/**
 * Default `maxRequestSize` (Kafka's max.request.size). A request goes out as soon as
 * EAGER_FLUSH_BYTES are queued, so the producer encodes the next one while the broker writes this
 * one. 64 sends of 100 x 100 B in flight, acks all: one 700 KB request at a time gave 200k msg/s,
 * 256 KiB requests 265-285k. Batches stay as large as a request allows (fewer, larger batches
 * for the broker to store and for consumers to decode).
 */
const DEFAULT_REQUEST_BYTES = 1024 * 1024;
/** Queued bytes at which a request goes out without waiting for the end of the tick. */
const EAGER_FLUSH_BYTES = 256 * 1024;
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Room for the request header and per-topic/partition fields in one frame. */
const FRAME_SLACK = 64 * 1024;
/** With acks 0, wait while this much is buffered in the socket. */
const ACKS0_HIGH_WATER = 8 * 1024 * 1024;

export function parseAcks(acks: Acks | number | undefined): number {
  if (acks === undefined || acks === 'all' || acks === -1) return -1;
  if (acks === 0 || acks === 1) return acks;
  throw new BrookError(ErrorCode.INVALID_REQUEST, `acks must be 0, 1, -1 or 'all', got ${String(acks)}`);
}

function toTimestamp(t: number | string | Date | undefined, now: number): number {
  if (t === undefined || t === null) return now;
  const n = t instanceof Date ? t.getTime() : typeof t === 'string' ? Number(t) : t;
  if (!Number.isSafeInteger(n)) throw new BrookError(ErrorCode.INVALID_RECORD, `invalid message timestamp ${String(t)}`);
  return n;
}

function asBrookError(e: unknown): BrookError {
  if (e instanceof BrookError) return e;
  return new BrookError(ErrorCode.UNKNOWN_SERVER_ERROR, e instanceof Error ? e.message : String(e));
}

function rkey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

/** Producer id, epoch and first sequence number of a batch; null for an unnumbered batch. */
export interface BatchProducerFields {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  transactional: boolean;
}

/** Encodes one partition's records as one record batch (numbered when `producer` is given). */
export function encodePartitionBatch(records: readonly QueuedRecordInput[], producer: BatchProducerFields | null = null): Uint8Array {
  return encodeBatch({ records: records as QueuedRecordInput[], ...producer });
}

/** What `encodePartitionBatch` needs of a queued record. */
export interface QueuedRecordInput {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
  timestamp: number;
}

export class Producer {
  private readonly ctx: ClientContext;
  private readonly config: ProducerConfig;
  private readonly logger: Logger;
  private readonly conn: Connection;
  private readonly sticky = new StickyPartitioner();
  private readonly customPartitioner: PartitionerFn | null;

  private readonly partitionCounts = new Map<string, { n: number; at: number }>();
  private readonly metadataInFlight = new Map<string, Promise<number>>();
  /** Per-topic batch size learned from MESSAGE_TOO_LARGE (the topic's max.message.bytes is below the broker default). */
  private readonly topicBatchLimit = new Map<string, number>();

  private readonly accumulators = new Map<number, Accumulator>();
  /** Requests already built (batches encoded and numbered) waiting for a free in-flight slot, in order. */
  private readonly ready: Array<{ acks: number; timeout: number; units: Unit[] }> = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private flushImmediate = false;
  private inFlight = 0;
  private buffered = 0;
  private readonly spaceWaiters: Array<() => void> = [];
  private readonly jobs = new Set<Promise<void>>();
  private state: 'idle' | 'connected' | 'disconnected' = 'idle';
  private readonly listeners = new Map<string, Set<(e: ProducerEvent) => void>>();
  private eventId = 0;

  // idempotence and transactions
  private readonly idempotent: boolean;
  readonly transactionalId: string | null;
  private producerId = -1;
  private producerEpoch = -1;
  /** Next sequence number per "topic\0partition" under the current producer id and epoch. */
  private readonly sequences = new Map<string, number>();
  private initializing: Promise<void> | null = null;
  /** Set once a newer instance fenced this one: every later call fails with it. */
  private fencedBy: BrookError | null = null;
  /** The open transaction's bookkeeping (transactional producers only). */
  private txnState: { failed: BrookError | null } | null = null;

  readonly events = ProducerEvents;

  constructor(ctx: ClientContext, config: ProducerConfig = {}) {
    this.ctx = ctx;
    this.config = config;
    this.logger = ctx.logger.namespace('Producer');
    this.conn = openConnection(ctx);
    const cp = config.createPartitioner as (ICustomPartitioner & { [BUILTIN_PARTITIONER]?: true }) | undefined;
    this.customPartitioner = cp && !cp[BUILTIN_PARTITIONER] ? cp() : null;
    this.transactionalId = config.transactionalId ?? null;
    if (this.transactionalId !== null && config.idempotent === false) {
      throw new BrookError(ErrorCode.INVALID_REQUEST, 'a transactional producer is always idempotent: drop idempotent: false');
    }
    if (this.transactionalId !== null && (typeof this.transactionalId !== 'string' || this.transactionalId.length === 0)) {
      throw new BrookError(ErrorCode.INVALID_REQUEST, 'transactionalId must be a non-empty string');
    }
    this.idempotent = config.idempotent !== false;
  }

  private get retries(): number {
    return this.config.retry?.retries ?? this.ctx.retries;
  }

  private get maxInFlight(): number {
    return Math.max(1, this.config.maxInFlightRequests ?? 5);
  }

  private get maxBuffered(): number {
    return this.config.maxBufferedBytes ?? 32 * 1024 * 1024;
  }

  private backoff(attempt: number): number {
    const r = this.config.retry ?? {};
    const initial = r.initialRetryTime ?? 100;
    const max = r.maxRetryTime ?? 30_000;
    const mult = r.multiplier ?? 2;
    const factor = r.factor ?? 0.2;
    const base = Math.min(initial * mult ** attempt, max);
    return Math.max(0, base * (1 - factor + Math.random() * 2 * factor));
  }

  // ---- lifecycle and events

  async connect(): Promise<void> {
    this.state = 'connected';
    await this.conn.connect();
    // As KafkaJS does: the producer id up front. For a transactional id this is the moment older
    // instances are fenced (and what they left open is aborted).
    if (this.idempotent) await this.ensureProducerId();
    this.emit(ProducerEvents.CONNECT, {});
  }

  /** Sends whatever is queued, waits for every outstanding request, then closes the connection. */
  async disconnect(): Promise<void> {
    if (this.state === 'disconnected') return;
    await this.flushPending();
    if (this.txnState && !this.fencedBy) {
      // An open transaction would hold read_committed consumers back until it times out: abort it.
      await this.endTransaction(false, false).catch((e: unknown) => this.logger.warn('aborting the open transaction failed', { error: asBrookError(e).message }));
    }
    this.state = 'disconnected';
    await this.conn.close();
    this.emit(ProducerEvents.DISCONNECT, {});
  }

  private isClosed(): boolean {
    return this.state === 'disconnected';
  }

  isIdempotent(): boolean {
    return this.idempotent;
  }

  // ---- producer id (idempotence, transactions)

  /** The producer id and epoch in use (-1 before the first send), e.g. for tests and logs. */
  producerIdentity(): { producerId: number; producerEpoch: number } {
    return { producerId: this.producerId, producerEpoch: this.producerEpoch };
  }

  /** Gets a producer id (and for a transactional id a bumped epoch); sequences restart at 0. */
  private ensureProducerId(force = false): Promise<void> {
    if (this.fencedBy) return Promise.reject(this.fencedBy);
    if (!force && this.producerId >= 0) return Promise.resolve();
    if (this.initializing) return this.initializing;
    const run = (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await this.conn.request('InitProducerId', {
            transactionalId: this.transactionalId,
            transactionTimeoutMs: this.config.transactionTimeout ?? 60_000,
          });
          this.producerId = r.producerId;
          this.producerEpoch = r.producerEpoch;
          this.sequences.clear();
          this.logger.debug('producer id', { producerId: r.producerId, epoch: r.producerEpoch, transactionalId: this.transactionalId });
          return;
        } catch (e) {
          const err = asBrookError(e);
          if (!err.retriable || attempt >= this.retries || this.state === 'disconnected') throw err;
          await sleep(this.backoff(attempt));
        }
      }
    })().finally(() => {
      this.initializing = null;
    });
    this.initializing = run;
    return run;
  }

  /** A batch was dropped unwritten: its numbers left a gap, so the next batches need a new producer id. */
  private sequenceGap(): void {
    if (!this.idempotent) return;
    if (this.transactionalId !== null) {
      // The transaction cannot commit with a hole in it; abort() takes a new epoch.
      if (this.txnState && !this.txnState.failed) this.txnState.failed = new BrookError(ErrorCode.INVALID_TXN_STATE, 'a send of this transaction failed: abort it');
      return;
    }
    this.producerId = -1;
    void this.ensureProducerId().catch((e: unknown) => this.logger.warn('could not get a new producer id', { error: asBrookError(e).message }));
  }

  /** A unit numbered under an older producer id (or never numbered) is numbered afresh before it is sent. */
  private renumber(u: Unit, acks: number): Unit {
    if (u.sent || !this.idempotent || acks === 0) return u;
    if (u.producerId === this.producerId && u.producerEpoch === this.producerEpoch) return u;
    return this.makeUnit(u.topic, u.partition, u.records, acks);
  }

  private makeUnit(topic: string, partition: number, records: QueuedRecord[], acks: number): Unit {
    if (!this.idempotent || acks === 0 || this.producerId < 0) {
      return { topic, partition, records, bytes: encodePartitionBatch(records), producerId: -1, producerEpoch: -1, sent: false };
    }
    const k = rkey(topic, partition);
    const seq = this.sequences.get(k) ?? 0;
    this.sequences.set(k, (seq + records.length) % 2 ** 31);
    const bytes = encodePartitionBatch(records, {
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence: seq,
      transactional: this.transactionalId !== null,
    });
    return { topic, partition, records, bytes, producerId: this.producerId, producerEpoch: this.producerEpoch, sent: false };
  }

  // ---- transactions (used by Transaction)

  /**
   * Starts a transaction (KafkaJS's API): the first call also registers the transactional id with
   * the broker, fencing any older producer with the same id and aborting what it left open.
   */
  async transaction(): Promise<Transaction> {
    await this.beginTransaction();
    return new Transaction(this, this.ctx);
  }

  /** @internal */
  inTransaction(): boolean {
    return this.txnState !== null;
  }

  /** @internal */
  async beginTransaction(): Promise<void> {
    if (this.transactionalId === null) throw new BrookError(ErrorCode.INVALID_TXN_STATE, 'transaction() needs a producer created with a transactionalId');
    if (this.fencedBy) throw this.fencedBy;
    if (this.txnState) throw new BrookError(ErrorCode.INVALID_TXN_STATE, 'a transaction is already in progress on this producer');
    this.txnState = { failed: null };
    try {
      await this.ensureProducerId();
    } catch (e) {
      this.txnState = null;
      throw e;
    }
  }

  /** @internal Sends everything queued and waits for every outstanding request. */
  async flushPending(): Promise<void> {
    for (;;) {
      this.flushAll(true);
      if (this.jobs.size === 0 && this.accumulators.size === 0 && this.ready.length === 0) return;
      await Promise.allSettled([...this.jobs]);
    }
  }

  /** @internal */
  async endTransaction(commit: boolean, reinit = true): Promise<void> {
    const t = this.txnState;
    if (!t) throw new BrookError(ErrorCode.INVALID_TXN_STATE, 'no transaction in progress');
    await this.flushPending();
    if (commit && t.failed) throw t.failed;
    try {
      await this.txnRequest('EndTxn', {
        transactionalId: this.transactionalId!,
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        committed: commit,
      });
    } catch (e) {
      const err = asBrookError(e);
      // A commit the broker turned into an abort (its offsets were fenced) ends the transaction too.
      if (!commit || isFatalTxnError(err) || err.code === ErrorCode.STALE_MEMBER_EPOCH || err.code === ErrorCode.NOT_PARTITION_OWNER || err.code === ErrorCode.UNKNOWN_MEMBER_ID) {
        this.txnState = null;
      }
      throw err;
    }
    this.txnState = null;
    // After an abort, a new epoch: batches of the aborted transaction still in flight are fenced,
    // and the sequence numbers restart without the aborted ones' gaps.
    if (!commit && reinit) await this.ensureProducerId(true);
  }

  /** @internal */
  async sendOffsetsInTransaction(groupId: string, member: { memberId: string | null; memberEpoch: number }, topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: number; metadata: string | null }> }>): Promise<void> {
    if (!this.txnState) throw new BrookError(ErrorCode.INVALID_TXN_STATE, 'no transaction in progress');
    const res = await this.txnRequest('TxnOffsetCommit', {
      transactionalId: this.transactionalId!,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      groupId,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      topics,
    });
    for (const t of res.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0) {
          const err = new BrookError(p.errorCode, p.errorMessage ?? `offset of ${t.topic}-${p.partition} refused`);
          this.txnState.failed ??= err;
          throw err;
        }
      }
    }
  }

  private async txnRequest<N extends 'EndTxn' | 'TxnOffsetCommit'>(api: N, body: RequestOf<N>): Promise<ResponseOf<N>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.conn.request(api, body);
      } catch (e) {
        const err = asBrookError(e);
        if (isFatalTxnError(err)) this.fencedBy = err;
        if (!err.retriable || attempt >= this.retries || this.state === 'disconnected') throw err;
        await sleep(this.backoff(attempt));
      }
    }
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on(event: ProducerEventName, listener: (e: ProducerEvent) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit(type: ProducerEventName, payload: Record<string, unknown>): void {
    const set = this.listeners.get(type);
    if (!set || set.size === 0) return;
    const e: ProducerEvent = { id: ++this.eventId, type, timestamp: Date.now(), payload };
    for (const l of set) {
      try {
        l(e);
      } catch (err) {
        this.logger.error('producer event listener threw', { event: type, error: (err as Error).message });
      }
    }
  }

  // ---- public sending API

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (!record || typeof record !== 'object') return Promise.reject(new BrookError(ErrorCode.INVALID_REQUEST, 'send expects { topic, messages }'));
    return this.produce([{ topic: record.topic, messages: record.messages }], record.acks, record.timeout);
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.produce(batch.topicMessages ?? [], batch.acks, batch.timeout);
  }

  private async produce(entries: TopicMessages[], acksIn: Acks | number | undefined, timeoutIn: number | undefined): Promise<RecordMetadata[]> {
    if (this.isClosed()) throw new BrookError(ErrorCode.NETWORK_EXCEPTION, 'The producer is disconnected');
    const acks = parseAcks(acksIn);
    const timeout = timeoutIn ?? 30_000;
    for (const e of entries) {
      if (typeof e.topic !== 'string' || e.topic.length === 0) throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'a topic name is required');
      if (!Array.isArray(e.messages)) throw new BrookError(ErrorCode.INVALID_REQUEST, `messages for topic ${e.topic} must be an array`);
    }
    if (entries.every((e) => e.messages.length === 0)) return [];
    if (this.fencedBy) throw this.fencedBy;
    if (this.transactionalId !== null) {
      if (!this.txnState) throw new BrookError(ErrorCode.INVALID_TXN_STATE, 'a transactional producer sends inside a transaction: use producer.transaction()');
      if (acks !== -1) throw new BrookError(ErrorCode.INVALID_REQUEST, "a transactional producer needs acks 'all'");
    }
    if (this.idempotent && acks !== 0) await this.ensureProducerId();

    // Resolve partitions first (may await metadata), then enqueue everything synchronously so the
    // records of one send never straddle two flushes needlessly.
    const now = Date.now();
    // `send` is filled in below, once the send's promise exists; records are built once, never copied.
    const placed: Array<{ topic: string; partition: number; n: number; rec: QueuedRecord; sticky: boolean }> = [];
    for (const { topic, messages } of entries) {
      let n = this.cachedCount(topic) ?? (await this.partitionCount(topic));
      for (const m of messages) {
        if (m === null || typeof m !== 'object') throw new BrookError(ErrorCode.INVALID_RECORD, `invalid message for topic ${topic}`);
        const key = toBytes(m.key);
        const value = toBytes(m.value);
        const headers = m.headers ? toRecordHeaders(m.headers) : NO_HEADERS;
        const timestamp = toTimestamp(m.timestamp, now);
        let partition: number;
        let sticky = false;
        if (m.partition !== undefined && m.partition !== null) {
          partition = m.partition;
          if (!Number.isInteger(partition) || partition < 0) {
            throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `invalid partition ${String(partition)} for topic ${topic}`);
          }
          if (partition >= n) {
            n = await this.partitionCount(topic, true);
            if (partition >= n) {
              throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${partition} out of range: topic ${topic} has ${n} partitions`);
            }
          }
        } else if (this.customPartitioner) {
          partition = this.customPartitioner({ topic, partitionMetadata: partitionMetadata(n), message: m });
          if (!Number.isInteger(partition) || partition < 0 || partition >= n) {
            throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `custom partitioner returned ${String(partition)} for topic ${topic} with ${n} partitions`);
          }
        } else if (key !== null) {
          partition = keyedPartition(key, n);
        } else {
          partition = this.sticky.partition(topic, n);
          sticky = true;
        }
        placed.push({ topic, partition, n, sticky, rec: { key, value, headers, timestamp, size: recordSizeUpperBound(key, value, headers), send: null as unknown as PendingSend, resultKey: null } });
      }
    }

    // Backpressure: wait while too much is queued or in flight.
    while (this.buffered > 0 && this.buffered >= this.maxBuffered) {
      this.flushAll(false);
      await new Promise<void>((r) => this.spaceWaiters.push(r));
    }
    if (this.isClosed()) throw new BrookError(ErrorCode.NETWORK_EXCEPTION, 'The producer is disconnected');

    return new Promise<RecordMetadata[]>((resolve, reject) => {
      const send: PendingSend = { remaining: placed.length, settled: false, results: new Map(), resolve, reject };
      let acc = this.accumulators.get(acks);
      if (!acc) {
        acc = { acks, timeout, bytes: 0, topics: new Map(), stickyTopics: new Set() };
        this.accumulators.set(acks, acc);
      }
      acc.timeout = Math.max(acc.timeout, timeout);
      // Consecutive records usually share a partition: look the partition up once per run of them.
      let runTopic: string | null = null;
      let runPartition = -1;
      let list: QueuedRecord[] = [];
      let bytes = 0;
      for (const p of placed) {
        // Keyless records take the sticky partition current at enqueue time (it moves on flush).
        const partition = p.sticky ? this.sticky.partition(p.topic, p.n) : p.partition;
        p.rec.send = send;
        if (p.topic !== runTopic || partition !== runPartition) {
          runTopic = p.topic;
          runPartition = partition;
          if (p.sticky) acc.stickyTopics.add(p.topic);
          const k = rkey(p.topic, partition);
          if (!send.results.has(k)) {
            send.results.set(k, null);
            p.rec.resultKey = k;
          }
          let parts = acc.topics.get(p.topic);
          if (!parts) acc.topics.set(p.topic, (parts = new Map()));
          const existing = parts.get(partition);
          if (existing) list = existing;
          else parts.set(partition, (list = []));
        }
        list.push(p.rec);
        bytes += p.rec.size;
      }
      acc.bytes += bytes;
      this.buffered += bytes;
      this.scheduleFlush(acc);
    });
  }

  // ---- metadata

  private cachedCount(topic: string): number | undefined {
    const c = this.partitionCounts.get(topic);
    if (!c) return undefined;
    if (Date.now() - c.at > (this.config.metadataMaxAge ?? 300_000)) return undefined;
    return c.n;
  }

  private async partitionCount(topic: string, refresh = false): Promise<number> {
    if (!refresh) {
      const n = this.cachedCount(topic);
      if (n !== undefined) return n;
    }
    let p = this.metadataInFlight.get(topic);
    if (!p) {
      p = this.fetchPartitionCount(topic).finally(() => this.metadataInFlight.delete(topic));
      this.metadataInFlight.set(topic, p);
    }
    return p;
  }

  private async fetchPartitionCount(topic: string): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.conn.request('Metadata', { topics: [topic] });
        const t = res.topics.find((x) => x.name === topic);
        if (!t || t.errorCode !== 0) {
          this.partitionCounts.delete(topic);
          throw new BrookError(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, t?.errorMessage ?? `unknown topic ${topic}`);
        }
        const prev = this.partitionCounts.get(topic);
        if (prev && prev.n !== t.numPartitions) this.sticky.reset(topic);
        this.partitionCounts.set(topic, { n: t.numPartitions, at: Date.now() });
        return t.numPartitions;
      } catch (e) {
        const err = asBrookError(e);
        // An unknown topic is final here (no auto-creation); other retriable errors are retried.
        if (err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || !err.retriable || attempt >= this.retries || this.state === 'disconnected') throw err;
        await sleep(this.backoff(attempt));
      }
    }
  }

  // ---- flushing

  private scheduleFlush(acc: Accumulator): void {
    const linger = this.config.linger ?? 0;
    if (acc.bytes >= Math.min(EAGER_FLUSH_BYTES, this.maxRequestBytes) && this.inFlight < this.maxInFlight) {
      // Plenty queued: no reason to wait.
      this.flushAll(false);
      return;
    }
    if (this.flushTimer !== null || this.flushImmediate) return;
    if (linger <= 0) {
      this.flushImmediate = true;
      const si = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
      const run = () => {
        this.flushImmediate = false;
        this.flushAll(false);
      };
      if (si) si(run);
      else setTimeout(run, 0);
    } else {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.flushAll(false);
      }, linger);
    }
  }

  /**
   * Turns the accumulators into Produce requests and starts as many as there are free in-flight
   * slots (all of them when `force`); the rest wait in `ready`, in sequence order. While every slot
   * is busy the accumulator keeps growing and is split into requests when a slot frees.
   */
  private flushAll(force: boolean): void {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    this.startReady(force);
    if (!force && (this.inFlight >= this.maxInFlight || this.ready.length > 0)) return;
    for (const [acks, acc] of this.accumulators) {
      this.accumulators.delete(acks);
      for (const topic of acc.stickyTopics) {
        const n = this.cachedCount(topic);
        if (n !== undefined) this.sticky.onNewBatch(topic, n);
      }
      const units: Unit[] = [];
      for (const [topic, parts] of acc.topics) {
        for (const [partition, records] of parts) units.push(...this.buildUnits(topic, partition, records, acc.acks));
      }
      for (const request of this.packRequests(units)) this.ready.push({ acks: acc.acks, timeout: acc.timeout, units: request });
    }
    this.startReady(force);
  }

  private startReady(force: boolean): void {
    while (this.ready.length > 0 && (force || this.inFlight < this.maxInFlight)) {
      const r = this.ready.shift()!;
      this.startJob(r.acks, r.timeout, r.units);
    }
  }

  private get maxRequestBytes(): number {
    const frameLimit = Math.max((this.conn.handshake?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES) - FRAME_SLACK, 1);
    return Math.min(frameLimit, this.config.maxRequestSize ?? DEFAULT_REQUEST_BYTES);
  }

  private maxBatchBytes(topic: string): number {
    let limit = this.conn.handshake?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (this.config.batchSize !== undefined) limit = Math.min(limit, Math.max(this.config.batchSize, BATCH_HEADER_SIZE + 1));
    const learned = this.topicBatchLimit.get(topic);
    if (learned !== undefined) limit = Math.min(limit, learned);
    return limit;
  }

  /** Splits one partition's records into batches under the size limit; a record too big alone fails locally. */
  private buildUnits(topic: string, partition: number, records: QueuedRecord[], acks: number): Unit[] {
    const limit = this.maxBatchBytes(topic);
    const brokerLimit = this.conn.handshake?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const units: Unit[] = [];
    let cur: QueuedRecord[] = [];
    let curBytes = BATCH_HEADER_SIZE;
    const close = () => {
      if (cur.length === 0) return;
      const bytes = encodePartitionBatch(cur);
      if (cur.length === 1 && bytes.length > brokerLimit) {
        this.failRecords(cur, new BrookError(ErrorCode.MESSAGE_TOO_LARGE, `a record of ${bytes.length} bytes (as a batch) exceeds the broker's max.message.bytes ${brokerLimit}`));
      } else {
        units.push(this.makeUnit(topic, partition, cur, acks));
      }
      cur = [];
      curBytes = BATCH_HEADER_SIZE;
    };
    for (const r of records) {
      if (r.send.settled) {
        this.releaseBytes(r.size);
        continue;
      }
      if (cur.length > 0 && curBytes + r.size > limit) close();
      cur.push(r);
      curBytes += r.size;
    }
    close();
    return units;
  }

  /** Packs batches into requests of at most `maxRequestSize` (a batch larger than that goes alone). */
  private packRequests(units: Unit[]): Unit[][] {
    const limit = this.maxRequestBytes;
    const out: Unit[][] = [];
    let cur: Unit[] = [];
    let bytes = 0;
    for (const u of units) {
      if (cur.length > 0 && bytes + u.bytes.length > limit) {
        out.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(u);
      bytes += u.bytes.length;
    }
    if (cur.length > 0) out.push(cur);
    return out;
  }

  private startJob(acks: number, timeout: number, units: Unit[]): void {
    this.inFlight++;
    const job = this.runRequest(acks, timeout, units)
      .catch((e: unknown) => {
        // runRequest settles its records itself; this is a last resort.
        this.failUnits(units, asBrookError(e));
      })
      .finally(() => {
        this.jobs.delete(job);
        this.inFlight--;
        this.startReady(false);
        if (this.accumulators.size > 0 && this.flushTimer === null && !this.flushImmediate) this.flushAll(false);
      });
    this.jobs.add(job);
  }

  private buildRequest(acks: number, timeout: number, units: Unit[]): { body: ProduceRequest; groups: Map<string, Unit[]> } {
    const groups = new Map<string, Unit[]>();
    const topics = new Map<string, Map<number, Unit[]>>();
    for (const u of units) {
      const k = rkey(u.topic, u.partition);
      let g = groups.get(k);
      if (!g) {
        groups.set(k, (g = []));
        let t = topics.get(u.topic);
        if (!t) topics.set(u.topic, (t = new Map()));
        t.set(u.partition, g);
      }
      g.push(u);
    }
    const body: ProduceRequest = {
      transactionalId: null,
      acks,
      timeoutMs: timeout,
      topics: [...topics].map(([topic, parts]) => ({
        topic,
        partitions: [...parts].map(([partition, us]) => ({ partition, records: concatBytes(us.map((u) => u.bytes)) })),
      })),
    };
    return { body, groups };
  }

  private async runRequest(acks: number, timeout: number, units: Unit[]): Promise<void> {
    let pending = units;
    let attempt = 0;
    while (pending.length > 0) {
      if (this.idempotent && acks !== 0) {
        if (this.initializing) await this.initializing.catch(() => undefined);
        pending = pending.map((u) => this.renumber(u, acks));
      }
      for (const u of pending) u.sent = true;
      const { body, groups } = this.buildRequest(acks, timeout, pending);
      const retry: Unit[] = [];
      let lastError: BrookError | null = null;
      try {
        if (acks === 0) {
          await this.conn.sendOnly('Produce', body);
          for (const us of groups.values()) this.ackUnits(us, -1, -1);
          while (this.conn.bufferedAmount > ACKS0_HIGH_WATER && this.conn.isConnected) await sleep(1);
          return;
        }
        this.emit(ProducerEvents.REQUEST, { apiName: 'Produce', partitions: groups.size });
        const res = await this.conn.request('Produce', body, { timeoutMs: Math.max(this.ctx.requestTimeout, timeout + 5000) });
        const answered = new Map<string, { errorCode: number; errorMessage: string | null; baseOffset: number; logStartOffset: number }>();
        for (const t of res.topics) for (const p of t.partitions) answered.set(rkey(t.topic, p.partition), p);
        for (const [k, us] of groups) {
          const p = answered.get(k);
          if (!p) {
            this.failUnits(us, new BrookError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${us[0]!.topic}-${us[0]!.partition} in the Produce response`));
            continue;
          }
          if (p.errorCode === 0) {
            this.ackUnits(us, p.baseOffset, p.logStartOffset);
            continue;
          }
          const err = new BrookError(p.errorCode, p.errorMessage);
          const recordCount = us.reduce((s, u) => s + u.records.length, 0);
          if (p.errorCode === ErrorCode.MESSAGE_TOO_LARGE && recordCount > 1 && us.every((u) => u.records.length === 1)) {
            // Several single-record batches, one of them too large: send each alone to find it.
            for (const u of us) this.startJob(acks, timeout, [u]);
            continue;
          }
          if (p.errorCode === ErrorCode.MESSAGE_TOO_LARGE && recordCount > 1) {
            // The topic's max.message.bytes is below the broker default: learn a smaller batch
            // size and split (this does not count as a retry; it ends at single-record batches).
            const largest = Math.max(...us.map((u) => u.bytes.length));
            const topic = us[0]!.topic;
            this.topicBatchLimit.set(topic, Math.max(BATCH_HEADER_SIZE + 1, Math.floor(Math.min(largest, this.maxBatchBytes(topic)) / 2)));
            this.logger.debug('batch too large for the topic, splitting', { topic, bytes: largest });
            const split: Unit[] = [];
            for (const u of us) {
              const again = this.buildUnits(u.topic, u.partition, u.records, acks);
              split.push(...(again.length === 1 && again[0]!.records.length === u.records.length && u.records.length > 1 ? this.halve(u, acks) : again));
            }
            // The refused batches' numbers were never written: renumber under a new producer id.
            this.sequenceGap();
            retry.push(...split);
            continue;
          }
          if (p.errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
            // An earlier batch of the partition is still on its way (resent after a reconnect):
            // nothing of this one was written, so it is retried (renumbered if the id changed).
            for (const u of us) if (u.producerId !== this.producerId) u.sent = false;
            retry.push(...us);
            lastError = err;
            continue;
          }
          if (p.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER && attempt > 0 && us.every((u) => u.producerId === this.producerId)) {
            // A resend of batches the broker wrote, older than the last 5 it remembers per
            // partition (a request can hold several batches of one partition): written once,
            // offsets unknown. Kafka's producer treats this answer the same way.
            this.ackUnits(us, -1, -1);
            continue;
          }
          if (isFatalTxnError(err)) this.fencedBy = err;
          if (err.retriable) {
            retry.push(...us);
            lastError = err;
          } else {
            this.failUnits(us, err);
            this.sequenceGap();
          }
        }
      } catch (e) {
        const err = asBrookError(e);
        if (!err.retriable || this.state === 'disconnected') {
          this.failUnits(pending, err);
          return;
        }
        retry.push(...pending);
        lastError = err;
      }
      if (retry.length === 0) return;
      if (lastError === null) {
        // Only re-split batches to send again: not a failed attempt.
        pending = retry;
        continue;
      }
      if (attempt >= this.retries) {
        this.failUnits(retry, lastError);
        this.sequenceGap();
        return;
      }
      this.logger.debug('retrying produce', { attempt: attempt + 1, error: lastError.type, partitions: retry.length });
      await sleep(this.backoff(attempt));
      attempt++;
      pending = lastError.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? await this.dropVanished(retry) : retry;
    }
  }

  /** Splits a batch in two (when re-splitting by size does not shrink it). */
  private halve(u: Unit, acks: number): Unit[] {
    const mid = Math.ceil(u.records.length / 2);
    return [u.records.slice(0, mid), u.records.slice(mid)].filter((r) => r.length > 0).map((records) => this.makeUnit(u.topic, u.partition, records, acks));
  }

  /** After UNKNOWN_TOPIC_OR_PARTITION: refreshes metadata and fails batches whose topic or partition is gone. */
  private async dropVanished(units: Unit[]): Promise<Unit[]> {
    const keep: Unit[] = [];
    const counts = new Map<string, number | BrookError>();
    for (const u of units) {
      if (!counts.has(u.topic)) {
        try {
          counts.set(u.topic, await this.partitionCount(u.topic, true));
        } catch (e) {
          const err = asBrookError(e);
          counts.set(u.topic, err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? err : -1);
        }
      }
      const n = counts.get(u.topic)!;
      if (n instanceof BrookError) this.failUnits([u], n);
      else if (n >= 0 && u.partition >= n) {
        this.failUnits([u], new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${u.partition} out of range: topic ${u.topic} has ${n} partitions`));
      } else keep.push(u);
    }
    return keep;
  }

  // ---- settling sends

  private ackUnits(units: Unit[], baseOffset: number, logStartOffset: number): void {
    let i = 0;
    for (const u of units) {
      for (const r of u.records) {
        const offset = baseOffset < 0 ? -1 : baseOffset + i;
        i++;
        this.releaseBytes(r.size);
        const s = r.send;
        if (s.settled) continue;
        if (r.resultKey !== null) {
          const off = String(offset);
          s.results.set(r.resultKey, {
            topic: u.topic,
            topicName: u.topic,
            partition: u.partition,
            errorCode: 0,
            baseOffset: off,
            offset: off,
            logAppendTime: '-1',
            logStartOffset: String(logStartOffset),
          });
        }
        if (--s.remaining === 0) {
          s.settled = true;
          s.resolve([...s.results.values()].filter((m): m is RecordMetadata => m !== null));
        }
      }
    }
  }

  private failUnits(units: Unit[], err: BrookError): void {
    for (const u of units) this.failRecords(u.records, err);
  }

  private failRecords(records: QueuedRecord[], err: BrookError): void {
    if (this.txnState && !this.txnState.failed && records.length > 0) this.txnState.failed = err;
    for (const r of records) {
      this.releaseBytes(r.size);
      if (r.send.settled) continue;
      r.send.settled = true;
      r.send.reject(err);
    }
  }

  private releaseBytes(n: number): void {
    this.buffered -= n;
    if (this.buffered < this.maxBuffered && this.spaceWaiters.length > 0) {
      const waiters = this.spaceWaiters.splice(0);
      for (const w of waiters) w();
    }
  }
}

function partitionMetadata(n: number): PartitionMetadata[] {
  return Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0] }));
}


/** Errors after which a transactional producer instance can do nothing more. */
function isFatalTxnError(e: BrookError): boolean {
  return e.code === ErrorCode.PRODUCER_FENCED || e.code === ErrorCode.INVALID_PRODUCER_EPOCH || e.code === ErrorCode.TRANSACTION_TIMED_OUT;
}
