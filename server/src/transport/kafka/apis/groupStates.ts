// Group states and member data as Kafka shows consumer-protocol (KIP-848) groups.
import { concatBytes, kafka, type DescribedMember } from '@brook/protocol';

/** Brook's state names (empty, assigning, ...) as Kafka writes them (Empty, Assigning, ...). */
export function kafkaGroupState(state: string): string {
  return state.length === 0 ? state : state[0]!.toUpperCase() + state.slice(1);
}

const TopicPartition = kafka.struct('TopicPartition', {
  topic: kafka.field(kafka.string, '0+'),
  partitions: kafka.field(kafka.array(kafka.int32), '0+'),
});

// Kafka's ConsumerProtocolSubscription and ConsumerProtocolAssignment at version 0, which every
// Kafka client reads: what the classic DescribeGroups API shows of a consumer-protocol member.
const Subscription = kafka.message('ConsumerProtocolSubscription', { validVersions: '0', flexibleVersions: 'none' }, {
  topics: kafka.field(kafka.array(kafka.string), '0+'),
  userData: kafka.field(kafka.bytes, '0+', { nullable: '0+', default: null }),
});
const Assignment = kafka.message('ConsumerProtocolAssignment', { validVersions: '0', flexibleVersions: 'none' }, {
  assignedPartitions: kafka.field(kafka.array(TopicPartition), '0+'),
  userData: kafka.field(kafka.bytes, '0+', { nullable: '0+', default: null }),
});

const VERSION_0 = new Uint8Array(2);

export function memberMetadata(m: DescribedMember): Uint8Array {
  return concatBytes([VERSION_0, Subscription.encode(0, { topics: m.subscribedTopicNames, userData: null })]);
}

export function memberAssignment(m: DescribedMember): Uint8Array {
  return concatBytes([VERSION_0, Assignment.encode(0, { assignedPartitions: m.assignment.map((a) => ({ topic: a.topic, partitions: a.partitions })), userData: null })]);
}
