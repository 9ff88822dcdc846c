// ApiVersions: the versions this listener serves, answered before anything else (also before
// SASL). A version newer than ours is answered by the connection itself (v0, UNSUPPORTED_VERSION).
import type { KafkaAdapter } from '../types.js';
import { servedVersionRanges } from './index.js';

export const apiVersions: KafkaAdapter<'ApiVersions'> = {
  handle: async () => ({
    errorCode: 0,
    apiKeys: servedVersionRanges(),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1,
    finalizedFeatures: [],
    zkMigrationReady: false,
  }),
};
