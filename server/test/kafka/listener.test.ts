// The Kafka listener driven byte by byte through the codec: ApiVersions (v0 header, unsupported
// versions), Metadata, Produce -> Fetch, request order on one connection, acks 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, Writer, decodeBatches, encodeBatch, kafka, utf8Encode } from '@brook/protocol';
import { testBroker } from '../helpers.js';
import { RawKafka } from './rawKafka.js';

let broker: Awaited<ReturnType<typeof testBroker>>;

beforeAll(async () => {
  broker = await testBroker({ kafkaPort: 0 });
});
afterAll(async () => {
  await broker.stop();
});

function batch(...values: string[]): Uint8Array {
  return encodeBatch({ records: values.map((v) => ({ key: null, value: utf8Encode(v) })) });
}

describe('Kafka listener', () => {
  it('is off unless kafkaPort is given, and names its address', async () => {
    expect(broker.kafkaAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    const res = await fetch(`${broker.httpUrl}/health`);
    const port = Number(broker.kafkaAddress!.split(':')[1]);
    expect(await res.json()).toEqual({ status: 'ok', listeners: { http: broker.port, kafka: port } });
  });

  it('counts connections and requests with a listener label', async () => {
    const c = await RawKafka.connect(broker.kafkaAddress!);
    await c.request('Metadata', 12, { topics: null });
    const text = await (await fetch(`${broker.httpUrl}/metrics`)).text();
    expect(text).toMatch(/brook_connections\{listener="kafka"\} [1-9]/);
    expect(text).toMatch(/brook_request_duration_seconds_count\{api="Metadata",listener="kafka"\} [1-9]/);
    c.close();
  });

  it('answers ApiVersions with a v0 response header even in flexible versions', async () => {
    const c = await RawKafka.connect(broker.kafkaAddress!);
    for (const v of [0, 1, 2, 3, 4, 5]) {
      const res = await c.request('ApiVersions', v, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
      expect(res.errorCode).toBe(0);
      const keys = new Map(res.apiKeys.map((k) => [k.apiKey, k]));
      expect(keys.get(18)).toMatchObject({ minVersion: 0, maxVersion: 5 });
      expect(keys.get(0)).toMatchObject({ minVersion: 0, maxVersion: 13 }); // v0-v2 advertised as Kafka 4 does (KAFKA-18659)
      // The classic group APIs, with Kafka's ranges; only APIs with an adapter are advertised.
      expect([11, 12, 13, 14].map((k) => keys.get(k))).toEqual([
        { apiKey: 11, minVersion: 0, maxVersion: 9 },
        { apiKey: 12, minVersion: 0, maxVersion: 4 },
        { apiKey: 13, minVersion: 0, maxVersion: 5 },
        { apiKey: 14, minVersion: 0, maxVersion: 5 },
      ]);
      expect(keys.has(23)).toBe(false); // OffsetsForLeaderEpoch
    }
    c.close();
  });

  it('answers an ApiVersions newer than it knows with UNSUPPORTED_VERSION and its ranges in v0', async () => {
    const c = await RawKafka.connect(broker.kafkaAddress!);
    // Version 99: header v2 (flexible) by the client's guess; the answer is a v0 body.
    const frame = new Writer(64);
    frame.int32(0);
    frame.int16(18);
    frame.int16(99);
    frame.int32(7);
    frame.int16(3);
    frame.raw(utf8Encode('abc'));
    frame.uint8(0); // no tagged fields
    frame.uint8(0); // an empty body
    const bytes = frame.finish();
    new DataView(bytes.buffer, bytes.byteOffset).setInt32(0, bytes.length - 4);
    c.writeRaw(bytes);
    await expect.poll(() => c.stray.length).toBe(1);
    const body = kafka.ApiVersionsResponse.decode(0, c.stray[0]!.subarray(4));
    expect(new DataView(c.stray[0]!.buffer, c.stray[0]!.byteOffset).getInt32(0)).toBe(7);
    expect(body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(body.apiKeys.find((k) => k.apiKey === 18)).toMatchObject({ minVersion: 0, maxVersion: 5 });
    c.close();
  });

  it('closes the connection on a version of an API it does not serve, and keeps serving others', async () => {
    const c = await RawKafka.connect(broker.kafkaAddress!);
    const bad = c.request('Metadata', 12, {}).catch(() => 'closed');
    // Patch the version in a valid frame to one the codec does not know.
    const frame = kafka.encodeKafkaRequest('Produce', 3, 99, 'x', { ...kafka.ProduceRequest.defaults(), acks: 1, timeoutMs: 1000 });
    new DataView(frame.buffer, frame.byteOffset).setInt16(6, 2); // Produce v2: dropped in Kafka 4
    c.writeRaw(frame);
    await c.closed;
    expect(await bad).not.toBe('closed'); // the earlier request was answered first
    const d = await RawKafka.connect(broker.kafkaAddress!);
    expect((await d.request('ApiVersions', 3, {})).errorCode).toBe(0);
    d.close();
  });

  it('describes the one broker, the cluster and topics with stable ids', async () => {
    await broker.context.topics.create('meta-a', 3);
    const c = await RawKafka.connect(broker.kafkaAddress!);
    const res = await c.request('Metadata', 12, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'meta-a' }, { topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'nope' }] });
    const [host, port] = broker.kafkaAddress!.split(':');
    expect(res.brokers).toEqual([{ nodeId: 1, host, port: Number(port), rack: null }]);
    expect(res.controllerId).toBe(1);
    expect(res.clusterId).toMatch(/^[\w-]{22}$/);
    const [a, nope] = res.topics;
    expect(a).toMatchObject({ errorCode: 0, name: 'meta-a', isInternal: false });
    expect(a!.topicId).toMatch(/^[\w-]{22}$/);
    expect(a!.partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes])).toEqual([
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
      [2, 1, [1], [1]],
    ]);
    expect(nope).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: 'nope' });
    // Asked by id (v12+): the same topic.
    const byId = await c.request('Metadata', 12, { topics: [{ topicId: a!.topicId, name: null }] });
    expect(byId.topics[0]).toMatchObject({ errorCode: 0, name: 'meta-a', topicId: a!.topicId });
    // v0: an empty list means every topic.
    const all = await c.request('Metadata', 0, { topics: [] });
    expect(all.topics.map((t) => t.name)).toContain('meta-a');
    c.close();
  });

  it('round-trips Produce and Fetch, by name and by topic id', async () => {
    await broker.context.topics.create('rt', 2);
    const c = await RawKafka.connect(broker.kafkaAddress!);
    const produced = await c.request('Produce', 9, { acks: -1, timeoutMs: 5000, topicData: [{ name: 'rt', topicId: '', partitionData: [{ index: 1, records: batch('a', 'b') }] }] });
    expect(produced.responses[0]!.partitionResponses[0]).toMatchObject({ index: 1, errorCode: 0, baseOffset: 0 });
    const topicId = broker.context.cluster.topicIdOf('rt')!;
    const again = await c.request('Produce', 13, { acks: -1, timeoutMs: 5000, topicData: [{ name: '', topicId, partitionData: [{ index: 1, records: batch('c') }] }] });
    expect(again.responses[0]).toMatchObject({ topicId, partitionResponses: [{ index: 1, errorCode: 0, baseOffset: 2 }] });

    const fetched = await c.request('Fetch', 11, { maxWaitMs: 100, minBytes: 1, maxBytes: 1 << 20, topics: [{ topic: 'rt', topicId: '', partitions: [{ ...partitionDefaults(), partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }] });
    const p = fetched.responses[0]!.partitions[0]!;
    expect(p).toMatchObject({ partitionIndex: 1, errorCode: 0, highWatermark: 3, lastStableOffset: 3, logStartOffset: 0, abortedTransactions: null });
    expect(decodeBatches(p.records!).flatMap((b) => b.records.map((r) => Buffer.from(r.value!).toString()))).toEqual(['a', 'b', 'c']);
    expect(fetched.sessionId).toBe(0);

    const byId = await c.request('Fetch', 17, { maxWaitMs: 0, minBytes: 0, topics: [{ topic: '', topicId, partitions: [{ ...partitionDefaults(), partition: 1, fetchOffset: 2, partitionMaxBytes: 1 << 20 }] }, { topic: '', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [{ ...partitionDefaults(), partition: 0, fetchOffset: 0, partitionMaxBytes: 100 }] }] });
    expect(byId.responses[0]).toMatchObject({ topicId, partitions: [{ errorCode: 0, highWatermark: 3 }] });
    expect(byId.responses[1]!.partitions[0]!.errorCode).toBe(100); // UNKNOWN_TOPIC_ID
    c.close();
  });

  it('answers in request order on one connection: a long poll holds back the answers behind it only', async () => {
    await broker.context.topics.create('order', 1);
    const slow = await RawKafka.connect(broker.kafkaAddress!);
    const other = await RawKafka.connect(broker.kafkaAddress!);
    const poll = slow.request('Fetch', 11, { maxWaitMs: 1500, minBytes: 1, topics: [{ topic: 'order', topicId: '', partitions: [{ ...partitionDefaults(), partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }] });
    const behind = slow.request('ApiVersions', 3, {});
    // Another connection is not held back by the long poll.
    const started = Date.now();
    await other.request('Metadata', 12, { topics: null });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(slow.arrived).toEqual([]);
    // A produce on the other connection ends the long poll; then the ApiVersions answer follows it.
    await other.request('Produce', 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'order', topicId: '', partitionData: [{ index: 0, records: batch('x') }] }] });
    const [f] = await Promise.all([poll, behind]);
    expect(f.responses[0]!.partitions[0]!.highWatermark).toBe(1);
    expect(slow.arrived).toEqual([1, 2]);
    slow.close();
    other.close();
  });

  it('sends no answer to Produce with acks 0, and still appends in request order', async () => {
    await broker.context.topics.create('acks0', 1);
    const c = await RawKafka.connect(broker.kafkaAddress!);
    const silent = c.send('Produce', 9, { acks: 0, timeoutMs: 1000, topicData: [{ name: 'acks0', topicId: '', partitionData: [{ index: 0, records: batch('first') }] }] });
    const answered = await c.request('Produce', 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'acks0', topicId: '', partitionData: [{ index: 0, records: batch('second') }] }] });
    expect(answered.responses[0]!.partitionResponses[0]!.baseOffset).toBe(1);
    expect(c.arrived).not.toContain(silent);
    c.close();
  });
});

