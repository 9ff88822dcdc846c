// TxnOffsetCommit: offsets that commit with the transaction. Each partition is checked like an
// OffsetCommit (ACLs, topic, member epoch and ownership: KIP-447's fencing); accepted ones are
// held by the transaction until EndTxn, which checks them again before it commits.
import type { BrokerContext, Handler } from './types.js';
import { checkCommits } from '../services/offsetCommits.js';
import { authorize } from './acl.js';

export function txnOffsetCommit(ctx: BrokerContext): Handler<'TxnOffsetCommit'> {
  return async (req, conn) => {
    authorize(ctx, conn, 'transactionalId', req.transactionalId, 'write');
    ctx.txns.checkProducer(req.transactionalId, req.producerId, req.producerEpoch);
    const { topics, accepted } = checkCommits(ctx, conn, req);
    ctx.txns.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId, req.memberId, req.memberEpoch, accepted);
    return { topics };
  };
}
