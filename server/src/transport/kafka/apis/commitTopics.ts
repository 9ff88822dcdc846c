// The topics of OffsetCommit and TxnOffsetCommit, which share their shape on the Kafka door: names
// (or, in newer versions, topic ids) resolved to Brook's commit entries, unknown ids answered
// UNKNOWN_TOPIC_ID without reaching the handler, and the handler's answer mapped back.
import type { BrokerContext } from '../../../api/types.js';
import { kafkaCode, KafkaError } from '../errors.js';
import { topicName } from './topics.js';

interface KafkaCommitTopic {
  name: string;
  topicId: string;
  partitions: Array<{ partitionIndex: number; committedOffset: number; committedMetadata: string | null }>;
}
interface KafkaCommitResult {
  name: string;
  topicId: string;
  partitions: Array<{ partitionIndex: number; errorCode: number }>;
}
type CommitEntries = Array<{ topic: string; partitions: Array<{ partition: number; offset: number; metadata: string | null }> }>;

export interface ResolvedCommitTopics {
  /** What the shared handler commits. */
  entries: CommitEntries;
  /** Maps the handler's per-topic answers (same order as `entries`) back, with the unknown topics after them. */
  answer(topics: ReadonlyArray<{ partitions: ReadonlyArray<{ partition: number; errorCode: number }> }>): KafkaCommitResult[];
}

export function resolveCommitTopics(ctx: BrokerContext, topics: readonly KafkaCommitTopic[], byId: boolean): ResolvedCommitTopics {
  const unknown: KafkaCommitResult[] = [];
  const known: KafkaCommitTopic[] = [];
  const entries: CommitEntries = [];
  for (const t of topics) {
    const name = topicName(ctx, t, byId);
    if (name === null) {
      unknown.push(commitErrorTopic(t, KafkaError.UNKNOWN_TOPIC_ID));
      continue;
    }
    known.push(t);
    entries.push({ topic: name, partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata })) });
  }
  return {
    entries,
    answer: (answered) => [
      ...answered.map((t, i) => ({
        name: known[i]!.name,
        topicId: known[i]!.topicId,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: kafkaCode(p.errorCode) })),
      })),
      ...unknown,
    ],
  };
}

/** Every partition of a commit answered with one error (the request failed as a whole). */
export function commitErrorTopic(t: KafkaCommitTopic, errorCode: number): KafkaCommitResult {
  return { name: t.name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) };
}
