/**
 * The producer: KafkaJS-shaped `send` / `sendBatch` over one connection, and its lifecycle.
 *
 * Records from every `send` call go into the accumulator (accumulator.ts), which the sender
 * (sender.ts) flushes after `linger` ms (default 0: whatever was queued in the same macrotask) into
 * Produce requests with one record batch per partition. Each `send` resolves with the offsets of
 * its own records: the batch's base offset plus the index of its first record in that partition
 * (delivery.ts). Once `maxBufferedBytes` are queued or in flight, `send` waits.
 *
 * Idempotence (on by default, as in Kafka 3+) numbers every batch (idempotence.ts). With a
 * `transactionalId`, every batch belongs to the open transaction (transaction.ts).
 */
import { BrookError, ErrorCode, compressionCodec, compressionName } from '@brook/protocol';
import type { ClientContext } from '../context.js';
import { RecordAccumulator } from './accumulator.js';
import { ProducerCore } from './core.js';
import { Delivery } from './delivery.js';
import { ProducerIdentity } from './idempotence.js';
import { Sender } from './sender.js';
import { Transaction, TransactionManager } from './transaction.js';
import {
  BUILTIN_PARTITIONER,
  ProducerEvents,
  asBrookError,
  type Acks,
  type ICustomPartitioner,
  type PendingSend,
  type ProducerBatch,
  type ProducerConfig,
  type ProducerEvent,
  type ProducerEventName,
  type ProducerRecord,
  type RecordMetadata,
  type TopicMessages,
} from './types.js';

/** A send's `compression`: 0 (none, the default) or a codec that can compress here. */
export function parseCompression(c: number | undefined): number {
  if (c === undefined || c === null || c === 0) return 0;
  if (!Number.isInteger(c) || c < 0 || c > 4) throw new BrookError(ErrorCode.INVALID_REQUEST, `compression must be one of CompressionTypes (0-4), got ${String(c)}`);
  if (!compressionCodec(c)?.compress) {
    throw new BrookError(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      `no ${compressionName(c)} compressor is registered here (in a browser, registerKafkaCodecs() from @brook/protocol/codecs adds gzip, snappy and lz4)`,
    );
  }
  return c;
}

export function parseAcks(acks: Acks | number | undefined): number {
  if (acks === undefined || acks === 'all' || acks === -1) return -1;
  if (acks === 0 || acks === 1) return acks;
  throw new BrookError(ErrorCode.INVALID_REQUEST, `acks must be 0, 1, -1 or 'all', got ${String(acks)}`);
}

export class Producer {
  private readonly core: ProducerCore;
  private readonly identity: ProducerIdentity;
  private readonly delivery: Delivery;
  private readonly accumulator: RecordAccumulator;
  private readonly sender: Sender;
  private readonly txn: TransactionManager;

  readonly transactionalId: string | null;
  readonly events = ProducerEvents;

  constructor(ctx: ClientContext, config: ProducerConfig = {}) {
    this.core = new ProducerCore(ctx, config);
    const cp = config.createPartitioner as (ICustomPartitioner & { [BUILTIN_PARTITIONER]?: true }) | undefined;
    const customPartitioner = cp && !cp[BUILTIN_PARTITIONER] ? cp() : null;
    this.identity = new ProducerIdentity(this.core);
    this.transactionalId = this.identity.transactionalId;
    this.delivery = new Delivery(this.core);
    this.accumulator = new RecordAccumulator(this.core, this.identity, this.delivery, customPartitioner);
    this.sender = new Sender(this.core, this.identity, this.accumulator, this.delivery);
    this.txn = new TransactionManager(this.core, this.identity, this.sender);
  }

  // ---- lifecycle and events

  async connect(): Promise<void> {
    this.core.state = 'connected';
    await this.core.cluster.connect();
    // As KafkaJS does: the producer id up front. For a transactional id this is the moment older
    // instances are fenced (and what they left open is aborted).
    if (this.identity.idempotent) await this.identity.ensureProducerId();
    this.core.emit(ProducerEvents.CONNECT, {});
  }

