// Handshake: must be the first request; names the client and settles the protocol version.
import { Apis, BrookError, ErrorCode, PROTOCOL_VERSION } from '@brook/protocol';
import { BROKER_VERSION } from '../config.js';
import type { BrokerContext, Handler } from './types.js';

export function handshake(ctx: BrokerContext): Handler<'Handshake'> {
  const apis = Object.values(Apis).map((a) => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion }));
  return async (req, conn) => {
    if (req.minProtocol > PROTOCOL_VERSION || req.maxProtocol < PROTOCOL_VERSION) {
      throw new BrookError(
        ErrorCode.UNSUPPORTED_VERSION,
        `client speaks protocol ${req.minProtocol}-${req.maxProtocol}, broker speaks ${PROTOCOL_VERSION}`,
      );
    }
    if (ctx.auth) {
      const principal = ctx.auth.authenticate(req.username, req.password);
      if (!principal) {
        ctx.logger.warn({ connectionId: conn.connectionId, clientHost: conn.clientHost, username: req.username }, 'authentication failed');
        // Answer first, then close: the client learns why.
        setImmediate(() => conn.close(1008, 'authentication failed'));
        throw new BrookError(ErrorCode.SASL_AUTHENTICATION_FAILED, req.username === null ? 'this broker requires a username and password' : 'wrong username or password');
      }
      conn.principal = principal;
    }
    conn.clientId = req.clientId;
    conn.handshaken = true;
    ctx.logger.debug({ connectionId: conn.connectionId, clientId: req.clientId, software: req.clientSoftware }, 'client connected');
    return {
      protocol: PROTOCOL_VERSION,
      brokerVersion: BROKER_VERSION,
      apis,
      maxMessageBytes: ctx.options.maxMessageBytes,
      maxFrameBytes: ctx.options.maxFrameBytes,
      principal: conn.principal?.name ?? null,
    };
  };
}
