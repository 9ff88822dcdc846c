// DeleteTopics: by name (v0-5) or by name or topic id (v6+).
import { ErrorCode } from '@brook/protocol';
import { kafkaCode, KafkaError } from '../errors.js';
import type { KafkaAdapter, KafkaResponseOf } from '../types.js';
import { ZERO_UUID, topicIdOf } from './topics.js';

type Result = KafkaResponseOf<'DeleteTopics'>['responses'][number];

export const deleteTopics: KafkaAdapter<'DeleteTopics'> = {
  async handle(body, rc) {
    const wanted = rc.version >= 6 ? body.topics.map((t) => ({ name: t.name ?? rc.ctx.cluster.topicNameOf(t.topicId), topicId: t.topicId })) : body.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const names = wanted.flatMap((t) => (t.name === null ? [] : [t.name]));
    const ids = new Map(names.map((n) => [n, topicIdOf(rc.ctx, n)]));
    const res = (await rc.handlers.DeleteTopics({ topics: names }, rc.conn))!;
    const byName = new Map(res.topics.map((t) => [t.name, t]));
    const responses: Result[] = wanted.map((t) => {
      if (t.name === null) return { name: null, topicId: t.topicId, errorCode: KafkaError.UNKNOWN_TOPIC_ID, errorMessage: 'unknown topic id' };
      const r = byName.get(t.name);
      return { name: t.name, topicId: ids.get(t.name)!, errorCode: kafkaCode(r?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), errorMessage: r?.errorMessage ?? null };
    });
    return { throttleTimeMs: 0, responses };
  },
};
