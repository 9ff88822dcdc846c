// DeleteTopics (API key 20).
import { array, int16, nullableString, string, struct, type Infer } from '../schema.js';

export const DeleteTopicsRequest = struct('DeleteTopicsRequest', { topics: array(string) });

const DeleteTopicResult = struct('DeleteTopicResult', { name: string, errorCode: int16, errorMessage: nullableString });

export const DeleteTopicsResponse = struct('DeleteTopicsResponse', { topics: array(DeleteTopicResult) });

export type DeleteTopicsRequest = Infer<typeof DeleteTopicsRequest>;
export type DeleteTopicsResponse = Infer<typeof DeleteTopicsResponse>;
