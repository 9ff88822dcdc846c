// Metadata: topics and partition counts (all topics when `topics` is null).
import { ErrorCode } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';
import { allowed } from './acl.js';

export function metadata(ctx: BrokerContext): Handler<'Metadata'> {
  return async (req, conn) => {
    // Like Kafka: listing all topics shows only those the principal may describe.
    const names = req.topics ?? ctx.topics.list().map((t) => t.name).filter((n) => allowed(ctx, conn, 'topic', n, 'describe'));
    return {
      topics: names.map((name) => {
        if (!allowed(ctx, conn, 'topic', name, 'describe')) {
          return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: `not allowed to describe ${name}`, name, internal: false, numPartitions: 0 };
        }
        const t = ctx.topics.get(name);
        if (!t) {
          return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic ${name}`, name, internal: false, numPartitions: 0 };
        }
        return { errorCode: 0, errorMessage: null, name, internal: t.internal, numPartitions: t.numPartitions };
      }),
    };
  };
}
