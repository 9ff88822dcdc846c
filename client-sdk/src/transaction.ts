/**
 * A transaction of a transactional producer (KafkaJS's shape): `send` / `sendBatch` write records
 * that read_committed consumers see only after `commit`; `sendOffsets` adds a consumer group's
 * offsets, which commit with the records or not at all (consume-transform-produce, exactly once).
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import type { Producer, ProducerBatch, ProducerRecord, RecordMetadata } from './producer.js';
import type { ClientContext, GroupMemberHandle } from './context.js';

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
    private readonly producer: Producer,
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
    await this.producer.sendOffsetsInTransaction(
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
      await this.producer.endTransaction(commit);
    } finally {
      if (!this.producer.inTransaction()) this.active = false;
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
