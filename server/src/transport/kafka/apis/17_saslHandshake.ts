// SaslHandshake: picks the mechanism of the SaslAuthenticate rounds that follow (v1; v0's raw
// SASL tokens outside Kafka's framing are not spoken). Without authentication there is none.
import { ErrorCode } from '@brook/protocol';
import { SASL_MECHANISMS, SaslSession } from '../../../auth/sasl.js';
import { KafkaError } from '../errors.js';
import type { KafkaAdapter } from '../types.js';

export const saslHandshake: KafkaAdapter<'SaslHandshake'> = {
  async handle(body, rc) {
    const { conn, ctx } = rc;
    if (!ctx.auth || conn.sasl || conn.principal) return { errorCode: KafkaError.ILLEGAL_SASL_STATE, mechanisms: ctx.auth ? [...SASL_MECHANISMS] : [] };
    if (rc.version === 0) {
      conn.close(0, 'SaslHandshake v0 (raw SASL tokens) is not supported; use v1');
      return { errorCode: ErrorCode.UNSUPPORTED_VERSION, mechanisms: [...SASL_MECHANISMS] };
    }
    if (!SaslSession.supports(body.mechanism)) return { errorCode: KafkaError.UNSUPPORTED_SASL_MECHANISM, mechanisms: [...SASL_MECHANISMS] };
    conn.sasl = new SaslSession(body.mechanism, ctx.auth);
    return { errorCode: 0, mechanisms: [...SASL_MECHANISMS] };
  },
};
