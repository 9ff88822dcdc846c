/**
 * Idempotence: the producer id and epoch from the broker, and each partition's sequence numbers.
 *
 * Every batch is numbered when it is built; a batch resent after a lost answer carries the same
 * numbers and the broker answers it with its original offsets instead of writing it twice. When a
 * batch is dropped unwritten (a gap in the numbering), the producer takes a new producer id (a
 * transactional producer instead fails the transaction: abort() takes a new epoch).
 */
import { BrookError, ErrorCode, encodeBatch, type RecordHeader } from '@brook/protocol';
import { sleep } from '../connection.js';
import type { ProducerCore } from './core.js';
import { asBrookError, rkey, type QueuedRecord, type Unit } from './types.js';

/** Producer id, epoch and first sequence number of a batch; null for an unnumbered batch. */
export interface BatchProducerFields {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  transactional: boolean;
}

/** What `encodePartitionBatch` needs of a queued record. */
export interface QueuedRecordInput {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
  timestamp: number;
}

/** Encodes one partition's records as one record batch (numbered when `producer` is given), compressed with codec `compression` (0: none). */
export function encodePartitionBatch(records: readonly QueuedRecordInput[], producer: BatchProducerFields | null = null, compression = 0): Uint8Array {
  return encodeBatch({ records: records as QueuedRecordInput[], ...producer, compression });
}

/** Errors after which a transactional producer instance can do nothing more. */
export function isFatalTxnError(e: BrookError): boolean {
  return e.code === ErrorCode.PRODUCER_FENCED || e.code === ErrorCode.INVALID_PRODUCER_EPOCH || e.code === ErrorCode.TRANSACTION_TIMED_OUT;
}

export class ProducerIdentity {
  readonly idempotent: boolean;
  readonly transactionalId: string | null;
  producerId = -1;
  producerEpoch = -1;
  /** Next sequence number per "topic\0partition" under the current producer id and epoch. */
  private readonly sequences = new Map<string, number>();
  /** The InitProducerId exchange under way, if any: numbering waits for it. */
  initializing: Promise<void> | null = null;
  /** Set once a newer instance fenced this one: every later call fails with it. */
  fencedBy: BrookError | null = null;

  constructor(private readonly core: ProducerCore) {
    const config = core.config;
    this.transactionalId = config.transactionalId ?? null;
    if (this.transactionalId !== null && config.idempotent === false) {
      throw new BrookError(ErrorCode.INVALID_REQUEST, 'a transactional producer is always idempotent: drop idempotent: false');
    }
    if (this.transactionalId !== null && (typeof this.transactionalId !== 'string' || this.transactionalId.length === 0)) {
      throw new BrookError(ErrorCode.INVALID_REQUEST, 'transactionalId must be a non-empty string');
    }
    this.idempotent = config.idempotent !== false;
  }

  /** Gets a producer id (and for a transactional id a bumped epoch); sequences restart at 0. */
  ensureProducerId(force = false): Promise<void> {
    if (this.fencedBy) return Promise.reject(this.fencedBy);
    if (!force && this.producerId >= 0) return Promise.resolve();
    if (this.initializing) return this.initializing;
    const core = this.core;
    const run = (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await core.cluster.request('InitProducerId', {
            transactionalId: this.transactionalId,
            transactionTimeoutMs: core.config.transactionTimeout ?? 60_000,
          });
          this.producerId = r.producerId;
          this.producerEpoch = r.producerEpoch;
          this.sequences.clear();
          core.logger.debug('producer id', { producerId: r.producerId, epoch: r.producerEpoch, transactionalId: this.transactionalId });
          return;
        } catch (e) {
          const err = asBrookError(e);
          if (!err.retriable || attempt >= core.retries || core.state === 'disconnected') throw err;
          await sleep(core.backoff(attempt));
        }
      }
    })().finally(() => {
      this.initializing = null;
    });
    this.initializing = run;
    return run;
  }

  /** A batch was dropped unwritten: its numbers left a gap, so the next batches need a new producer id. */
  sequenceGap(): void {
    if (!this.idempotent) return;
    if (this.transactionalId !== null) {
      // The transaction cannot commit with a hole in it; abort() takes a new epoch.
      const txn = this.core.txn;
      if (txn && !txn.failed) txn.failed = new BrookError(ErrorCode.INVALID_TXN_STATE, 'a send of this transaction failed: abort it');
      return;
    }
    this.producerId = -1;
    void this.ensureProducerId().catch((e: unknown) => this.core.logger.warn('could not get a new producer id', { error: asBrookError(e).message }));
  }

  /** A unit numbered under an older producer id (or never numbered) is numbered afresh before it is sent. */
  renumber(u: Unit, acks: number): Unit {
    if (u.sent || !this.idempotent || acks === 0) return u;
    if (u.producerId === this.producerId && u.producerEpoch === this.producerEpoch) return u;
    return this.makeUnit(u.topic, u.partition, u.records, acks, u.compression);
  }

  /** Encodes records as one batch, numbered (taking the partition's next sequence numbers) when idempotent. */
  makeUnit(topic: string, partition: number, records: QueuedRecord[], acks: number, compression: number): Unit {
    if (!this.idempotent || acks === 0 || this.producerId < 0) {
      return { topic, partition, records, compression, bytes: encodePartitionBatch(records, null, compression), producerId: -1, producerEpoch: -1, sent: false };
    }
    const k = rkey(topic, partition);
    const seq = this.sequences.get(k) ?? 0;
    this.sequences.set(k, (seq + records.length) % 2 ** 31);
    const bytes = encodePartitionBatch(records, {
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence: seq,
      transactional: this.transactionalId !== null,
    }, compression);
    return { topic, partition, records, compression, bytes, producerId: this.producerId, producerEpoch: this.producerEpoch, sent: false };
  }
}
