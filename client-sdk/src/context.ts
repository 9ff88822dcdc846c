/** What every producer, consumer and admin client of one `Brook` instance shares. */
import { Connection, type SaslOptions } from './connection.js';
import type { Logger } from './logger.js';
import type { HeartbeatNowPush } from '@brook/protocol';

export interface ClientContext {
  url: string;
  clientId: string;
  logger: Logger;
  requestTimeout: number;
  connectionTimeout: number;
  /** Retries for retriable errors (and reconnects), with exponential backoff. */
  retries: number;
  sasl?: SaslOptions;
}

export function openConnection(
  ctx: ClientContext,
  hooks: { onHeartbeatNow?: (p: HeartbeatNowPush) => void; onReconnect?: () => void } = {},
): Connection {
  return new Connection({
    url: ctx.url,
    clientId: ctx.clientId,
    logger: ctx.logger,
    requestTimeout: ctx.requestTimeout,
    connectionTimeout: ctx.connectionTimeout,
    retries: ctx.retries,
    sasl: ctx.sasl,
    ...hooks,
  });
}
