// TxnOffsetCommit: offsets that commit with the transaction. Each partition is checked like an
// OffsetCommit (ACLs, topic, member epoch and ownership: KIP-447's fencing); accepted ones are
// held by the transaction until EndTxn, which checks them again before it commits.
import { BrookError, ErrorCode, utf8Encode, validateName } from '@brook/protocol';
import type { TxnOffsetCommitResponse } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';
import type { OffsetEntry } from '../offsets/offsetStore.js';
import { allowed } from './acl.js';
import { MAX_OFFSET_METADATA_BYTES, fencingMessage } from './08_offsetCommit.js';

type PartitionResult = TxnOffsetCommitResponse['topics'][number]['partitions'][number];

export function txnOffsetCommit(ctx: BrokerContext): Handler<'TxnOffsetCommit'> {
  return async (req, conn) => {
    const bad = validateName('group', req.groupId);
    if (bad) throw new BrookError(ErrorCode.INVALID_GROUP_ID, bad);
    ctx.txns.checkProducer(req.transactionalId, req.producerId, req.producerEpoch);
    const groupAllowed = allowed(ctx, conn, 'group', req.groupId, 'use');
    const accepted: OffsetEntry[] = [];
    const topics = req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p): PartitionResult => {
        const refuse = (errorCode: number, errorMessage: string) => ({ partition: p.partition, errorCode, errorMessage });
        if (!groupAllowed) return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED, `not allowed to use group ${req.groupId}`);
        if (!allowed(ctx, conn, 'topic', t.topic, 'consume')) return refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `not allowed to consume ${t.topic}`);
        const topic = ctx.topics.get(t.topic);
        if (!topic || p.partition < 0 || p.partition >= topic.numPartitions) {
          return refuse(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic-partition ${t.topic}-${p.partition}`);
        }
        if (p.offset < 0) return refuse(ErrorCode.INVALID_REQUEST, `offset must be >= 0, got ${p.offset}`);
        if (p.metadata !== null && utf8Encode(p.metadata).length > MAX_OFFSET_METADATA_BYTES) {
          return refuse(ErrorCode.OFFSET_METADATA_TOO_LARGE, `metadata exceeds ${MAX_OFFSET_METADATA_BYTES} bytes`);
        }
        const code = ctx.groups.validateOffsetCommit(req.groupId, req.memberId, req.memberEpoch, t.topic, p.partition);
        if (code !== 0) return refuse(code, fencingMessage(code, req.memberId, t.topic, p.partition));
        accepted.push({ topic: t.topic, partition: p.partition, offset: p.offset, metadata: p.metadata });
        return { partition: p.partition, errorCode: 0, errorMessage: null };
      }),
    }));
    ctx.txns.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId, req.memberId, req.memberEpoch, accepted);
    return { topics };
  };
}
