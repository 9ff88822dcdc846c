// Handshake (API key 18, Kafka's ApiVersions slot): the first request on every connection.
import { array, int16, int32, nullableString, string, struct, type Infer } from '../schema.js';

export const HandshakeRequest = struct('HandshakeRequest', {
  clientId: [string, 'Names the client in logs and the admin API.'],
  clientSoftware: [string, 'Client library name and version, e.g. "@brook/client 0.1.0".'],
  minProtocol: [int16, 'Lowest protocol version the client speaks.'],
  maxProtocol: [int16, 'Highest protocol version the client speaks.'],
  username: [nullableString, 'Principal name when the broker requires authentication (SASL/PLAIN-like); null otherwise.'],
  password: [nullableString, "The principal's secret; compared by the broker in constant time against a stored SHA-256."],
});

const ApiRange = struct('ApiRange', { apiKey: int16, minVersion: int16, maxVersion: int16 });

export const HandshakeResponse = struct('HandshakeResponse', {
  protocol: [int16, 'The protocol version chosen for this connection.'],
  brokerVersion: [string, 'The broker software version.'],
  apis: [array(ApiRange), 'The API versions the broker accepts.'],
  maxMessageBytes: [int32, 'Default max.message.bytes for new topics.'],
  maxFrameBytes: [int32, 'Largest WebSocket frame the broker accepts.'],
  principal: [nullableString, 'The authenticated principal, or null when the broker runs without authentication.'],
});

export type HandshakeRequest = Infer<typeof HandshakeRequest>;
export type HandshakeResponse = Infer<typeof HandshakeResponse>;
