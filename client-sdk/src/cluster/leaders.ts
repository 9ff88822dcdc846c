/**
 * Splitting a request over topic-partitions (Produce, Fetch, ListOffsets) into one request per
 * leader, and merging the answers back into one, in Brook's `{ topics: [{ topic, partitions }] }`
 * shape that all three share.
 */
import { ErrorCode } from '@brook/protocol';

export interface ByTopic<P extends { partition: number }> {
  topics: Array<{ topic: string; partitions: P[] }>;
}

/** Leader errors: the client's metadata is out of date (a leader moved, a topic is new or gone). */
export const LEADER_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.KAFKA_STORAGE_ERROR,
]);

export interface Split<B> {
  /** One request per leader node, each with that node's partitions (in the order they came). */
  byNode: Map<number, B>;
  /** Partitions with no leader to send to, and why. */
  unrouted: Array<{ topic: string; partition: number; errorCode: number }>;
}

/** Splits `body` by the leader of each partition (`leaderOf`: node id, -1 no leader, -2 unknown). */
export function splitByLeader<P extends { partition: number }, B extends ByTopic<P>>(body: B, leaderOf: (topic: string, partition: number) => number): Split<B> {
  const byNode = new Map<number, B>();
  const unrouted: Split<B>['unrouted'] = [];
  for (const t of body.topics) {
    for (const p of t.partitions) {
      const node = leaderOf(t.topic, p.partition);
      if (node < 0) {
        unrouted.push({ topic: t.topic, partition: p.partition, errorCode: node === -1 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        continue;
      }
      let sub = byNode.get(node);
      if (!sub) byNode.set(node, (sub = { ...body, topics: [] }));
      let st = sub.topics[sub.topics.length - 1];
      if (!st || st.topic !== t.topic) sub.topics.push((st = { topic: t.topic, partitions: [] }));
      st.partitions.push(p);
    }
  }
  return { byNode, unrouted };
}

/** Merges answers by topic (a topic split over leaders comes back as one entry). */
export function mergeByTopic<P extends { partition: number }, R extends ByTopic<P>>(answers: R[], extra: Array<{ topic: string; partition: P }> = []): R {
  const topics = new Map<string, P[]>();
  const add = (topic: string, ps: P[]) => {
    const list = topics.get(topic);
    if (list) list.push(...ps);
    else topics.set(topic, [...ps]);
  };
  for (const a of answers) for (const t of a.topics) add(t.topic, t.partitions);
  for (const e of extra) add(e.topic, [e.partition]);
  const first = answers[0];
  return { ...(first ?? {}), topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) } as R;
}

/** The partitions of an answer whose error says the client's metadata is stale. */
export function leaderErrorsIn<P extends { partition: number; errorCode: number }>(answer: ByTopic<P>): Array<{ topic: string; partition: number }> {
  return answer.topics.flatMap((t) => t.partitions.filter((p) => LEADER_ERRORS.has(p.errorCode)).map((p) => ({ topic: t.topic, partition: p.partition })));
}
