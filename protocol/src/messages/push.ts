// Server pushes (frames the broker sends without a request).
import { int32, string, struct, type Infer } from '../schema.js';

/**
 * HeartbeatNow (push type 1): the member's target assignment changed (a revocation, or a
 * partition just released to it). The member should heartbeat at once instead of waiting for its
 * interval, so a rebalance settles in one round trip.
 */
export const HeartbeatNowPush = struct('HeartbeatNowPush', { groupId: string, memberId: string, groupEpoch: int32 });
export type HeartbeatNowPush = Infer<typeof HeartbeatNowPush>;
