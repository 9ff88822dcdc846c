// OffsetCommit: each partition is checked (topic exists, metadata size, fencing by member id,
// epoch and ownership); the accepted ones are written in one fsynced batch. A refused partition
// leaves its stored offset unchanged. Checked in the group's queue (services/offsetCommits.ts).
import type { BrokerContext, Handler } from './types.js';
import { commitOffsets } from '../services/offsetCommits.js';

export function offsetCommit(ctx: BrokerContext): Handler<'OffsetCommit'> {
  return (req, conn) => commitOffsets(ctx, conn, req);
}
