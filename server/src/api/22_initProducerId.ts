// InitProducerId: a fresh producer id (idempotent producer), or a transactional id's producer id
// with its epoch bumped, which fences older instances and aborts what they left open.
// A transactional id needs the write ACL on it (Kafka's WRITE on TransactionalId): without it,
// anyone could fence another principal's producer by taking its id.
import type { BrokerContext, Handler } from './types.js';
import { authorize } from './acl.js';

export function initProducerId(ctx: BrokerContext): Handler<'InitProducerId'> {
  return async (req, conn) => {
    if (req.transactionalId !== null) authorize(ctx, conn, 'transactionalId', req.transactionalId, 'write');
    return ctx.txns.initProducerId(req.transactionalId, req.transactionTimeoutMs);
  };
}
