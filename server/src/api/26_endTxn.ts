// EndTxn: commit or abort. The coordinator writes the markers (and the transaction's offsets on
// commit) in one atomic write; a commit whose offsets are no longer the member's to commit is
// aborted instead and answered with the fencing error.
import type { BrokerContext, Handler } from './types.js';
import { authorize } from './acl.js';

export function endTxn(ctx: BrokerContext): Handler<'EndTxn'> {
  return async (req, conn) => {
    authorize(ctx, conn, 'transactionalId', req.transactionalId, 'write');
    await ctx.txns.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
    return {};
  };
}
