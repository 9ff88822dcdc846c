// TxnOffsetCommit: offsets that commit with the transaction. Each partition is checked like an
// OffsetCommit (ACLs, topic, member epoch and ownership: KIP-447's fencing; a classic group's
// generation, member and instance id, without its state checks, as Kafka's transactional commits);
// accepted ones are held by the transaction until EndTxn, which checks them again before it commits.
import type { RequestOf, ResponseOf } from '@brook/protocol';
import type { BrokerContext, ServerHandler } from './types.js';
import { checkCommits, type GroupCommit } from '../services/offsetCommits.js';
import { authorize } from './acl.js';

/** Brook's request, plus what Kafka clients send or expect (see GroupCommit). */
export type TxnOffsetCommitHandlerRequest = RequestOf<'TxnOffsetCommit'> & Pick<GroupCommit, 'groupInstanceId' | 'acceptNegativeOffsets'>;

export function txnOffsetCommit(ctx: BrokerContext): ServerHandler<TxnOffsetCommitHandlerRequest, ResponseOf<'TxnOffsetCommit'>> {
  return async (req, conn) => {
    authorize(ctx, conn, 'transactionalId', req.transactionalId, 'write');
    ctx.txns.checkProducer(req.transactionalId, req.producerId, req.producerEpoch);
    const { topics, accepted } = checkCommits(ctx, conn, req, true);
    ctx.txns.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId, req.memberId, req.memberEpoch, accepted);
    return { topics };
  };
}
