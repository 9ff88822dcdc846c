/**
 * Transactions of a transactional producer (KafkaJS's shape): `Transaction`'s `send` / `sendBatch`
 * write records that read_committed consumers see only after `commit`; `sendOffsets` adds a
 * consumer group's offsets, which commit with the records or not at all (consume-transform-produce,
 * exactly once). `TransactionManager` holds the producer's side: begin, the partitions and groups
 * the transaction takes in (AddPartitionsToTxn before its first batch to a partition,
 * AddOffsetsToTxn before its first offsets of a group: Kafka needs both, Brook's WebSocket door
 * does them itself), EndTxn, TxnOffsetCommit.
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import { sleep } from '../connection.js';
import type { ClusterRequestOf, ClusterResponseOf } from '../transport/types.js';
import { groupByTopic } from '../util/collections.js';
import type { ClientContext, GroupMemberHandle } from '../context.js';
import type { ProducerCore } from './core.js';
import { isFatalTxnError, type ProducerIdentity } from './idempotence.js';
import type { Sender } from './sender.js';
import { asBrookError, rkey, type ProducerBatch, type ProducerRecord, type RecordMetadata, type Unit } from './types.js';

/** What a transaction sends through: the producer's `send` and `sendBatch`. */
export interface TransactionalSends {
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
}

type TxnOffsetTopics = Array<{ topic: string; partitions: Array<{ partition: number; offset: number; metadata: string | null }> }>;

export interface TransactionOffsets {
  /** The group whose offsets commit with the transaction. */
  consumerGroupId: string;
  /**
   * The consumer those offsets come from, so the broker can check it still owns the partitions
   * (its member id and epoch). Optional when exactly one consumer of the group runs in this client.
   */
  consumer?: GroupMemberHandle;
  /** Offsets are the next offset to read (last processed + 1), as decimal strings or numbers. */
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string | number; metadata?: string | null }> }>;
}

export class Transaction {
  private active = true;

  /** @internal Use `producer.transaction()`. */
  constructor(
    private readonly producer: TransactionalSends,
    private readonly manager: TransactionManager,
    private readonly ctx: ClientContext,
  ) {}

  isActive(): boolean {
    return this.active;
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    this.check();
    return this.producer.send(record);
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    this.check();
    return this.producer.sendBatch(batch);
  }

  async sendOffsets(offsets: TransactionOffsets): Promise<void> {
    this.check();
    const { consumerGroupId, topics } = offsets;
    if (typeof consumerGroupId !== 'string' || consumerGroupId.length === 0) {
      throw new BrookError(ErrorCode.INVALID_GROUP_ID, 'sendOffsets needs a consumerGroupId');
    }
    const member = offsets.consumer ?? this.localMember(consumerGroupId);
    const meta = member?.groupMetadata();
    if (meta && meta.groupId !== consumerGroupId) {
      throw new BrookError(ErrorCode.INVALID_REQUEST, `the consumer belongs to group ${meta.groupId}, not ${consumerGroupId}`);
    }
    await this.manager.sendOffsets(
      consumerGroupId,
      meta && meta.memberEpoch > 0 ? { memberId: meta.memberId, memberEpoch: meta.memberEpoch } : { memberId: null, memberEpoch: -1 },
      topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ partition: p.partition, offset: toOffset(p.offset), metadata: p.metadata ?? null })),
      })),
    );
  }

  /** Sends what is queued, then commits: the records and offsets become visible together. */
  commit(): Promise<void> {
    return this.end(true);
  }

  /** Aborts: read_committed consumers never see this transaction's records; its offsets are dropped. */
  abort(): Promise<void> {
    return this.end(false);
  }

  private async end(commit: boolean): Promise<void> {
    this.check();
    try {
      await this.manager.end(commit);
    } finally {
      if (!this.manager.open) this.active = false;
    }
  }

  private check(): void {
    if (!this.active) throw new BrookError(ErrorCode.INVALID_TXN_STATE, 'this transaction has ended; start another with producer.transaction()');
  }

  private localMember(groupId: string): GroupMemberHandle | undefined {
    const members = [...(this.ctx.groupMembers.get(groupId) ?? [])];
    if (members.length > 1) {
      throw new BrookError(ErrorCode.INVALID_REQUEST, `several consumers of group ${groupId} run in this client: pass sendOffsets({ consumer })`);
    }
    return members[0];
  }
}

function toOffset(o: string | number): number {
  const n = typeof o === 'string' ? Number(o) : o;
  if (!Number.isSafeInteger(n) || n < 0) throw new BrookError(ErrorCode.INVALID_REQUEST, `invalid offset ${String(o)}`);
  return n;
}

/** The producer's side of its transactions: one open at a time, its end, its offsets. */
export class TransactionManager {
  constructor(
    private readonly core: ProducerCore,
    private readonly identity: ProducerIdentity,
    private readonly sender: Sender,
  ) {
    sender.prepare = (units) => this.addPartitions(units);
  }

  get open(): boolean {
    return this.core.txn !== null;
  }

  /** The first call also registers the transactional id, fencing older producers with the same id. */
  async begin(): Promise<void> {
    const { core, identity } = this;
    if (identity.transactionalId === null) throw new BrookError(ErrorCode.INVALID_TXN_STATE, 'transaction() needs a producer created with a transactionalId');
    if (identity.fencedBy) throw identity.fencedBy;
    if (core.txn) throw new BrookError(ErrorCode.INVALID_TXN_STATE, 'a transaction is already in progress on this producer');
    core.txn = { failed: null, partitions: new Map(), groups: new Set() };
    try {
      await identity.ensureProducerId();
    } catch (e) {
      core.txn = null;
      throw e;
    }
  }

