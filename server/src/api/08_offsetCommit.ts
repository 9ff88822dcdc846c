// OffsetCommit: each partition is checked (topic exists, metadata size, fencing by member id,
// epoch and ownership); the accepted ones are written in one fsynced batch. A refused partition
// leaves its stored offset unchanged.
import type { BrokerContext, Handler } from './types.js';
import { checkCommits } from '../services/offsetCommits.js';

export function offsetCommit(ctx: BrokerContext): Handler<'OffsetCommit'> {
  return async (req, conn) => {
    const { topics, accepted } = checkCommits(ctx, conn, req);
    await ctx.offsets.commit(req.groupId, accepted);
    return { topics };
  };
}
