// OffsetFetch: committed offsets from the in-memory table (-1 where nothing is committed). With
// requireStable (KIP-447), a partition whose offset a transaction holds but has not committed or
// aborted yet is answered UNSTABLE_OFFSET_COMMIT (retriable) instead, as Kafka does, so a consumer
// taking over a partition does not start from an offset the transaction is about to replace.
import { BrookError, ErrorCode, validateName } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';
import { allowed } from './acl.js';

export function offsetFetch(ctx: BrokerContext): Handler<'OffsetFetch'> {
  return async (req, conn) => {
    const bad = validateName('group', req.groupId);
    if (bad) throw new BrookError(ErrorCode.INVALID_GROUP_ID, bad);
    if (!allowed(ctx, conn, 'group', req.groupId, 'use')) {
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: `not allowed to use group ${req.groupId}`, topics: [] };
    }
    const all = ctx.offsets.list(req.groupId);
    const wanted = req.topics ?? [...new Set(all.map((o) => o.topic))].map((topic) => ({ topic, partitions: null }));
    return {
      errorCode: 0,
      errorMessage: null,
      topics: wanted.map((t) => {
        const partitions = t.partitions ?? all.filter((o) => o.topic === t.topic).map((o) => o.partition);
        return {
          topic: t.topic,
          partitions: partitions.map((partition) => {
            if (req.requireStable && ctx.txns.hasPendingOffset(req.groupId, t.topic, partition)) {
              return { partition, offset: -1, metadata: null, commitTimestamp: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT };
            }
            const c = ctx.offsets.get(req.groupId, t.topic, partition);
            return { partition, offset: c?.offset ?? -1, metadata: c?.metadata ?? null, commitTimestamp: c?.commitTimestamp ?? -1, errorCode: 0 };
          }),
        };
      }),
    };
  };
}
