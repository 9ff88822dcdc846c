// OffsetDelete: drop a group's offsets for topics it no longer reads (GROUP_SUBSCRIBED_TO_TOPIC otherwise).
import { BrookError, ErrorCode, validateName } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';
import { allowed } from './acl.js';
import { groupExists, groupSubscribesTo } from '../services/groups.js';

export function offsetDelete(ctx: BrokerContext): Handler<'OffsetDelete'> {
  return async (req, conn) => {
    const bad = validateName('group', req.groupId);
    if (bad) throw new BrookError(ErrorCode.INVALID_GROUP_ID, bad);
    if (!allowed(ctx, conn, 'cluster', '', 'admin')) {
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'deleting offsets needs cluster admin', topics: [] };
    }
    if (!groupExists(ctx, req.groupId)) {
      return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `group ${req.groupId} does not exist`, topics: [] };
    }
    const doomed: Array<{ topic: string; partition: number }> = [];
    const topics = req.topics.map((t) => {
      const parts = t.partitions ?? ctx.offsets.list(req.groupId).filter((o) => o.topic === t.topic).map((o) => o.partition);
      const code = groupSubscribesTo(ctx, req.groupId, t.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : 0;
      if (code === 0) for (const partition of parts) doomed.push({ topic: t.topic, partition });
      return { topic: t.topic, partitions: parts.map((partition) => ({ partition, errorCode: code })) };
    });
    await ctx.offsets.deleteOffsets(req.groupId, doomed);
    return { errorCode: 0, errorMessage: null, topics };
  };
}

