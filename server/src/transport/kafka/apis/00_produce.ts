// Produce: record batches pass through to the shared handler as they came (transactional and
// idempotent fields live in the batch headers); v13 names topics by id. acks 0: no answer.
import { joinRecords } from '@brook/protocol';
import { kafkaCode, KafkaError } from '../errors.js';
import type { KafkaAdapter, KafkaResponseOf } from '../types.js';
import { topicName } from './topics.js';

type TopicResponse = KafkaResponseOf<'Produce'>['responses'][number];
type PartitionResponse = TopicResponse['partitionResponses'][number];
const EMPTY = new Uint8Array(0);
const NO_LEADER = { leaderId: -1, leaderEpoch: -1 };

function partition(index: number, errorCode: number, errorMessage: string | null, baseOffset = -1, logStartOffset = -1): PartitionResponse {
  return { index, errorCode, baseOffset, logAppendTimeMs: -1, logStartOffset, recordErrors: [], errorMessage, currentLeader: NO_LEADER };
}

export const produce: KafkaAdapter<'Produce'> = {
  handle(body, rc) {
    const byId = rc.version >= 13;
    const known: Array<{ topic: string; topicId: string; partitions: Array<{ partition: number; records: Uint8Array }> }> = [];
    const unknown: TopicResponse[] = [];
    for (const t of body.topicData) {
      const name = topicName(rc.ctx, t, byId);
      // decoded off the wire: always one array (only the broker's own answers are RecordSets)
      const partitions = t.partitionData.map((p) => ({ partition: p.index, records: p.records === null ? EMPTY : joinRecords(p.records) }));
      if (name !== null) known.push({ topic: name, topicId: t.topicId, partitions });
      else {
        const code = byId ? KafkaError.UNKNOWN_TOPIC_ID : 3;
        unknown.push({ name: t.name, topicId: t.topicId, partitionResponses: partitions.map((p) => partition(p.partition, code, 'unknown topic')) });
      }
    }
    // Called now, before any await: requests of a connection are appended in the order they came.
    const answer = rc.handlers.Produce({ transactionalId: body.transactionalId, acks: body.acks, timeoutMs: body.timeoutMs, topics: known }, rc.conn);
    return answer.then((res) => {
      if (res === null) return null;
      const responses: TopicResponse[] = res.topics.map((t, i) => ({
        name: t.topic,
        topicId: known[i]!.topicId,
        partitionResponses: t.partitions.map((p) => partition(p.partition, kafkaCode(p.errorCode), p.errorMessage, p.baseOffset, p.logStartOffset)),
      }));
      return { responses: [...responses, ...unknown], throttleTimeMs: 0, nodeEndpoints: [] };
    });
  },
  error: (body, errorCode, errorMessage) => ({
    responses: body.topicData.map((t) => ({ name: t.name, topicId: t.topicId, partitionResponses: t.partitionData.map((p) => partition(p.index, errorCode, errorMessage)) })),
    throttleTimeMs: 0,
    nodeEndpoints: [],
  }),
};
