// CreateTopics: per-topic results; TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_CONFIG, INVALID_TOPIC_EXCEPTION.
import type { BrokerContext, Handler } from './types.js';
import { toErrorCode } from './errors.js';
import { authorize } from './acl.js';

export function createTopics(ctx: BrokerContext): Handler<'CreateTopics'> {
  return async (req, conn) => ({
    topics: await Promise.all(
      req.topics.map(async (t) => {
        try {
          authorize(ctx, conn, 'cluster', '', 'admin');
          const configs = Object.fromEntries(t.configs.map((c) => [c.name, c.value]));
          await ctx.topics.create(t.name, t.numPartitions, configs, { validateOnly: req.validateOnly });
          return { name: t.name, errorCode: 0, errorMessage: null };
        } catch (e) {
          return { name: t.name, ...toErrorCode(e, ctx.logger) };
        }
      }),
    ),
  });
}
