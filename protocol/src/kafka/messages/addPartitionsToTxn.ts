// AddPartitionsToTxn (API key 24).
// Generated from Kafka 4.4.0's AddPartitionsToTxnRequest.json and AddPartitionsToTxnResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bool, int16, int32, int64, string } from '../types.js';

const AddPartitionsToTxnTopic = struct('AddPartitionsToTxnTopic', {
  /** The name of the topic. */
  name: field(string, '0+'),
  /** The partition indexes to add to the transaction. */
  partitions: field(array(int32), '0+'),
});

const AddPartitionsToTxnTransaction = struct('AddPartitionsToTxnTransaction', {
  /** The transactional id corresponding to the transaction. */
  transactionalId: field(string, '4+'),
  /** Current producer id in use by the transactional id. */
  producerId: field(int64, '4+'),
  /** Current epoch associated with the producer id. */
  producerEpoch: field(int16, '4+'),
  /** Boolean to signify if we want to check if the partition is in the transaction rather than add it. */
  verifyOnly: field(bool, '4+', { default: false }),
  /** The partitions to add to the transaction. */
  topics: field(array(AddPartitionsToTxnTopic), '4+'),
});

const AddPartitionsToTxnPartitionResult = struct('AddPartitionsToTxnPartitionResult', {
  /** The partition indexes. */
  partitionIndex: field(int32, '0+'),
  /** The response error code. */
  partitionErrorCode: field(int16, '0+'),
});

const AddPartitionsToTxnTopicResult = struct('AddPartitionsToTxnTopicResult', {
  /** The topic name. */
  name: field(string, '0+'),
  /** The results for each partition. */
  resultsByPartition: field(array(AddPartitionsToTxnPartitionResult), '0+'),
});

const AddPartitionsToTxnResult = struct('AddPartitionsToTxnResult', {
  /** The transactional id corresponding to the transaction. */
  transactionalId: field(string, '4+'),
  /** The results for each topic. */
  topicResults: field(array(AddPartitionsToTxnTopicResult), '4+'),
});

export const AddPartitionsToTxnRequest = message('AddPartitionsToTxnRequest', { apiKey: 24, validVersions: '0-5', flexibleVersions: '3+' }, {
  /** List of transactions to add partitions to. */
  transactions: field(array(AddPartitionsToTxnTransaction), '4+'),
  /** The transactional id corresponding to the transaction. */
  v3AndBelowTransactionalId: field(string, '0-3'),
  /** Current producer id in use by the transactional id. */
  v3AndBelowProducerId: field(int64, '0-3'),
  /** Current epoch associated with the producer id. */
  v3AndBelowProducerEpoch: field(int16, '0-3'),
  /** The partitions to add to the transaction. */
  v3AndBelowTopics: field(array(AddPartitionsToTxnTopic), '0-3'),
});
export type AddPartitionsToTxnRequest = Infer<typeof AddPartitionsToTxnRequest>;

export const AddPartitionsToTxnResponse = message('AddPartitionsToTxnResponse', { apiKey: 24, validVersions: '0-5', flexibleVersions: '3+' }, {
  /** Duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+'),
  /** The response top level error code. */
  errorCode: field(int16, '4+', { ignorable: true }),
  /** Results categorized by transactional ID. */
  resultsByTransaction: field(array(AddPartitionsToTxnResult), '4+'),
  /** The results for each topic. */
  resultsByTopicV3AndBelow: field(array(AddPartitionsToTxnTopicResult), '0-3'),
});
export type AddPartitionsToTxnResponse = Infer<typeof AddPartitionsToTxnResponse>;
