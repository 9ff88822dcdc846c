// InitProducerId (API key 22): a producer id and epoch for an idempotent producer, or, with a
// transactional id, the id's producer id with its epoch bumped (fencing older instances and
// aborting the transaction they left open).
import { int16, int32, int64, nullableString, struct, type Infer } from '../schema.js';

export const InitProducerIdRequest = struct('InitProducerIdRequest', {
  transactionalId: [nullableString, 'null for an idempotent (non-transactional) producer.'],
  transactionTimeoutMs: [int32, 'The broker aborts a transaction left open longer than this.'],
});

export const InitProducerIdResponse = struct('InitProducerIdResponse', {
  producerId: int64,
  producerEpoch: int16,
});

export type InitProducerIdRequest = Infer<typeof InitProducerIdRequest>;
export type InitProducerIdResponse = Infer<typeof InitProducerIdResponse>;
