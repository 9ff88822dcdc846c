// CreateTopics (API key 19).
import { array, bool, int16, int32, nullableString, string, struct, type Infer } from '../schema.js';

const Config = struct('Config', { name: string, value: string });

const CreatableTopic = struct('CreatableTopic', {
  name: string,
  numPartitions: int32,
  configs: [array(Config), 'retention.ms, retention.bytes, cleanup.policy, max.message.bytes, ...'],
});

export const CreateTopicsRequest = struct('CreateTopicsRequest', {
  topics: array(CreatableTopic),
  validateOnly: [bool, 'Check the request without creating anything.'],
});

const CreateTopicResult = struct('CreateTopicResult', { name: string, errorCode: int16, errorMessage: nullableString });

export const CreateTopicsResponse = struct('CreateTopicsResponse', { topics: array(CreateTopicResult) });

export type CreateTopicsRequest = Infer<typeof CreateTopicsRequest>;
export type CreateTopicsResponse = Infer<typeof CreateTopicsResponse>;
