// OffsetDelete (API key 47): drop a group's committed offsets for some topics/partitions.
import { array, int16, int32, nullableArray, nullableString, string, struct, type Infer } from '../schema.js';

const OffsetDeleteTopic = struct('OffsetDeleteTopic', {
  topic: string,
  partitions: [nullableArray(int32), 'null for every partition.'],
});

export const OffsetDeleteRequest = struct('OffsetDeleteRequest', { groupId: string, topics: array(OffsetDeleteTopic) });

const OffsetDeletePartitionResponse = struct('OffsetDeletePartitionResponse', { partition: int32, errorCode: int16 });
const OffsetDeleteTopicResponse = struct('OffsetDeleteTopicResponse', {
  topic: string,
  partitions: array(OffsetDeletePartitionResponse),
});

export const OffsetDeleteResponse = struct('OffsetDeleteResponse', {
  errorCode: int16,
  errorMessage: nullableString,
  topics: array(OffsetDeleteTopicResponse),
});

export type OffsetDeleteRequest = Infer<typeof OffsetDeleteRequest>;
export type OffsetDeleteResponse = Infer<typeof OffsetDeleteResponse>;
