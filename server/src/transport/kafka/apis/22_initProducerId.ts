// InitProducerId: an idempotent producer's id, or a transactional id's with its epoch bumped.
// v3+ may name the current producer id and epoch; Brook bumps the epoch of the transactional id
// either way (what Kafka does when they match), and refuses a producer id it did not give that id.
import { ErrorCode } from '@brook/protocol';
import type { KafkaAdapter, KafkaResponseOf } from '../types.js';

function answer(errorCode: number, producerId = -1, producerEpoch = -1): KafkaResponseOf<'InitProducerId'> {
  return { throttleTimeMs: 0, errorCode, producerId, producerEpoch, ongoingTxnProducerId: -1, ongoingTxnProducerEpoch: -1 };
}

export const initProducerId: KafkaAdapter<'InitProducerId'> = {
  async handle(body, rc) {
    if (body.transactionalId !== null && body.producerId >= 0) {
      const owner = rc.ctx.txns.transactionalIdOf(body.producerId);
      if (owner !== body.transactionalId) return answer(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    }
    const res = (await rc.handlers.InitProducerId({ transactionalId: body.transactionalId, transactionTimeoutMs: body.transactionTimeoutMs }, rc.conn))!;
    return answer(0, res.producerId, res.producerEpoch);
  },
  error: (_body, errorCode) => answer(errorCode),
};
