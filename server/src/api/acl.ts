// The one question handlers ask: may this connection do `op` on this resource?
import { BrookError, ErrorCode } from '@brook/protocol';
import { can, type Operation, type Resource } from '../auth/authorizer.js';
import type { BrokerContext, ConnectionInfo } from './types.js';

export function allowed(ctx: BrokerContext, conn: ConnectionInfo, resource: Resource, name: string, op: Operation): boolean {
  return can(ctx.auth !== null, conn.principal, resource, name, op);
}

const CODES: Record<Resource, number> = {
  topic: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  group: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  transactionalId: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  cluster: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
};

/** Throws TOPIC/GROUP/TRANSACTIONAL_ID/CLUSTER_AUTHORIZATION_FAILED unless allowed. */
export function authorize(ctx: BrokerContext, conn: ConnectionInfo, resource: Resource, name: string, op: Operation): void {
  if (!allowed(ctx, conn, resource, name, op)) {
    const who = conn.principal?.name ?? 'anonymous';
    throw new BrookError(CODES[resource], resource === 'cluster' ? `${who} may not ${op} the cluster` : `${who} may not ${op} ${resource} ${name}`);
  }
}
