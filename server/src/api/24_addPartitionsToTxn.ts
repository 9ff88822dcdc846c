// AddPartitionsToTxn: Kafka clients name the partitions of a transaction before producing to
// them; the coordinator checks the producer's epoch and state and adds them (a Produce would too).
import { ErrorCode } from '@brook/protocol';
import type { BrokerContext, ServerHandler } from './types.js';
import { allowed, authorize } from './acl.js';
import { toErrorCode } from './errors.js';
import type { PartitionLog } from '../log/partitionLog.js';

export interface AddPartitionsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** Only check that the partitions are in the transaction already (KIP-890). */
  verifyOnly: boolean;
  topics: Array<{ topic: string; partitions: number[] }>;
}
export interface AddPartitionsToTxnResponse {
  topics: Array<{ topic: string; partitions: Array<{ partition: number; errorCode: number }> }>;
}

export function addPartitionsToTxn(ctx: BrokerContext): ServerHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse> {
  return async (req, conn) => {
    authorize(ctx, conn, 'transactionalId', req.transactionalId, 'write');
    // As Kafka: if any partition is refused, none is added; the others answer OPERATION_NOT_ATTEMPTED.
    const refused = new Map<string, number>();
    const logs: PartitionLog[] = [];
    for (const t of req.topics) {
      const permitted = allowed(ctx, conn, 'topic', t.topic, 'produce');
      for (const p of t.partitions) {
        const log = ctx.topics.partition(t.topic, p);
        if (!permitted) refused.set(`${t.topic}\0${p}`, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        else if (!log) refused.set(`${t.topic}\0${p}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        else logs.push(log);
      }
    }
    let code = 0;
    if (refused.size > 0) code = OPERATION_NOT_ATTEMPTED;
    else {
      try {
        ctx.txns.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, logs, req.verifyOnly);
      } catch (e) {
        code = toErrorCode(e, ctx.logger).errorCode;
      }
    }
    return {
      topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((partition) => ({ partition, errorCode: refused.get(`${t.topic}\0${partition}`) ?? code })) })),
    };
  };
}

/** Kafka's OPERATION_NOT_ATTEMPTED: this partition was fine, another one of the request was not. */
const OPERATION_NOT_ATTEMPTED = 55;
