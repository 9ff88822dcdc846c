// ListOffsets (API key 2): earliest (-2), latest (-1), or the first offset at or after a timestamp.
import { array, int16, int32, int64, int8, nullableString, string, struct, type Infer } from '../schema.js';

export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;

const ListOffsetsPartition = struct('ListOffsetsPartition', {
  partition: int32,
  timestamp: [int64, '-2 earliest, -1 latest, else a time in ms since the epoch.'],
});
const ListOffsetsTopic = struct('ListOffsetsTopic', { topic: string, partitions: array(ListOffsetsPartition) });

export const ListOffsetsRequest = struct('ListOffsetsRequest', {
  isolationLevel: int8,
  topics: array(ListOffsetsTopic),
});

const ListOffsetsPartitionResponse = struct('ListOffsetsPartitionResponse', {
  partition: int32,
  errorCode: int16,
  errorMessage: nullableString,
  timestamp: [int64, 'Timestamp of the record found, -1 if none.'],
  offset: [int64, 'The offset; the log end offset when no record is at or after the timestamp.'],
});
const ListOffsetsTopicResponse = struct('ListOffsetsTopicResponse', {
  topic: string,
  partitions: array(ListOffsetsPartitionResponse),
});

export const ListOffsetsResponse = struct('ListOffsetsResponse', { topics: array(ListOffsetsTopicResponse) });

export type ListOffsetsRequest = Infer<typeof ListOffsetsRequest>;
export type ListOffsetsResponse = Infer<typeof ListOffsetsResponse>;
