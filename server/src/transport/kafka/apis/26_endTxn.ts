// EndTxn: commit or abort through the coordinator (markers and offsets in one write).
import type { KafkaAdapter } from '../types.js';

export const endTxn: KafkaAdapter<'EndTxn'> = {
  async handle(body, rc) {
    await rc.handlers.EndTxn({ transactionalId: body.transactionalId, producerId: body.producerId, producerEpoch: body.producerEpoch, committed: body.committed }, rc.conn);
    return { throttleTimeMs: 0, errorCode: 0, producerId: -1, producerEpoch: -1 };
  },
  error: (_body, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 }),
};
