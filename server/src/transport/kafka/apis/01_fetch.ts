// Fetch: sessionless (every answer is a full one with session id 0), long poll, isolation level
// and per-partition errors from the shared handler; `records` are the stored batches as they are.
// v13+ names topics by id.
import { ErrorCode } from '@brook/protocol';
import { kafkaCode, KafkaError } from '../errors.js';
import type { KafkaAdapter, KafkaResponseOf } from '../types.js';
import { topicName } from './topics.js';

type TopicResponse = KafkaResponseOf<'Fetch'>['responses'][number];
type PartitionData = TopicResponse['partitions'][number];
const EMPTY = new Uint8Array(0);

function partitionData(partitionIndex: number, errorCode: number, rest: Partial<PartitionData> = {}): PartitionData {
  return {
    partitionIndex,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: EMPTY,
    ...rest,
  } as PartitionData;
}

function fetchResponse(errorCode: number, responses: TopicResponse[]): KafkaResponseOf<'Fetch'> {
  return { throttleTimeMs: 0, errorCode, sessionId: 0, responses, nodeEndpoints: [] };
}

export const fetch: KafkaAdapter<'Fetch'> = {
  async handle(body, rc) {
    // Brook keeps no fetch sessions: an incremental fetch of a session it never gave out is refused.
    if (body.sessionId !== 0) return fetchResponse(KafkaError.FETCH_SESSION_ID_NOT_FOUND, []);
    const byId = rc.version >= 13;
    const known: Array<{ topic: string; topicId: string; partitions: Array<{ partition: number; fetchOffset: number; partitionMaxBytes: number }> }> = [];
    const unknown: TopicResponse[] = [];
    for (const t of body.topics) {
      const name = topicName(rc.ctx, { name: t.topic, topicId: t.topicId }, byId);
      if (name === null) {
        unknown.push({ topic: t.topic, topicId: t.topicId, partitions: t.partitions.map((p) => partitionData(p.partition, KafkaError.UNKNOWN_TOPIC_ID)) });
        continue;
      }
      known.push({ topic: name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes })) });
    }
    const readCommitted = body.isolationLevel === 1;
    const res = (await rc.handlers.Fetch(
      { maxWaitMs: body.maxWaitMs, minBytes: body.minBytes, maxBytes: body.maxBytes, isolationLevel: body.isolationLevel, topics: known },
      rc.conn,
    ))!; // only Produce answers null
    const responses: TopicResponse[] = res.topics.map((t, i) => ({
      topic: t.topic,
      topicId: known[i]!.topicId,
      partitions: t.partitions.map((p) =>
        partitionData(p.partition, kafkaCode(p.errorCode), {
          highWatermark: p.highWatermark,
          lastStableOffset: p.lastStableOffset,
          logStartOffset: p.logStartOffset,
          // Kafka: null for read_uncommitted, the list (maybe empty) for read_committed.
          abortedTransactions: readCommitted ? p.abortedTransactions : null,
          records: p.records,
        }),
      ),
    }));
    return fetchResponse(ErrorCode.NONE, [...responses, ...unknown]);
  },
  error: (_body, errorCode) => fetchResponse(errorCode, []),
};
