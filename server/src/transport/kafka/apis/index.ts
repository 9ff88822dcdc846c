// The Kafka listener's API table: one adapter file per API (named after Kafka's API keys), each
// calling the shared handler of server/src/api/. ApiVersions advertises exactly these.
import { kafka } from '@brook/protocol';
import type { KafkaAdapters } from '../types.js';
import { produce } from './00_produce.js';
import { fetch } from './01_fetch.js';
import { metadata } from './03_metadata.js';
import { apiVersions } from './18_apiVersions.js';

export const kafkaAdapters: KafkaAdapters = {
  Produce: produce,
  Fetch: fetch,
  Metadata: metadata,
  ApiVersions: apiVersions,
};

/** ApiVersions' `apiKeys`: the codec's version ranges of the APIs that have an adapter. */
export function servedVersionRanges(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
  return kafka.apiVersionRanges().filter((r) => {
    const name = kafka.kafkaApiNameOf(r.apiKey);
    return name !== undefined && kafkaAdapters[name] !== undefined;
  });
}
