/** What every producer, consumer and admin client of one `Brook` instance shares. */
import { Connection, type SaslOptions } from './connection.js';
import type { Logger } from './logger.js';
import type { HeartbeatNowPush } from '@brook/protocol';
import { socketUrl, type SslOption } from './socket.js';

export interface ClientContext {
  url: string;
  clientId: string;
  logger: Logger;
  requestTimeout: number;
  connectionTimeout: number;
  /** Retries for retriable errors (and reconnects), with exponential backoff. */
  retries: number;
  sasl?: SaslOptions;
  /** TLS: `true` or tls options (KafkaJS's `ssl`); see socket.ts. */
  ssl?: SslOption;
  /** The consumers running in this client, by group (a transaction's sendOffsets takes their member id and epoch). */
  groupMembers: Map<string, Set<GroupMemberHandle>>;
}

/** What a transaction needs of a consumer: its group membership right now. */
export interface GroupMemberHandle {
  groupMetadata(): { groupId: string; memberId: string; memberEpoch: number };
}

export function openConnection(
  ctx: Omit<ClientContext, 'groupMembers'>,
  hooks: { onHeartbeatNow?: (p: HeartbeatNowPush) => void; onReconnect?: () => void } = {},
): Connection {
  return new Connection({
    url: socketUrl(ctx.url, ctx.ssl),
    tls: typeof ctx.ssl === 'object' ? ctx.ssl : undefined,
    clientId: ctx.clientId,
    logger: ctx.logger,
    requestTimeout: ctx.requestTimeout,
    connectionTimeout: ctx.connectionTimeout,
    retries: ctx.retries,
    sasl: ctx.sasl,
    ...hooks,
  });
}
