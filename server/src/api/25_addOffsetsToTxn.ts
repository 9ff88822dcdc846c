// AddOffsetsToTxn: the transaction will commit offsets of this group (sent by TxnOffsetCommit
// next); the coordinator checks the producer and starts the transaction.
import type { BrokerContext, ServerHandler } from './types.js';
import { authorize } from './acl.js';

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}

export function addOffsetsToTxn(ctx: BrokerContext): ServerHandler<AddOffsetsToTxnRequest, Record<string, never>> {
  return async (req, conn) => {
    authorize(ctx, conn, 'transactionalId', req.transactionalId, 'write');
    authorize(ctx, conn, 'group', req.groupId, 'use');
    ctx.txns.beginOffsets(req.transactionalId, req.producerId, req.producerEpoch);
    return {};
  };
}
