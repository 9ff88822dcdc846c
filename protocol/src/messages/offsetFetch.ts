// OffsetFetch (API key 9): a group's committed offsets.
import { array, bool, int16, int32, int64, nullableArray, nullableString, string, struct, type Infer } from '../schema.js';

const OffsetFetchTopic = struct('OffsetFetchTopic', {
  topic: string,
  partitions: [nullableArray(int32), 'null for every partition with a committed offset.'],
});

export const OffsetFetchRequest = struct('OffsetFetchRequest', {
  groupId: string,
  topics: [nullableArray(OffsetFetchTopic), 'null for every topic.'],
  requireStable: [bool, 'Answer UNSTABLE_OFFSET_COMMIT while a transaction holds pending offsets.'],
});

const OffsetFetchPartitionResponse = struct('OffsetFetchPartitionResponse', {
  partition: int32,
  offset: [int64, '-1 when nothing is committed.'],
  metadata: nullableString,
  commitTimestamp: int64,
  errorCode: int16,
});
const OffsetFetchTopicResponse = struct('OffsetFetchTopicResponse', {
  topic: string,
  partitions: array(OffsetFetchPartitionResponse),
});

export const OffsetFetchResponse = struct('OffsetFetchResponse', {
  errorCode: int16,
  errorMessage: nullableString,
  topics: array(OffsetFetchTopicResponse),
});

export type OffsetFetchRequest = Infer<typeof OffsetFetchRequest>;
export type OffsetFetchResponse = Infer<typeof OffsetFetchResponse>;
