// DeleteTopics: removes the topics and their data; groups subscribed to them rebalance.
import type { BrokerContext, Handler } from './types.js';
import { toErrorCode } from './errors.js';

export function deleteTopics(ctx: BrokerContext): Handler<'DeleteTopics'> {
  return async (req) => ({
    topics: await Promise.all(
      req.topics.map(async (name) => {
        try {
          await ctx.topics.delete(name);
          return { name, errorCode: 0, errorMessage: null };
        } catch (e) {
          return { name, ...toErrorCode(e, ctx.logger) };
        }
      }),
    ),
  });
}
