// InitProducerId: a fresh producer id (idempotent producer), or a transactional id's producer id
// with its epoch bumped, which fences older instances and aborts what they left open.
import type { BrokerContext, Handler } from './types.js';

export function initProducerId(ctx: BrokerContext): Handler<'InitProducerId'> {
  return async (req) => ctx.txns.initProducerId(req.transactionalId, req.transactionTimeoutMs);
}
