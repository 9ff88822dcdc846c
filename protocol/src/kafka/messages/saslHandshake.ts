// SaslHandshake (API key 17).
// Generated from Kafka 4.4.0's SaslHandshakeRequest.json and SaslHandshakeResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, type Infer } from '../schema.js';
import { array, int16, string } from '../types.js';

export const SaslHandshakeRequest = message('SaslHandshakeRequest', { apiKey: 17, validVersions: '0-1', flexibleVersions: 'none' }, {
  /** The SASL mechanism chosen by the client. */
  mechanism: field(string, '0+'),
});
export type SaslHandshakeRequest = Infer<typeof SaslHandshakeRequest>;

export const SaslHandshakeResponse = message('SaslHandshakeResponse', { apiKey: 17, validVersions: '0-1', flexibleVersions: 'none' }, {
  /** The error code, or 0 if there was no error. */
  errorCode: field(int16, '0+'),
  /** The mechanisms enabled in the server. */
  mechanisms: field(array(string), '0+'),
});
export type SaslHandshakeResponse = Infer<typeof SaslHandshakeResponse>;
