// The API table: ranges Kafka 4.x serves, narrowed only where Kafka marks a version unstable,
// and covering the versions KafkaJS 2.2.4 uses (its highest version of each API must be served).
import { describe, expect, it } from 'vitest';
import { kafka } from '../../src/index.js';

// The highest version KafkaJS 2.2.4 implements per API (src/protocol/requests/*/vN).
const kafkaJsMax: Partial<Record<kafka.KafkaApiName, number>> = {
  Produce: 7, Fetch: 11, ListOffsets: 3, Metadata: 6, OffsetCommit: 5, OffsetFetch: 4, FindCoordinator: 2,
  JoinGroup: 5, Heartbeat: 3, LeaveGroup: 3, SyncGroup: 3, DescribeGroups: 2, ListGroups: 2, SaslHandshake: 1,
  ApiVersions: 2, CreateTopics: 3, DeleteTopics: 1, DeleteRecords: 1, InitProducerId: 1, AddPartitionsToTxn: 1,
  AddOffsetsToTxn: 1, EndTxn: 1, TxnOffsetCommit: 1, DescribeConfigs: 2, SaslAuthenticate: 1, CreatePartitions: 1,
  DeleteGroups: 1,
};

describe('Kafka API table', () => {
  it('serves the highest version KafkaJS 2.2.4 knows of every API it uses', () => {
    for (const [name, v] of Object.entries(kafkaJsMax)) {
      expect(kafka.isSupportedVersion(name as kafka.KafkaApiName, v), `${name} v${v}`).toBe(true);
    }
  });

  it('builds the ApiVersions key list from the table, by key', () => {
    const keys = kafka.apiVersionRanges();
    expect(keys).toHaveLength(Object.keys(kafka.KafkaApis).length);
    expect(keys.map((k) => k.apiKey)).toEqual([...keys.map((k) => k.apiKey)].sort((a, b) => a - b));
    expect(keys.find((k) => k.apiKey === 18)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 5 });
    expect(keys.find((k) => k.apiKey === 22)).toEqual({ apiKey: 22, minVersion: 0, maxVersion: 5 });
    // An ApiVersions v0 answer (what a client gets for a version we do not know) encodes them all.
    const res = { errorCode: 35, apiKeys: keys, throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false };
    expect(kafka.ApiVersionsResponse.decode(0, kafka.ApiVersionsResponse.encode(0, res)).apiKeys).toEqual(keys);
  });

  it('names each API by its key', () => {
    for (const [name, a] of Object.entries(kafka.KafkaApis)) expect(kafka.kafkaApiNameOf(a.key)).toBe(name);
    expect(kafka.kafkaApiNameOf(-1)).toBeUndefined();
  });
});
