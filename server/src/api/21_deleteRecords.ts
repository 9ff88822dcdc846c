// DeleteRecords: moves partitions' log start offsets up (the records below are gone for good).
import type { BrokerContext, ServerHandler } from './types.js';
import { toErrorCode } from './errors.js';
import { authorize } from './acl.js';

export interface DeleteRecordsRequest {
  topics: Array<{ topic: string; partitions: Array<{ partition: number; /** -1: the high watermark */ offset: number }> }>;
}
export interface DeleteRecordsResponse {
  topics: Array<{ topic: string; partitions: Array<{ partition: number; lowWatermark: number; errorCode: number; errorMessage: string | null }> }>;
}

export function deleteRecords(ctx: BrokerContext): ServerHandler<DeleteRecordsRequest, DeleteRecordsResponse> {
  return async (req, conn) => ({
    topics: await Promise.all(
      req.topics.map(async (t) => ({
        topic: t.topic,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            try {
              authorize(ctx, conn, 'cluster', '', 'admin');
              const lowWatermark = await ctx.topics.deleteRecords(t.topic, p.partition, p.offset);
              return { partition: p.partition, lowWatermark, errorCode: 0, errorMessage: null };
            } catch (e) {
              return { partition: p.partition, lowWatermark: -1, ...toErrorCode(e, ctx.logger) };
            }
          }),
        ),
      })),
    ),
  });
}
