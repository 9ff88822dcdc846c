// Metadata (API key 3): topics and their partition counts.
import { array, bool, int16, int32, nullableArray, nullableString, string, struct, type Infer } from '../schema.js';

export const MetadataRequest = struct('MetadataRequest', {
  topics: [nullableArray(string), 'Topics to describe; null for all.'],
});

const TopicMetadata = struct('TopicMetadata', {
  errorCode: int16,
  errorMessage: nullableString,
  name: string,
  internal: [bool, 'True for __consumer_offsets and other broker-owned topics.'],
  numPartitions: int32,
});

export const MetadataResponse = struct('MetadataResponse', {
  topics: array(TopicMetadata),
});

export type MetadataRequest = Infer<typeof MetadataRequest>;
export type MetadataResponse = Infer<typeof MetadataResponse>;
