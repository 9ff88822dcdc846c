// What the classic group handlers (JoinGroup 11, Heartbeat 12, LeaveGroup 13, SyncGroup 14) share:
// their handler type (these APIs exist on the Kafka door only, so they are not in the Brook API
// table) and the checks Kafka makes before a request reaches the coordinator.
import { ErrorCode, validateName } from '@brook/protocol';
import type { BrokerContext, ConnectionInfo } from './types.js';
import { allowed } from './acl.js';

export type ClassicHandler<Req, Res> = (req: Req, conn: ConnectionInfo) => Promise<Res>;

/** 0, INVALID_GROUP_ID (Kafka: an empty group id) or GROUP_AUTHORIZATION_FAILED (Read on the group). */
export function classicGroupCheck(ctx: BrokerContext, conn: ConnectionInfo, groupId: string): number {
  if (groupId === '' || validateName('group', groupId) !== null) return ErrorCode.INVALID_GROUP_ID;
  if (!allowed(ctx, conn, 'group', groupId, 'use')) return ErrorCode.GROUP_AUTHORIZATION_FAILED;
  return 0;
}
