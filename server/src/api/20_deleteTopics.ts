// DeleteTopics: removes the topics and their data; groups subscribed to them rebalance.
import type { BrokerContext, Handler } from './types.js';
import { toErrorCode } from './errors.js';
import { authorize } from './acl.js';

export function deleteTopics(ctx: BrokerContext): Handler<'DeleteTopics'> {
  return async (req, conn) => ({
    topics: await Promise.all(
      req.topics.map(async (name) => {
        try {
          authorize(ctx, conn, 'cluster', '', 'admin');
          await ctx.topics.delete(name);
          return { name, errorCode: 0, errorMessage: null };
        } catch (e) {
          return { name, ...toErrorCode(e, ctx.logger) };
        }
      }),
    ),
  });
}
