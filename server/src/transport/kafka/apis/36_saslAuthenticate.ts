// SaslAuthenticate: one round of the mechanism chosen by SaslHandshake. On success the
// connection has its principal (the ACLs of the shared handlers apply to it); on failure the
// client gets SASL_AUTHENTICATION_FAILED and the connection is closed, as Kafka does.
import { ErrorCode } from '@brook/protocol';
import { SaslAuthenticationError } from '../../../auth/sasl.js';
import { KafkaError } from '../errors.js';
import type { KafkaAdapter, KafkaResponseOf } from '../types.js';

const EMPTY: Uint8Array = new Uint8Array(0);

function answer(errorCode: number, errorMessage: string | null, authBytes: Uint8Array = EMPTY): KafkaResponseOf<'SaslAuthenticate'> {
  return { errorCode, errorMessage, authBytes, sessionLifetimeMs: 0 };
}

export const saslAuthenticate: KafkaAdapter<'SaslAuthenticate'> = {
  async handle(body, rc) {
    const { conn, ctx } = rc;
    const session = conn.sasl;
    if (!session || conn.authenticated) {
      conn.close(0, 'SaslAuthenticate out of turn');
      return answer(KafkaError.ILLEGAL_SASL_STATE, 'send SaslHandshake first');
    }
    try {
      const step = session.step(body.authBytes);
      if (!step.done) return answer(0, null, step.challenge);
      conn.principal = step.principal;
      conn.authenticated = true;
      conn.sasl = null;
      ctx.logger.debug({ connectionId: conn.connectionId, principal: step.principal.name, mechanism: session.mechanism }, 'kafka client authenticated');
      return answer(0, null, step.challenge);
    } catch (e) {
      if (!(e instanceof SaslAuthenticationError)) throw e;
      ctx.logger.warn({ connectionId: conn.connectionId, clientHost: conn.clientHost, mechanism: session.mechanism, reason: e.message }, 'authentication failed');
      conn.close(0, 'authentication failed');
      return answer(ErrorCode.SASL_AUTHENTICATION_FAILED, `Authentication failed: ${e.message}`);
    }
  },
};
