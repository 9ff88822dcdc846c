// ConsumerGroupDescribe (API key 69).
// Generated from Kafka 4.4.0's ConsumerGroupDescribeRequest.json and ConsumerGroupDescribeResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bool, int16, int32, int8, string, uuid } from '../types.js';

const TopicPartitions = struct('TopicPartitions', {
  /** The topic ID. */
  topicId: field(uuid, '0+'),
  /** The topic name. */
  topicName: field(string, '0+'),
  /** The partitions. */
  partitions: field(array(int32), '0+'),
});

const Assignment = struct('Assignment', {
  /** The assigned topic-partitions to the member. */
  topicPartitions: field(array(TopicPartitions), '0+'),
});

const Member = struct('Member', {
  /** The member ID. */
  memberId: field(string, '0+'),
  /** The member instance ID. */
  instanceId: field(string, '0+', { nullable: '0+', default: null }),
  /** The member rack ID. */
  rackId: field(string, '0+', { nullable: '0+', default: null }),
  /** The current member epoch. */
  memberEpoch: field(int32, '0+'),
  /** The client ID. */
  clientId: field(string, '0+'),
  /** The client host. */
  clientHost: field(string, '0+'),
  /** The subscribed topic names. */
  subscribedTopicNames: field(array(string), '0+'),
  /** the subscribed topic regex otherwise or null of not provided. */
  subscribedTopicRegex: field(string, '0+', { nullable: '0+', default: null }),
  /** The current assignment. */
  assignment: field(Assignment, '0+'),
  /** The target assignment. */
  targetAssignment: field(Assignment, '0+'),
  /** -1 for unknown. 0 for classic member. +1 for consumer member. */
  memberType: field(int8, '1+', { default: -1, ignorable: true }),
});

const DescribedGroup = struct('DescribedGroup', {
  /** The describe error, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The top-level error message, or null if there was no error. */
  errorMessage: field(string, '0+', { nullable: '0+', default: null }),
  /** The group ID string. */
  groupId: field(string, '0+'),
  /** The group state string, or the empty string. */
  groupState: field(string, '0+'),
  /** The group epoch. */
  groupEpoch: field(int32, '0+'),
  /** The assignment epoch. */
  assignmentEpoch: field(int32, '0+'),
  /** The selected assignor. */
  assignorName: field(string, '0+'),
  /** The members. */
  members: field(array(Member), '0+'),
  /** 32-bit bitfield to represent authorized operations for this group. */
  authorizedOperations: field(int32, '0+', { default: -2147483648 }),
});

export const ConsumerGroupDescribeRequest = message('ConsumerGroupDescribeRequest', { apiKey: 69, validVersions: '0-1', flexibleVersions: '0+' }, {
  /** The ids of the groups to describe. */
  groupIds: field(array(string), '0+'),
  /** Whether to include authorized operations. */
  includeAuthorizedOperations: field(bool, '0+'),
});
export type ConsumerGroupDescribeRequest = Infer<typeof ConsumerGroupDescribeRequest>;

export const ConsumerGroupDescribeResponse = message('ConsumerGroupDescribeResponse', { apiKey: 69, validVersions: '0-1', flexibleVersions: '0+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+'),
  /** Each described group. */
  groups: field(array(DescribedGroup), '0+'),
});
export type ConsumerGroupDescribeResponse = Infer<typeof ConsumerGroupDescribeResponse>;
