// IncrementalAlterConfigs (API key 44).
// Generated from Kafka 4.4.0's IncrementalAlterConfigsRequest.json and IncrementalAlterConfigsResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bool, int16, int32, int8, string } from '../types.js';

const AlterableConfig = struct('AlterableConfig', {
  /** The configuration key name. */
  name: field(string, '0+'),
  /** The type (Set, Delete, Append, Subtract) of operation. */
  configOperation: field(int8, '0+'),
  /** The value to set for the configuration key. */
  value: field(string, '0+', { nullable: '0+' }),
});

const AlterConfigsResource = struct('AlterConfigsResource', {
  /** The resource type. */
  resourceType: field(int8, '0+'),
  /** The resource name. */
  resourceName: field(string, '0+'),
  /** The configurations. */
  configs: field(array(AlterableConfig), '0+'),
});

const AlterConfigsResourceResponse = struct('AlterConfigsResourceResponse', {
  /** The resource error code. */
  errorCode: field(int16, '0+'),
  /** The resource error message, or null if there was no error. */
  errorMessage: field(string, '0+', { nullable: '0+' }),
  /** The resource type. */
  resourceType: field(int8, '0+'),
  /** The resource name. */
  resourceName: field(string, '0+'),
});

export const IncrementalAlterConfigsRequest = message('IncrementalAlterConfigsRequest', { apiKey: 44, validVersions: '0-1', flexibleVersions: '1+' }, {
  /** The incremental updates for each resource. */
  resources: field(array(AlterConfigsResource), '0+'),
  /** True if we should validate the request, but not change the configurations. */
  validateOnly: field(bool, '0+'),
});
export type IncrementalAlterConfigsRequest = Infer<typeof IncrementalAlterConfigsRequest>;

export const IncrementalAlterConfigsResponse = message('IncrementalAlterConfigsResponse', { apiKey: 44, validVersions: '0-1', flexibleVersions: '1+' }, {
  /** Duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+'),
  /** The responses for each resource. */
  responses: field(array(AlterConfigsResourceResponse), '0+'),
});
export type IncrementalAlterConfigsResponse = Infer<typeof IncrementalAlterConfigsResponse>;
