// Fetch (API key 1): long poll over many partitions.
import { array, int16, int32, int64, int8, nullableString, recordBytes, string, struct, type Infer } from '../schema.js';

const FetchPartition = struct('FetchPartition', {
  partition: int32,
  fetchOffset: [int64, 'First offset wanted.'],
  partitionMaxBytes: [int32, 'Byte budget for this partition; the first batch is always returned whole.'],
});
const FetchTopic = struct('FetchTopic', { topic: string, partitions: array(FetchPartition) });

export const FetchRequest = struct('FetchRequest', {
  maxWaitMs: [int32, 'Longest the broker holds the request while fewer than minBytes are available.'],
  minBytes: int32,
  maxBytes: [int32, 'Byte budget for the whole response (soft: the first batch always fits).'],
  isolationLevel: [int8, '0: read_uncommitted; 1: read_committed.'],
  topics: array(FetchTopic),
});

const AbortedTransaction = struct('AbortedTransaction', { producerId: int64, firstOffset: int64 });

const FetchPartitionResponse = struct('FetchPartitionResponse', {
  partition: int32,
  errorCode: int16,
  errorMessage: nullableString,
  highWatermark: [int64, 'Log end offset: the offset the next record will get.'],
  lastStableOffset: int64,
  logStartOffset: int64,
  abortedTransactions: array(AbortedTransaction),
  records: [recordBytes, 'Whole record batches, concatenated; the first may start before fetchOffset.'],
});
const FetchTopicResponse = struct('FetchTopicResponse', { topic: string, partitions: array(FetchPartitionResponse) });

export const FetchResponse = struct('FetchResponse', { topics: array(FetchTopicResponse) });

export type FetchRequest = Infer<typeof FetchRequest>;
export type FetchResponse = Infer<typeof FetchResponse>;
