// ListOffsets: earliest (-2), latest (-1), by timestamp; Kafka's "earliest local" (-4) is the
// earliest here (no tiered storage). Max timestamp (-3) is not served: INVALID_REQUEST per partition.
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter, KafkaResponseOf } from '../types.js';

type Partition = KafkaResponseOf<'ListOffsets'>['topics'][number]['partitions'][number];
const EARLIEST_LOCAL = -4;

export const listOffsets: KafkaAdapter<'ListOffsets'> = {
  async handle(body, rc) {
    const res = (await rc.handlers.ListOffsets(
      {
        isolationLevel: body.isolationLevel,
        topics: body.topics.map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, timestamp: p.timestamp === EARLIEST_LOCAL ? -2 : p.timestamp })) })),
      },
      rc.conn,
    ))!;
    return {
      throttleTimeMs: 0,
      topics: res.topics.map((t) => ({
        name: t.topic,
        partitions: t.partitions.map((p): Partition => ({ partitionIndex: p.partition, errorCode: kafkaCode(p.errorCode), timestamp: p.timestamp, offset: p.offset, leaderEpoch: -1 })),
      })),
    };
  },
  error: (body, errorCode) => ({
    throttleTimeMs: 0,
    topics: body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, timestamp: -1, offset: -1, leaderEpoch: -1 })) })),
  }),
};
