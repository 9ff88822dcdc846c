// SaslAuthenticate (API key 36).
// Generated from Kafka 4.4.0's SaslAuthenticateRequest.json and SaslAuthenticateResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, type Infer } from '../schema.js';
import { bytes, int16, int64, string } from '../types.js';

export const SaslAuthenticateRequest = message('SaslAuthenticateRequest', { apiKey: 36, validVersions: '0-2', flexibleVersions: '2+' }, {
  /** The SASL authentication bytes from the client, as defined by the SASL mechanism. */
  authBytes: field(bytes, '0+'),
});
export type SaslAuthenticateRequest = Infer<typeof SaslAuthenticateRequest>;

export const SaslAuthenticateResponse = message('SaslAuthenticateResponse', { apiKey: 36, validVersions: '0-2', flexibleVersions: '2+' }, {
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The error message, or null if there was no error. */
  errorMessage: field(string, '0+', { nullable: '0+' }),
  /** The SASL authentication bytes from the server, as defined by the SASL mechanism. */
  authBytes: field(bytes, '0+'),
  /** Number of milliseconds after which only re-authentication over the existing connection to create a new session can occur. */
  sessionLifetimeMs: field(int64, '1+', { default: 0, ignorable: true }),
});
export type SaslAuthenticateResponse = Infer<typeof SaslAuthenticateResponse>;
