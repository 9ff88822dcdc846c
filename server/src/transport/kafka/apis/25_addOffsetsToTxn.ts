// AddOffsetsToTxn: the transaction will carry this group's offsets (TxnOffsetCommit sends them).
import type { KafkaAdapter } from '../types.js';

export const addOffsetsToTxn: KafkaAdapter<'AddOffsetsToTxn'> = {
  async handle(body, rc) {
    await rc.handlers.AddOffsetsToTxn({ transactionalId: body.transactionalId, producerId: body.producerId, producerEpoch: body.producerEpoch, groupId: body.groupId }, rc.conn);
    return { throttleTimeMs: 0, errorCode: 0 };
  },
  error: (_body, errorCode) => ({ throttleTimeMs: 0, errorCode }),
};
