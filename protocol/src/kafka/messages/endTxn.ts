// EndTxn (API key 26).
// Generated from Kafka 4.4.0's EndTxnRequest.json and EndTxnResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, type Infer } from '../schema.js';
import { bool, int16, int32, int64, string } from '../types.js';

export const EndTxnRequest = message('EndTxnRequest', { apiKey: 26, validVersions: '0-5', flexibleVersions: '3+' }, {
  /** The ID of the transaction to end. */
  transactionalId: field(string, '0+'),
  /** The producer ID. */
  producerId: field(int64, '0+'),
  /** The current epoch associated with the producer. */
  producerEpoch: field(int16, '0+'),
  /** True if the transaction was committed, false if it was aborted. */
  committed: field(bool, '0+'),
});
export type EndTxnRequest = Infer<typeof EndTxnRequest>;

export const EndTxnResponse = message('EndTxnResponse', { apiKey: 26, validVersions: '0-5', flexibleVersions: '3+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+'),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The producer ID. */
  producerId: field(int64, '5+', { default: -1, ignorable: true }),
  /** The current epoch associated with the producer. */
  producerEpoch: field(int16, '5+', { default: -1, ignorable: true }),
});
export type EndTxnResponse = Infer<typeof EndTxnResponse>;