  /** Sends whatever is queued, waits for every outstanding request, then closes the connection. */
  async disconnect(): Promise<void> {
    const core = this.core;
    if (core.state === 'disconnected') return;
    await this.sender.flushPending();
    if (core.txn && !this.identity.fencedBy) {
      // An open transaction would hold read_committed consumers back until it times out: abort it.
      await this.txn.end(false, false).catch((e: unknown) => core.logger.warn('aborting the open transaction failed', { error: asBrookError(e).message }));
    }
    core.state = 'disconnected';
    await core.cluster.close();
    core.emit(ProducerEvents.DISCONNECT, {});
  }

  isIdempotent(): boolean {
    return this.identity.idempotent;
  }

  /** The producer id and epoch in use (-1 before the first send), e.g. for tests and logs. */
  producerIdentity(): { producerId: number; producerEpoch: number } {
    return { producerId: this.identity.producerId, producerEpoch: this.identity.producerEpoch };
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on(event: ProducerEventName, listener: (e: ProducerEvent) => void): () => void {
    return this.core.on(event, listener);
  }

  // ---- transactions

  /**
   * Starts a transaction (KafkaJS's API): the first call also registers the transactional id with
   * the broker, fencing any older producer with the same id and aborting what it left open.
   */
  async transaction(): Promise<Transaction> {
    await this.txn.begin();
    return new Transaction(this, this.txn, this.core.ctx);
  }

  // ---- public sending API

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (!record || typeof record !== 'object') return Promise.reject(new BrookError(ErrorCode.INVALID_REQUEST, 'send expects { topic, messages }'));
    return this.produce([{ topic: record.topic, messages: record.messages }], record.acks, record.timeout, record.compression);
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.produce(batch.topicMessages ?? [], batch.acks, batch.timeout, batch.compression);
  }

  private async produce(
    entries: TopicMessages[],
    acksIn: Acks | number | undefined,
    timeoutIn: number | undefined,
    compressionIn: number | undefined,
  ): Promise<RecordMetadata[]> {
    const { core, identity } = this;
    if (core.isClosed()) throw new BrookError(ErrorCode.NETWORK_EXCEPTION, 'The producer is disconnected');
    const acks = parseAcks(acksIn);
    const compression = parseCompression(compressionIn);
    const timeout = timeoutIn ?? 30_000;
    for (const e of entries) {
      if (typeof e.topic !== 'string' || e.topic.length === 0) throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'a topic name is required');
      if (!Array.isArray(e.messages)) throw new BrookError(ErrorCode.INVALID_REQUEST, `messages for topic ${e.topic} must be an array`);
    }
    if (entries.every((e) => e.messages.length === 0)) return [];
    if (identity.fencedBy) throw identity.fencedBy;
    if (identity.transactionalId !== null) {
      if (!core.txn) throw new BrookError(ErrorCode.INVALID_TXN_STATE, 'a transactional producer sends inside a transaction: use producer.transaction()');
      if (acks !== -1) throw new BrookError(ErrorCode.INVALID_REQUEST, "a transactional producer needs acks 'all'");
    }
    if (identity.idempotent && acks !== 0) await identity.ensureProducerId();

    // Resolve partitions first (may await metadata), then enqueue everything synchronously so the
    // records of one send never straddle two flushes needlessly.
    const placed = await this.accumulator.place(entries, Date.now());

    // Backpressure: wait while too much is queued or in flight.
    while (this.delivery.full) {
      this.sender.flush(false);
      await this.delivery.waitForSpace();
    }
    if (core.isClosed()) throw new BrookError(ErrorCode.NETWORK_EXCEPTION, 'The producer is disconnected');

    return new Promise<RecordMetadata[]>((resolve, reject) => {
      const send: PendingSend = { remaining: placed.length, settled: false, results: new Map(), resolve, reject };
      this.sender.scheduleFlush(this.accumulator.enqueue(placed, acks, compression, timeout, send));
    });
  }
}
