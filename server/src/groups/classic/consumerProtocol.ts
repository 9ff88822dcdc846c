// Reads the embedded consumer protocol (protocol type "consumer") inside classic group bytes, for
// the admin view and OffsetDelete only: topics of a subscription, partitions of an assignment.
// Parsed with the version-0 layout, which every later version extends (as Kafka's
// ClassicGroup.computeSubscribedTopics does); anything unreadable gives null, never an error.
import { Reader, type TopicPartitions } from '@brook/protocol';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

function readString(r: Reader): string {
  const n = r.int16();
  return n < 0 ? '' : r.utf8(n);
}

/** ConsumerProtocolSubscription: version int16 | topics [string] | userData bytes | ... */
export function subscriptionTopics(metadata: Uint8Array): string[] | null {
  try {
    const r = new Reader(metadata);
    r.int16();
    const n = r.int32();
    const topics: string[] = [];
    for (let i = 0; i < n; i++) topics.push(readString(r));
    return topics;
  } catch {
    return null;
  }
}

/** ConsumerProtocolAssignment: version int16 | [topic string | partitions [int32]] | userData bytes */
export function assignmentPartitions(assignment: Uint8Array): TopicPartitions[] | null {
  if (assignment.length === 0) return [];
  try {
    const r = new Reader(assignment);
    r.int16();
    const n = r.int32();
    const out: TopicPartitions[] = [];
    for (let i = 0; i < n; i++) {
      const topic = readString(r);
      const count = r.int32();
      const partitions: number[] = [];
      for (let j = 0; j < count; j++) partitions.push(r.int32());
      out.push({ topic, partitions: partitions.sort((a, b) => a - b) });
    }
    return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  } catch {
    return null;
  }
}
