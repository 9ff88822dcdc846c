/**
 * SASL exchanges against Brook's principals, for doors that speak SASL (Kafka's SaslHandshake and
 * SaslAuthenticate): PLAIN (one round) and SCRAM-SHA-256/512 (two rounds).
 */
import { utf8Decode, utf8Encode } from '@brook/protocol';
import type { Authorizer, Principal } from './authorizer.js';
import { SCRAM_MECHANISMS, ScramError, ScramServer, type ScramMechanism } from './scram.js';

export const SASL_MECHANISMS: readonly string[] = ['PLAIN', ...SCRAM_MECHANISMS];

export type SaslStep = { done: false; challenge: Uint8Array } | { done: true; principal: Principal; challenge: Uint8Array };

export class SaslAuthenticationError extends Error {}

export class SaslSession {
  private readonly scram: ScramServer | null;
  private rounds = 0;

  constructor(
    readonly mechanism: string,
    private readonly auth: Authorizer,
  ) {
    this.scram = (SCRAM_MECHANISMS as readonly string[]).includes(mechanism)
      ? new ScramServer(mechanism as ScramMechanism, (name) => auth.scramCredential(name, mechanism as ScramMechanism))
      : null;
  }

  static supports(mechanism: string): boolean {
    return SASL_MECHANISMS.includes(mechanism);
  }

  /** One round of the exchange; SaslAuthenticationError when the client is refused. */
  step(token: Uint8Array): SaslStep {
    const round = this.rounds++;
    if (!this.scram) {
      // PLAIN (RFC 4616): [authzid] NUL authcid NUL passwd.
      const [authzid, username, password] = utf8Decode(token).split('\0');
      if (password === undefined || (authzid !== '' && authzid !== username)) throw new SaslAuthenticationError('malformed PLAIN credentials');
      const principal = this.auth.authenticate(username ?? null, password);
      if (!principal) throw new SaslAuthenticationError('wrong username or password');
      return { done: true, principal, challenge: new Uint8Array(0) };
    }
    try {
      if (round === 0) return { done: false, challenge: utf8Encode(this.scram.first(utf8Decode(token))) };
      if (round === 1) {
        const serverFinal = this.scram.final(utf8Decode(token));
        const principal = this.auth.principal(this.scram.username);
        if (!principal) throw new SaslAuthenticationError('authentication failed');
        return { done: true, principal, challenge: utf8Encode(serverFinal) };
      }
    } catch (e) {
      if (e instanceof ScramError) throw new SaslAuthenticationError(e.message);
      throw e;
    }
    throw new SaslAuthenticationError('unexpected SASL message after authentication');
  }
}
