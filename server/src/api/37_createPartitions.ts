// CreatePartitions: grows topics; groups subscribed to them rebalance onto the new partitions.
import type { BrokerContext, ServerHandler } from './types.js';
import { toErrorCode } from './errors.js';
import { authorize } from './acl.js';

export interface CreatePartitionsRequest {
  topics: Array<{ name: string; count: number }>;
  validateOnly: boolean;
}
export interface CreatePartitionsResponse {
  results: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
}

export function createPartitions(ctx: BrokerContext): ServerHandler<CreatePartitionsRequest, CreatePartitionsResponse> {
  return async (req, conn) => ({
    results: await Promise.all(
      req.topics.map(async (t) => {
        try {
          authorize(ctx, conn, 'cluster', '', 'admin');
          await ctx.topics.createPartitions(t.name, t.count, { validateOnly: req.validateOnly });
          return { name: t.name, errorCode: 0, errorMessage: null };
        } catch (e) {
          return { name: t.name, ...toErrorCode(e, ctx.logger) };
        }
      }),
    ),
  });
}
