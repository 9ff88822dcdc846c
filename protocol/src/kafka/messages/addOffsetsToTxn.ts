// AddOffsetsToTxn (API key 25).
// Generated from Kafka 4.4.0's AddOffsetsToTxnRequest.json and AddOffsetsToTxnResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, type Infer } from '../schema.js';
import { int16, int32, int64, string } from '../types.js';

export const AddOffsetsToTxnRequest = message('AddOffsetsToTxnRequest', { apiKey: 25, validVersions: '0-4', flexibleVersions: '3+' }, {
  /** The transactional id corresponding to the transaction. */
  transactionalId: field(string, '0+'),
  /** Current producer id in use by the transactional id. */
  producerId: field(int64, '0+'),
  /** Current epoch associated with the producer id. */
  producerEpoch: field(int16, '0+'),
  /** The unique group identifier. */
  groupId: field(string, '0+'),
});
export type AddOffsetsToTxnRequest = Infer<typeof AddOffsetsToTxnRequest>;

export const AddOffsetsToTxnResponse = message('AddOffsetsToTxnResponse', { apiKey: 25, validVersions: '0-4', flexibleVersions: '3+' }, {
  /** Duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+'),
  /** The response error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
});
export type AddOffsetsToTxnResponse = Infer<typeof AddOffsetsToTxnResponse>;
