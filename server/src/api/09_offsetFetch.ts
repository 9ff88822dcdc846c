// OffsetFetch: committed offsets from the in-memory table (-1 where nothing is committed). With
// requireStable (KIP-447), a partition whose offset a transaction holds but has not committed or
// aborted yet is answered UNSTABLE_OFFSET_COMMIT (retriable) instead, as Kafka does, so a consumer
// taking over a partition does not start from an offset the transaction is about to replace.
// A KIP-848 member asking over Kafka (v9+) must be current (services/offsetCommits.ts).
import { BrookError, ErrorCode, validateName, type RequestOf, type ResponseOf } from '@brook/protocol';
import type { BrokerContext, ServerHandler } from './types.js';
import { allowed } from './acl.js';
import { validateGroupFetch } from '../services/offsetCommits.js';

/** Brook's request, plus the member Kafka clients name from v9 (null and -1: no member). */
export type OffsetFetchHandlerRequest = RequestOf<'OffsetFetch'> & { memberId?: string | null; memberEpoch?: number };

export function offsetFetch(ctx: BrokerContext): ServerHandler<OffsetFetchHandlerRequest, ResponseOf<'OffsetFetch'>> {
  return async (req, conn) => {
    const bad = validateName('group', req.groupId);
    if (bad) throw new BrookError(ErrorCode.INVALID_GROUP_ID, bad);
    if (!allowed(ctx, conn, 'group', req.groupId, 'use')) {
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: `not allowed to use group ${req.groupId}`, topics: [] };
    }
    const fenced = validateGroupFetch(ctx, req.groupId, req.memberId ?? null, req.memberEpoch ?? -1);
    if (fenced !== 0) return { errorCode: fenced, errorMessage: `member ${req.memberId} is not in group ${req.groupId} at epoch ${req.memberEpoch}`, topics: [] };
    // The group's committed partitions per topic, once (by topic and partition, as list() sorts them).
    const committed = new Map<string, number[]>();
    for (const o of ctx.offsets.list(req.groupId)) {
      const own = committed.get(o.topic);
      if (own) own.push(o.partition);
      else committed.set(o.topic, [o.partition]);
    }
    const wanted = req.topics ?? [...committed.keys()].map((topic) => ({ topic, partitions: null }));
    return {
      errorCode: 0,
      errorMessage: null,
      topics: wanted.map((t) => {
        const partitions = t.partitions ?? committed.get(t.topic) ?? [];
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
