// DeleteRecords: moves log start offsets up (offset -1: to the high watermark).
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter } from '../types.js';

export const deleteRecords: KafkaAdapter<'DeleteRecords'> = {
  async handle(body, rc) {
    const res = await rc.handlers.DeleteRecords({ topics: body.topics.map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, offset: p.offset })) })) }, rc.conn);
    return {
      throttleTimeMs: 0,
      topics: res.topics.map((t) => ({ name: t.topic, partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, lowWatermark: p.lowWatermark, errorCode: kafkaCode(p.errorCode) })) })),
    };
  },
};
