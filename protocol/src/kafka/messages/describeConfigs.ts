// DescribeConfigs (API key 32).
// Generated from Kafka 4.4.0's DescribeConfigsRequest.json and DescribeConfigsResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bool, int16, int32, int8, string } from '../types.js';

const DescribeConfigsResource = struct('DescribeConfigsResource', {
  /** The resource type. */
  resourceType: field(int8, '0+'),
  /** The resource name. */
  resourceName: field(string, '0+'),
  /** The configuration keys to list, or null to list all configuration keys. */
  configurationKeys: field(array(string), '0+', { nullable: '0+' }),
});

const DescribeConfigsSynonym = struct('DescribeConfigsSynonym', {
  /** The synonym name. */
  name: field(string, '1+'),
  /** The synonym value. */
  value: field(string, '1+', { nullable: '0+' }),
  /** The synonym source. */
  source: field(int8, '1+'),
});

const DescribeConfigsResourceResult = struct('DescribeConfigsResourceResult', {
  /** The configuration name. */
  name: field(string, '0+'),
  /** The configuration value. */
  value: field(string, '0+', { nullable: '0+' }),
  /** True if the configuration is read-only. */
  readOnly: field(bool, '0+'),
  /** The configuration source. */
  configSource: field(int8, '1+', { default: -1, ignorable: true }),
  /** True if this configuration is sensitive. */
  isSensitive: field(bool, '0+'),
  /** The synonyms for this configuration key. */
  synonyms: field(array(DescribeConfigsSynonym), '1+', { ignorable: true }),
  /** The configuration data type. Type can be one of the following values - BOOLEAN, STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS, PASSWORD. */
  configType: field(int8, '3+', { default: 0, ignorable: true }),
  /** The configuration documentation. */
  documentation: field(string, '3+', { nullable: '0+', ignorable: true }),
});

const DescribeConfigsResult = struct('DescribeConfigsResult', {
  /** The error code, or 0 if we were able to successfully describe the configurations. */
  errorCode: field(int16, '0+'),
  /** The error message, or null if we were able to successfully describe the configurations. */
  errorMessage: field(string, '0+', { nullable: '0+' }),
  /** The resource type. */
  resourceType: field(int8, '0+'),
  /** The resource name. */
  resourceName: field(string, '0+'),
  /** Each listed configuration. */
  configs: field(array(DescribeConfigsResourceResult), '0+'),
});

export const DescribeConfigsRequest = message('DescribeConfigsRequest', { apiKey: 32, validVersions: '1-4', flexibleVersions: '4+' }, {
  /** The resources whose configurations we want to describe. */
  resources: field(array(DescribeConfigsResource), '0+'),
  /** True if we should include all synonyms. */
  includeSynonyms: field(bool, '1+', { default: false }),
  /** True if we should include configuration documentation. */
  includeDocumentation: field(bool, '3+', { default: false }),
});
export type DescribeConfigsRequest = Infer<typeof DescribeConfigsRequest>;

export const DescribeConfigsResponse = message('DescribeConfigsResponse', { apiKey: 32, validVersions: '1-4', flexibleVersions: '4+' }, {
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '0+'),
  /** The results for each resource. */
  results: field(array(DescribeConfigsResult), '0+'),
});
export type DescribeConfigsResponse = Infer<typeof DescribeConfigsResponse>;