  /** Sends what is queued, then commits or aborts; after an abort (when `reinit`) takes a new epoch. */
  async end(commit: boolean, reinit = true): Promise<void> {
    const { core, identity } = this;
    const t = core.txn;
    if (!t) throw new BrookError(ErrorCode.INVALID_TXN_STATE, 'no transaction in progress');
    await this.sender.flushPending();
    if (commit && t.failed) throw t.failed;
    if (t.partitions.size === 0 && t.groups.size === 0) {
      // Nothing was written: nothing to end on the broker (Kafka refuses EndTxn for an empty
      // transaction; its own producer ends such a transaction locally, too).
      core.txn = null;
      return;
    }
    try {
      await this.request('EndTxn', {
        transactionalId: identity.transactionalId!,
        producerId: identity.producerId,
        producerEpoch: identity.producerEpoch,
        committed: commit,
      });
    } catch (e) {
      const err = asBrookError(e);
      // A commit the broker turned into an abort (its offsets were fenced) ends the transaction too.
      if (!commit || isFatalTxnError(err) || err.code === ErrorCode.STALE_MEMBER_EPOCH || err.code === ErrorCode.NOT_PARTITION_OWNER || err.code === ErrorCode.UNKNOWN_MEMBER_ID) {
        core.txn = null;
      }
      throw err;
    }
    core.txn = null;
    // After an abort, a new epoch: batches of the aborted transaction still in flight are fenced,
    // and the sequence numbers restart without the aborted ones' gaps.
    if (!commit && reinit) await identity.ensureProducerId(true);
  }

  async sendOffsets(groupId: string, member: { memberId: string | null; memberEpoch: number }, topics: TxnOffsetTopics): Promise<void> {
    const { core, identity } = this;
    const txn = core.txn;
    if (!txn) throw new BrookError(ErrorCode.INVALID_TXN_STATE, 'no transaction in progress');
    if (!txn.groups.has(groupId)) {
      await this.request('AddOffsetsToTxn', { transactionalId: identity.transactionalId!, producerId: identity.producerId, producerEpoch: identity.producerEpoch, groupId });
      txn.groups.add(groupId);
    }
    const res = await this.request('TxnOffsetCommit', {
      transactionalId: identity.transactionalId!,
      producerId: identity.producerId,
      producerEpoch: identity.producerEpoch,
      groupId,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      topics,
    });
    for (const t of res.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0) {
          const err = new BrookError(p.errorCode, p.errorMessage ?? `offset of ${t.topic}-${p.partition} refused`);
          txn.failed ??= err;
          throw err;
        }
      }
    }
  }

  /** Adds the partitions of these batches that the open transaction has not written to yet. */
  private async addPartitions(units: Unit[]): Promise<void> {
    const { identity } = this;
    const txn = this.core.txn;
    if (identity.transactionalId === null || !txn) return;
    const waits: Array<Promise<void>> = [];
    const missing: Unit[] = [];
    for (const u of units) {
      const known = txn.partitions.get(rkey(u.topic, u.partition));
      if (known) waits.push(known);
      else if (!missing.some((m) => m.topic === u.topic && m.partition === u.partition)) missing.push(u);
    }
    if (missing.length > 0) {
      const adding = this.request('AddPartitionsToTxn', {
        transactionalId: identity.transactionalId,
        producerId: identity.producerId,
        producerEpoch: identity.producerEpoch,
        topics: groupByTopic(missing, (u) => u.partition),
      }).then((res) => {
        const refused = res.topics.flatMap((t) => t.partitions.filter((p) => p.errorCode !== 0).map((p) => ({ topic: t.topic, ...p })));
        // Kafka answers OPERATION_NOT_ATTEMPTED (55) for the partitions beside the one that failed.
        const cause = refused.find((r) => r.errorCode !== 55) ?? refused[0];
        if (cause) throw new BrookError(cause.errorCode, `adding ${cause.topic}-${cause.partition} to the transaction failed: ${new BrookError(cause.errorCode).message}`);
      });
      for (const u of missing) {
        const k = rkey(u.topic, u.partition);
        // Others wait on this; a failed add is forgotten, so whoever sends next asks again.
        const entry: Promise<void> = adding.then(
          () => undefined,
          () => {
            if (txn.partitions.get(k) === entry) txn.partitions.delete(k);
          },
        );
        txn.partitions.set(k, entry);
      }
      waits.push(adding);
    }
    await Promise.all(waits);
    if (units.some((u) => !txn.partitions.has(rkey(u.topic, u.partition)))) return this.addPartitions(units);
  }

  private async request<N extends 'EndTxn' | 'TxnOffsetCommit' | 'AddPartitionsToTxn' | 'AddOffsetsToTxn'>(api: N, body: ClusterRequestOf<N>): Promise<ClusterResponseOf<N>> {
    const { core, identity } = this;
    for (let attempt = 0; ; attempt++) {
      try {
        return await core.cluster.request(api, body);
      } catch (e) {
        const err = asBrookError(e);
        if (isFatalTxnError(err)) identity.fencedBy = err;
        if (!err.retriable || attempt >= core.retries || core.state === 'disconnected') throw err;
        await sleep(core.backoff(attempt));
      }
    }
  }
}
