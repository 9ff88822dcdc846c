// InitProducerId (API key 22).
// Generated from Kafka 4.4.0's InitProducerIdRequest.json and InitProducerIdResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, type Infer } from '../schema.js';
import { bool, int16, int32, int64, string } from '../types.js';

// Kafka marks the latest version (0-6) unstable: brokers do not advertise it.
export const InitProducerIdRequest = message('InitProducerIdRequest', { apiKey: 22, validVersions: '0-6', flexibleVersions: '2+' }, {
  /** The transactional id, or null if the producer is not transactional. */
  transactionalId: field(string, '0+', { nullable: '0+' }),
  /** The time in ms to wait before aborting idle transactions sent by this producer. This is only relevant if a TransactionalId has been defined. */
  transactionTimeoutMs: field(int32, '0+'),
  /** The producer id. This is used to disambiguate requests if a transactional id is reused following its expiration. */
  producerId: field(int64, '3+', { default: -1 }),
  /** The producer's current epoch. This will be checked against the producer epoch on the broker, and the request will return an error if they do not match. */
  producerEpoch: field(int16, '3+', { default: -1 }),
  /** True if the client wants to enable two-phase commit (2PC) protocol for transactions. */
  enable2Pc: field(bool, '6+', { default: false }),
  /** True if the client wants to keep the currently ongoing transaction instead of aborting it. */
  keepPreparedTxn: field(bool, '6+', { default: false }),
});
export type InitProducerIdRequest = Infer<typeof InitProducerIdRequest>;

export const InitProducerIdResponse = message('InitProducerIdResponse', { apiKey: 22, validVersions: '0-6', flexibleVersions: '2+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+', { ignorable: true }),
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The current producer id. */
  producerId: field(int64, '0+', { default: -1 }),
  /** The current epoch associated with the producer id. */
  producerEpoch: field(int16, '0+'),
  /** The producer id for ongoing transaction when KeepPreparedTxn is used, -1 if there is no transaction ongoing. */
  ongoingTxnProducerId: field(int64, '6+', { default: -1 }),
  /** The epoch associated with the producer id for ongoing transaction when KeepPreparedTxn is used, -1 if there is no transaction ongoing. */
  ongoingTxnProducerEpoch: field(int16, '6+', { default: -1 }),
});
export type InitProducerIdResponse = Infer<typeof InitProducerIdResponse>;
