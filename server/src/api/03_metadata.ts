// Metadata: topics and partition counts (all topics when `topics` is null).
import { ErrorCode } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';

export function metadata(ctx: BrokerContext): Handler<'Metadata'> {
  return async (req) => {
    const names = req.topics ?? ctx.topics.list().map((t) => t.name);
    return {
      topics: names.map((name) => {
        const t = ctx.topics.get(name);
        if (!t) {
          return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic ${name}`, name, internal: false, numPartitions: 0 };
        }
        return { errorCode: 0, errorMessage: null, name, internal: t.internal, numPartitions: t.numPartitions };
      }),
    };
  };
}
