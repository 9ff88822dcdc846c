// Produce (API key 0). With acks 0 the broker sends no response at all.
import { array, bytes, int16, int32, int64, nullableString, string, struct, type Infer } from '../schema.js';

const PartitionData = struct('ProducePartitionData', {
  partition: int32,
  records: [bytes, 'One or more record batches (see Record batch); baseOffset is ignored and stamped by the broker.'],
});
const TopicData = struct('ProduceTopicData', { topic: string, partitions: array(PartitionData) });

export const ProduceRequest = struct('ProduceRequest', {
  transactionalId: [nullableString, 'Set by transactional producers; null otherwise.'],
  acks: [int16, '0: no response; 1: written to LevelDB; -1 (all): written and fsynced.'],
  timeoutMs: int32,
  topics: array(TopicData),
});

const PartitionResponse = struct('ProducePartitionResponse', {
  partition: int32,
  errorCode: int16,
  errorMessage: nullableString,
  baseOffset: [int64, 'Offset of the first record written; -1 on error.'],
  logStartOffset: int64,
});
const TopicResponse = struct('ProduceTopicResponse', { topic: string, partitions: array(PartitionResponse) });

export const ProduceResponse = struct('ProduceResponse', { topics: array(TopicResponse) });

export type ProduceRequest = Infer<typeof ProduceRequest>;
export type ProduceResponse = Infer<typeof ProduceResponse>;
