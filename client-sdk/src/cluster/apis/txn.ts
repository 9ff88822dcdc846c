/**
 * Idempotent and transactional producers: InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn and
 * EndTxn on the transaction coordinator; TxnOffsetCommit on the group's coordinator. Kafka puts
 * these errors in the answer where Brook's WebSocket door fails the request: they are thrown
 * here, so the producer sees the same BrookError either way. Transactions v1 (KIP-98 with
 * KIP-890 part 1): AddPartitionsToTxn v3, EndTxn v4.
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import type { ApiMapping } from './types.js';

const txn = (transactionalId: string) => ({ kind: 'coordinator', keyType: 1, key: transactionalId }) as const;

function check(errorCode: number, what: string): void {
  if (errorCode !== 0) throw new BrookError(errorCode, `${what}: ${new BrookError(errorCode).message}`);
}

export const initProducerId: ApiMapping<'InitProducerId', 'InitProducerId'> = {
  kafka: 'InitProducerId',
  maxVersion: 5,
  // An idempotent producer's id comes from any broker.
  route: (b) => (b.transactionalId === null ? { kind: 'any' } : txn(b.transactionalId)),
  toKafka: (b) => ({ transactionalId: b.transactionalId, transactionTimeoutMs: b.transactionTimeoutMs }),
  fromKafka: (res) => {
    check(res.errorCode, 'InitProducerId');
    return { producerId: res.producerId, producerEpoch: res.producerEpoch };
  },
};

export const addPartitionsToTxn: ApiMapping<'AddPartitionsToTxn', 'AddPartitionsToTxn'> = {
  kafka: 'AddPartitionsToTxn',
  maxVersion: 3,
  route: (b) => txn(b.transactionalId),
  toKafka: (b) => ({
    v3AndBelowTransactionalId: b.transactionalId,
    v3AndBelowProducerId: b.producerId,
    v3AndBelowProducerEpoch: b.producerEpoch,
    v3AndBelowTopics: b.topics.map((t) => ({ name: t.topic, partitions: t.partitions })),
  }),
  fromKafka: (res) => ({
    topics: res.resultsByTopicV3AndBelow.map((t) => ({ topic: t.name, partitions: t.resultsByPartition.map((p) => ({ partition: p.partitionIndex, errorCode: p.partitionErrorCode })) })),
  }),
};

export const addOffsetsToTxn: ApiMapping<'AddOffsetsToTxn', 'AddOffsetsToTxn'> = {
  kafka: 'AddOffsetsToTxn',
  route: (b) => txn(b.transactionalId),
  toKafka: (b) => ({ transactionalId: b.transactionalId, producerId: b.producerId, producerEpoch: b.producerEpoch, groupId: b.groupId }),
  fromKafka: (res) => {
    check(res.errorCode, 'AddOffsetsToTxn');
    return {};
  },
};

export const endTxn: ApiMapping<'EndTxn', 'EndTxn'> = {
  kafka: 'EndTxn',
  maxVersion: 4,
  route: (b) => txn(b.transactionalId),
  toKafka: (b) => ({ transactionalId: b.transactionalId, producerId: b.producerId, producerEpoch: b.producerEpoch, committed: b.committed }),
  fromKafka: (res) => {
    check(res.errorCode, 'EndTxn');
    return {};
  },
};

export const txnOffsetCommit: ApiMapping<'TxnOffsetCommit', 'TxnOffsetCommit'> = {
  kafka: 'TxnOffsetCommit',
  maxVersion: 5,
  route: (b) => ({ kind: 'coordinator', keyType: 0, key: b.groupId }),
  toKafka: (b) => ({
    transactionalId: b.transactionalId,
    groupId: b.groupId,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    generationIdOrMemberEpoch: b.memberId === null ? -1 : b.memberEpoch,
    memberId: b.memberId ?? '',
    topics: b.topics.map((t) => ({
      name: t.topic,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedMetadata: p.metadata })),
    })),
  }),
  fromKafka: (res, _v, b) => ({
    topics: res.topics.map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, errorCode: memberEpochError(p.errorCode, b.memberId), errorMessage: null })) })),
  }),
};

/**
 * Kafka answers a stale member epoch in TxnOffsetCommit with ILLEGAL_GENERATION (the error its
 * transactional producer knows); for a KIP-848 member that is Brook's STALE_MEMBER_EPOCH.
 */
function memberEpochError(errorCode: number, memberId: string | null): number {
  return errorCode === ErrorCode.ILLEGAL_GENERATION && memberId !== null ? ErrorCode.STALE_MEMBER_EPOCH : errorCode;
}
