// TxnOffsetCommit (API key 28): consumer offsets that commit with the producer's transaction
// (KIP-447: fenced by the consumer's member id and epoch, like OffsetCommit).
import { array, int16, int32, int64, nullableString, string, struct, type Infer } from '../schema.js';

const TxnOffsetCommitPartition = struct('TxnOffsetCommitPartition', {
  partition: int32,
  offset: [int64, 'The next offset to read.'],
  metadata: nullableString,
});
const TxnOffsetCommitTopic = struct('TxnOffsetCommitTopic', { topic: string, partitions: array(TxnOffsetCommitPartition) });

export const TxnOffsetCommitRequest = struct('TxnOffsetCommitRequest', {
  transactionalId: string,
  producerId: int64,
  producerEpoch: int16,
  groupId: string,
  memberId: [nullableString, 'The consuming member; null only while the group has no members.'],
  memberEpoch: [int32, "The member's epoch; -1 with a null memberId."],
  topics: array(TxnOffsetCommitTopic),
});

const TxnOffsetCommitPartitionResponse = struct('TxnOffsetCommitPartitionResponse', {
  partition: int32,
  errorCode: int16,
  errorMessage: nullableString,
});
const TxnOffsetCommitTopicResponse = struct('TxnOffsetCommitTopicResponse', {
  topic: string,
  partitions: array(TxnOffsetCommitPartitionResponse),
});

export const TxnOffsetCommitResponse = struct('TxnOffsetCommitResponse', { topics: array(TxnOffsetCommitTopicResponse) });

export type TxnOffsetCommitRequest = Infer<typeof TxnOffsetCommitRequest>;
export type TxnOffsetCommitResponse = Infer<typeof TxnOffsetCommitResponse>;
