// OffsetCommit (API key 8). Committed offset = the next offset to read.
import { array, int16, int32, int64, nullableString, string, struct, type Infer } from '../schema.js';

const OffsetCommitPartition = struct('OffsetCommitPartition', {
  partition: int32,
  offset: int64,
  metadata: [nullableString, 'Up to 4096 bytes of client metadata.'],
});
const OffsetCommitTopic = struct('OffsetCommitTopic', { topic: string, partitions: array(OffsetCommitPartition) });

export const OffsetCommitRequest = struct('OffsetCommitRequest', {
  groupId: string,
  memberId: [nullableString, 'The committing member; null for admin/manual commits (only while the group is empty).'],
  memberEpoch: [int32, "The member's epoch; -1 with a null memberId."],
  topics: array(OffsetCommitTopic),
});

const OffsetCommitPartitionResponse = struct('OffsetCommitPartitionResponse', {
  partition: int32,
  errorCode: int16,
  errorMessage: nullableString,
});
const OffsetCommitTopicResponse = struct('OffsetCommitTopicResponse', {
  topic: string,
  partitions: array(OffsetCommitPartitionResponse),
});

export const OffsetCommitResponse = struct('OffsetCommitResponse', { topics: array(OffsetCommitTopicResponse) });

export type OffsetCommitRequest = Infer<typeof OffsetCommitRequest>;
export type OffsetCommitResponse = Infer<typeof OffsetCommitResponse>;
