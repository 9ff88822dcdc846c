// ApiVersions (API key 18).
// Generated from Kafka 4.4.0's ApiVersionsRequest.json and ApiVersionsResponse.json by
// scripts/kafka/messages/gen.mjs: change the generator or the Kafka version, not this file.
import { message } from '../message.js';
import { field, struct, type Infer } from '../schema.js';
import { array, bool, int16, int32, int64, string } from '../types.js';

const ApiVersion = struct('ApiVersion', {
  /** The API index. */
  apiKey: field(int16, '0+'),
  /** The minimum supported version, inclusive. */
  minVersion: field(int16, '0+'),
  /** The maximum supported version, inclusive. */
  maxVersion: field(int16, '0+'),
});

const SupportedFeatureKey = struct('SupportedFeatureKey', {
  /** The name of the feature. */
  name: field(string, '3+'),
  /** The minimum supported version for the feature. */
  minVersion: field(int16, '3+'),
  /** The maximum supported version for the feature. */
  maxVersion: field(int16, '3+'),
});

const FinalizedFeatureKey = struct('FinalizedFeatureKey', {
  /** The name of the feature. */
  name: field(string, '3+'),
  /** The cluster-wide finalized max version level for the feature. */
  maxVersionLevel: field(int16, '3+'),
  /** The cluster-wide finalized min version level for the feature. */
  minVersionLevel: field(int16, '3+'),
});

export const ApiVersionsRequest = message('ApiVersionsRequest', { apiKey: 18, validVersions: '0-5', flexibleVersions: '3+' }, {
  /** The name of the client. */
  clientSoftwareName: field(string, '3+', { ignorable: true }),
  /** The version of the client. */
  clientSoftwareVersion: field(string, '3+', { ignorable: true }),
  /** The cluster ID the client intends to connect to. Provide both ClusterId and NodeId, if known. */
  clusterId: field(string, '5+', { nullable: '5+', default: null, ignorable: true }),
  /** The node ID the client intends to connect to. Provide both ClusterId and NodeId, if known. */
  nodeId: field(int32, '5+', { default: -1, ignorable: true }),
});
export type ApiVersionsRequest = Infer<typeof ApiVersionsRequest>;

export const ApiVersionsResponse = message('ApiVersionsResponse', { apiKey: 18, validVersions: '0-5', flexibleVersions: '3+' }, {
  /** The top-level error code. */
  errorCode: field(int16, '0+'),
  /** The APIs supported by the broker. */
  apiKeys: field(array(ApiVersion), '0+'),
  /** The duration in milliseconds for which the request was throttled due to a quota violation, or zero if the request did not violate any quota. */
  throttleTimeMs: field(int32, '1+', { ignorable: true }),
  /** Features supported by the broker. Note: in v0-v3, features with MinSupportedVersion = 0 are omitted. */
  supportedFeatures: field(array(SupportedFeatureKey), '3+', { tag: 0, tagged: '3+', ignorable: true }),
  /** The monotonically increasing epoch for the finalized features information. Valid values are >= 0. A value of -1 is special and represents unknown epoch. */
  finalizedFeaturesEpoch: field(int64, '3+', { default: -1, tag: 1, tagged: '3+', ignorable: true }),
  /** List of cluster-wide finalized features. The information is valid only if FinalizedFeaturesEpoch >= 0. */
  finalizedFeatures: field(array(FinalizedFeatureKey), '3+', { tag: 2, tagged: '3+', ignorable: true }),
  /** Set by a KRaft controller if the required configurations for ZK migration are present. */
  zkMigrationReady: field(bool, '3+', { default: false, tag: 3, tagged: '3+', ignorable: true }),
});
export type ApiVersionsResponse = Infer<typeof ApiVersionsResponse>;
