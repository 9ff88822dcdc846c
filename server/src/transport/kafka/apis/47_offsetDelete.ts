// OffsetDelete: drops a group's offsets of topics it no longer subscribes to.
import { kafkaCode } from '../errors.js';
import type { KafkaAdapter } from '../types.js';

export const offsetDelete: KafkaAdapter<'OffsetDelete'> = {
  async handle(body, rc) {
    const res = (await rc.handlers.OffsetDelete({ groupId: body.groupId, topics: body.topics.map((t) => ({ topic: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })) }, rc.conn))!;
    return {
      errorCode: kafkaCode(res.errorCode),
      throttleTimeMs: 0,
      topics: res.topics.map((t) => ({ name: t.topic, partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: kafkaCode(p.errorCode) })) })),
    };
  },
  error: (_body, errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] }),
};