describe('Kafka listener: groups, records and configs through the shared handlers', () => {
  it('runs a KIP-848 member: join, assignment by topic id, fenced commit, describe both ways', async () => {
    await broker.context.topics.create('g848', 2);
    const topicId = broker.context.cluster.topicIdOf('g848')!;
    const c = await RawKafka.connect(broker.kafkaAddress!);
    let hb = await c.request('ConsumerGroupHeartbeat', 0, { groupId: 'g848', memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 30000, subscribedTopicNames: ['g848'], topicPartitions: [] });
    expect(hb.errorCode).toBe(0);
    expect(hb.memberId).toMatch(/^[\w-]{22}$/);
    // The assignment may come in steps; heartbeat until both partitions are ours.
    for (let i = 0; i < 10 && (hb.assignment?.topicPartitions[0]?.partitions.length ?? 0) < 2; i++) {
      hb = await c.request('ConsumerGroupHeartbeat', 0, { groupId: 'g848', memberId: hb.memberId!, memberEpoch: hb.memberEpoch, topicPartitions: [] });
    }
    expect(hb.assignment!.topicPartitions).toEqual([{ topicId, partitions: [0, 1] }]);
    const owned = [{ topicId, partitions: [0, 1] }];
    hb = await c.request('ConsumerGroupHeartbeat', 0, { groupId: 'g848', memberId: hb.memberId!, memberEpoch: hb.memberEpoch, topicPartitions: owned });
    const commit = (epoch: number) =>
      c.request('OffsetCommit', 9, { groupId: 'g848', memberId: hb.memberId!, generationIdOrMemberEpoch: epoch, topics: [{ name: 'g848', topicId: '', partitions: [{ partitionIndex: 1, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    expect((await commit(hb.memberEpoch)).topics[0]!.partitions[0]!.errorCode).toBe(0);
    expect((await commit(hb.memberEpoch + 7)).topics[0]!.partitions[0]!.errorCode).not.toBe(0); // fenced
    const fetched = await c.request('OffsetFetch', 8, { groups: [{ groupId: 'g848', memberId: null, memberEpoch: -1, topics: null }] });
    expect(fetched.groups[0]!.topics[0]!.partitions).toEqual([expect.objectContaining({ partitionIndex: 1, committedOffset: 5 })]);

    const described = await c.request('ConsumerGroupDescribe', 0, { groupIds: ['g848'] });
    expect(described.groups[0]).toMatchObject({ groupId: 'g848', groupState: 'Stable', members: [{ memberId: hb.memberId, assignment: { topicPartitions: [{ topicId, topicName: 'g848', partitions: [0, 1] }] } }] });
    // Kafka 4 describes only classic groups with DescribeGroups: a KIP-848 group is Dead, with
    // GROUP_ID_NOT_FOUND from v6 (its admin client then uses ConsumerGroupDescribe).
    const classic = await c.request('DescribeGroups', 5, { groups: ['g848', 'nobody'] });
    expect(classic.groups).toEqual([
      { errorCode: 0, errorMessage: null, groupId: 'g848', groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 },
      { errorCode: 0, errorMessage: null, groupId: 'nobody', groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 },
    ]);
    const classic6 = await c.request('DescribeGroups', 6, { groups: ['g848', 'nobody'] });
    expect(classic6.groups.map((g) => [g.groupState, g.errorCode, g.errorMessage])).toEqual([
      ['Dead', ErrorCode.GROUP_ID_NOT_FOUND, 'Group g848 is not a classic group.'],
      ['Dead', ErrorCode.GROUP_ID_NOT_FOUND, 'Group nobody not found.'],
    ]);
    const listed = await c.request('ListGroups', 5, { statesFilter: ['Stable'], typesFilter: [] });
    expect(listed.groups).toContainEqual({ groupId: 'g848', protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' });

    const left = await c.request('ConsumerGroupHeartbeat', 0, { groupId: 'g848', memberId: hb.memberId!, memberEpoch: -1 });
    expect(left.errorCode).toBe(0);
    c.close();
  });

  it('deletes records, grows partitions and alters configs', async () => {
    await broker.context.topics.create('admin-ops', 1);
    const c = await RawKafka.connect(broker.kafkaAddress!);
    await c.request('Produce', 9, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'admin-ops', topicId: '', partitionData: [{ index: 0, records: batch('a', 'b', 'c') }] }] });
    await c.request('Produce', 9, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'admin-ops', topicId: '', partitionData: [{ index: 0, records: batch('d') }] }] });
    const del = await c.request('DeleteRecords', 2, { timeoutMs: 1000, topics: [{ name: 'admin-ops', partitions: [{ partitionIndex: 0, offset: 2 }, { partitionIndex: 3, offset: 0 }] }] });
    expect(del.topics[0]!.partitions).toEqual([
      { partitionIndex: 0, lowWatermark: 2, errorCode: 0 },
      { partitionIndex: 3, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    const earliest = await c.request('ListOffsets', 7, { replicaId: -1, topics: [{ name: 'admin-ops', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 }] }] });
    expect(earliest.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, offset: 2 });

    const grown = await c.request('CreatePartitions', 3, { timeoutMs: 1000, validateOnly: false, topics: [{ name: 'admin-ops', count: 3, assignments: null }, { name: 'admin-ops-none', count: 2, assignments: null }] });
    expect(grown.results.map((r) => r.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(broker.context.topics.get('admin-ops')!.numPartitions).toBe(3);

    const altered = await c.request('IncrementalAlterConfigs', 1, {
      validateOnly: false,
      resources: [
        { resourceType: 2, resourceName: 'admin-ops', configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] },
        { resourceType: 2, resourceName: 'admin-ops', configs: [{ name: 'no.such', configOperation: 0, value: '1' }] },
      ],
    });
    expect(altered.responses.map((r) => r.errorCode)).toEqual([0, ErrorCode.INVALID_CONFIG]);
    const described = await c.request('DescribeConfigs', 4, { resources: [{ resourceType: 2, resourceName: 'admin-ops', configurationKeys: ['retention.ms', 'cleanup.policy'] }] });
    expect(described.results[0]!.configs.map((e) => [e.name, e.value, e.configSource])).toEqual([
      ['retention.ms', '1000', 1],
      ['cleanup.policy', 'delete', 5],
    ]);
    const reset = await c.request('IncrementalAlterConfigs', 1, { validateOnly: false, resources: [{ resourceType: 2, resourceName: 'admin-ops', configs: [{ name: 'retention.ms', configOperation: 1, value: null }] }] });
    expect(reset.responses[0]!.errorCode).toBe(0);
    expect(broker.context.topics.get('admin-ops')!.config['retention.ms']).toBe(604800000);
    c.close();
  });
});

function partitionDefaults() {
  return { currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1, replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA', highWatermark: Number.MAX_SAFE_INTEGER };
}
