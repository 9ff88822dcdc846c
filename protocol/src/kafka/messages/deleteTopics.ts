// DeleteTopics (API key 20).
// Generated from Kafka 4.4.0's DeleteTopicsRequest.json and DeleteTopicsResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, int16, int32, string, uuid } from '../types.js';

const DeleteTopicState = struct('DeleteTopicState', {
  /** The topic name. */
  name: field(string, '6+', { nullable: '6+', default: null }),
  /** The unique topic ID. */
  topicId: field(uuid, '6+'),
});

const DeletableTopicResult = struct('DeletableTopicResult', {
  /** The topic name. */
  name: field(string, '0+', { nullable: '6+' }),
  /** The unique topic ID. */
  topicId: field(uuid, '6+', { ignorable: true }),
  /** The deletion error, or 0 if the deletion succeeded. */
  errorCode: field(int16, '0+'),
  /** The error message, or null if there was no error. */
  errorMessage: field(string, '5+', { nullable: '5+', default: null, ignorable: true }),
});

export const DeleteTopicsRequest = message('DeleteTopicsRequest', { apiKey: 20, validVersions: '1-6', flexibleVersions: '4+' }, {
  /** The name or topic ID of the topic. */
  topics: field(array(DeleteTopicState), '6+'),
  /** The names of the topics to delete. */
  topicNames: field(array(string), '0-5', { ignorable: true }),
  /** The length of time in milliseconds to wait for the deletions to complete. */
  timeoutMs: field(int32, '0+'),
});
export type DeleteTopicsRequest = Infer<typeof DeleteTopicsRequest>;

export const DeleteTopicsResponse = message('DeleteTopicsResponse', { apiKey: 20, validVersions: '1-6', flexibleVersions: '4+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '1+', { ignorable: true }),
  /** The results for each topic we tried to delete. */
  responses: field(array(DeletableTopicResult), '0+'),
});
export type DeleteTopicsResponse = Infer<typeof DeleteTopicsResponse>;
