// ConsumerGroupHeartbeat (KIP-848): join, heartbeat and leave; the group logic lives in groups/.
import { BrookError, ErrorCode, validateName } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';
import { allowed } from './acl.js';

export function consumerGroupHeartbeat(ctx: BrokerContext): Handler<'ConsumerGroupHeartbeat'> {
  return async (req, conn) => {
    const bad = validateName('group', req.groupId);
    if (bad) throw new BrookError(ErrorCode.INVALID_GROUP_ID, bad);
    const refuse = (errorCode: number, errorMessage: string) => ({ errorCode, errorMessage, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: ctx.options.groupHeartbeatIntervalMs, assignment: null });
    if (!allowed(ctx, conn, 'group', req.groupId, 'use')) return refuse(ErrorCode.GROUP_AUTHORIZATION_FAILED, `not allowed to use group ${req.groupId}`);
    // A regex resolves only to topics the principal may describe (the coordinator filters, by the principal passed here).
    const denied = req.subscribedTopicNames?.find((t) => !allowed(ctx, conn, 'topic', t, 'consume'));
    if (denied !== undefined) return refuse(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `not allowed to consume ${denied}`);
    return ctx.groups.heartbeat(req, { connectionId: conn.connectionId, clientId: conn.clientId, clientHost: conn.clientHost, principal: conn.principal?.name ?? null, pushes: conn.pushes });
  };
}
