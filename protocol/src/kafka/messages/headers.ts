// Request and response headers.
// Generated from Kafka 4.4.0's RequestHeader.json and ResponseHeader.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, type Infer } from '../schema.js';
import { int16, int32, string } from '../types.js';

export const RequestHeader = message('RequestHeader', { validVersions: '1-2', flexibleVersions: '2+' }, {
  /** The API key of this request. */
  requestApiKey: field(int16, '0+'),
  /** The API version of this request. */
  requestApiVersion: field(int16, '0+'),
  /** The correlation ID of this request. */
  correlationId: field(int32, '0+'),
  /** The client ID string. */
  clientId: field(string, '1+', { nullable: '1+', flexible: 'none' }),
});
export type RequestHeader = Infer<typeof RequestHeader>;

export const ResponseHeader = message('ResponseHeader', { validVersions: '0-1', flexibleVersions: '1+' }, {
  /** The correlation ID of this response. */
  correlationId: field(int32, '0+'),
});
export type ResponseHeader = Infer<typeof ResponseHeader>;
