// EndTxn (API key 26): commit or abort the producer's open transaction. The broker writes a
// COMMIT or ABORT control batch to every partition the transaction wrote to, and (on commit) the
// transaction's consumer offsets, all in one atomic write.
import { bool, int16, int64, string, struct, type Infer } from '../schema.js';

export const EndTxnRequest = struct('EndTxnRequest', {
  transactionalId: string,
  producerId: int64,
  producerEpoch: int16,
  committed: [bool, 'true: commit; false: abort.'],
});

export const EndTxnResponse = struct('EndTxnResponse', {});

export type EndTxnRequest = Infer<typeof EndTxnRequest>;
export type EndTxnResponse = Infer<typeof EndTxnResponse>;
