// OffsetCommit: each partition is checked (topic exists, metadata size, fencing by member id,
// epoch and ownership; for classic groups by generation, member and instance id); the accepted
// ones are written in one fsynced batch. A refused partition leaves its stored offset unchanged.
// Checked in the group's queue (services/offsetCommits.ts).
import type { ResponseOf } from '@brook/protocol';
import type { BrokerContext, ServerHandler } from './types.js';
import { commitOffsets, type GroupCommit } from '../services/offsetCommits.js';

export function offsetCommit(ctx: BrokerContext): ServerHandler<GroupCommit, ResponseOf<'OffsetCommit'>> {
  return (req, conn) => commitOffsets(ctx, conn, req);
}
