// The classic group protocol on the Kafka port, byte by byte with the raw codec client: KIP-394
// member ids, static membership (KIP-345: a restarted instance keeps its assignment and the old
// member id is FENCED_INSTANCE_ID on heartbeats and commits), KIP-814 skipAssignment, batched
// LeaveGroup, DescribeGroups/ListGroups as Kafka answers them, and the boundary with KIP-848
// groups (one group id is one kind of group: INCONSISTENT_GROUP_PROTOCOL / GROUP_ID_NOT_FOUND).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignerProtocol } from 'kafkajs';
import { ErrorCode } from '@brook/protocol';
import { Brook, logLevel } from '@brook/client';
import { RawClient, testBroker } from '../helpers.js';
import { RawKafka } from './rawKafka.js';

let broker: Awaited<ReturnType<typeof testBroker>>;
let c: RawKafka;

beforeAll(async () => {
  broker = await testBroker({ kafkaPort: 0, groupInitialRebalanceDelayMs: 0 });
  c = await RawKafka.connect(broker.kafkaAddress!);
});
afterAll(async () => {
  c.close();
  await broker.stop();
});

const subscription = (topics: string[]) => new Uint8Array(AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }));
const assignment = (topic: string, partitions: number[]) => new Uint8Array(AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: { [topic]: partitions }, userData: Buffer.alloc(0) }));

function join(groupId: string, topic: string, memberId: string, groupInstanceId: string | null, version = 5) {
  return c.request('JoinGroup', version, {
    groupId,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription([topic]) }],
  });
}

function sync(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null, assignments: Array<{ memberId: string; assignment: Uint8Array }> = []) {
  return c.request('SyncGroup', 5, { groupId, generationId, memberId, groupInstanceId, protocolType: 'consumer', protocolName: 'range', assignments });
}

function commit(groupId: string, topic: string, generation: number, memberId: string, groupInstanceId: string | null) {
  return c
    .request('OffsetCommit', 8, {
      groupId,
      generationIdOrMemberEpoch: generation,
      memberId,
      groupInstanceId,
      topics: [{ name: topic, topicId: '', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
    })
    .then((r) => r.topics[0]!.partitions[0]!.errorCode);
}

describe('classic groups over the Kafka port', () => {
  it('count in /metrics apart from KIP-848 groups (protocol="classic"), as Kafka\'s group-count', async () => {
    await broker.context.topics.create('counted', 1);
    const gauge = async (name: string, protocol: string) => {
      const m = await (await fetch(`${broker.httpUrl}/metrics`)).text();
      return Number(new RegExp(`^${name}\\{protocol="${protocol}"\\} (\\d+)`, 'm').exec(m)?.[1] ?? NaN);
    };
    const before = { groups: await gauge('brook_groups', 'classic'), members: await gauge('brook_group_members', 'classic'), consumer: await gauge('brook_groups', 'consumer') };
    for (const v of Object.values(before)) expect(Number.isInteger(v)).toBe(true); // the series exist
    const first = await join('counted-g', 'counted', '', null);
    const joined = await join('counted-g', 'counted', first.memberId, null);
    expect(joined.errorCode).toBe(0);
    expect(await gauge('brook_groups', 'classic')).toBe(before.groups + 1);
    expect(await gauge('brook_group_members', 'classic')).toBe(before.members + 1);
    expect(await gauge('brook_rebalances_total', 'classic')).toBeGreaterThanOrEqual(1);
    expect(await gauge('brook_groups', 'consumer')).toBe(before.consumer);
    await c.request('LeaveGroup', 4, { groupId: 'counted-g', memberId: '', members: [{ memberId: first.memberId, groupInstanceId: null, reason: null }] });
  });

  it('hands out a member id first (KIP-394, v4+), then joins with it', async () => {
    await broker.context.topics.create('kip394', 1);
    const first = await join('kip394-g', 'kip394', '', null, 4);
    expect(first).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.MEMBER_ID_REQUIRED,
      generationId: -1,
      protocolType: null,
      protocolName: '',
      leader: '',
      skipAssignment: false,
      memberId: expect.stringMatching(/^raw-kafka-test-[0-9a-f-]{36}$/),
      members: [],
    });
    const joined = await join('kip394-g', 'kip394', first.memberId, null, 4);
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leader: first.memberId, memberId: first.memberId });
    expect(joined.members).toEqual([{ memberId: first.memberId, groupInstanceId: null, metadata: subscription(['kip394']) }]);
    // v3 has no KIP-394: a member without an id joins at once (and rebalances the group).
    const old = join('kip394-g', 'kip394', '', null, 3);
    const rejoin = await join('kip394-g', 'kip394', first.memberId, null, 4);
    expect(rejoin.errorCode).toBe(0);
    expect((await old).generationId).toBe(2);

    // Joined but not synced: CompletingRebalance, described without protocol or metadata (Kafka's describeNoMetadata).
    const described = await c.request('DescribeGroups', 5, { groups: ['kip394-g'] });
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupState: 'CompletingRebalance', protocolType: 'consumer', protocolData: '' });
    expect(described.groups[0]!.members.map((m) => [m.memberMetadata.length, m.memberAssignment.length])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    const left = await c.request('LeaveGroup', 1, { groupId: 'kip394-g', memberId: 'nobody' });
    expect(left).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] });
  });

  it('keeps a static member\'s assignment across a restart and fences the old member id', async () => {
    const topic = 'static-t';
    const groupId = 'static-g';
    await broker.context.topics.create(topic, 2);
    const mine = assignment(topic, [0, 1]);

    // A static member joins without MEMBER_ID_REQUIRED and leads.
    const j1 = await join(groupId, topic, '', 'inst-1');
    expect(j1).toMatchObject({ errorCode: 0, generationId: 1, leader: j1.memberId, protocolName: 'range' });
    expect(j1.memberId).toMatch(/^inst-1-/);
    expect(j1.members).toEqual([{ memberId: j1.memberId, groupInstanceId: 'inst-1', metadata: subscription([topic]) }]);
    expect(await sync(groupId, 1, j1.memberId, 'inst-1', [{ memberId: j1.memberId, assignment: mine }])).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      protocolType: 'consumer',
      protocolName: 'range',
      assignment: mine,
    });
    expect(await commit(groupId, topic, 1, j1.memberId, 'inst-1')).toBe(0);

    // The instance restarts (same group.instance.id, no member id): same generation, no rebalance,
    // a new member id; before v9 the old leader id is answered and no members.
    const j2 = await join(groupId, topic, '', 'inst-1');
    expect(j2).toMatchObject({ errorCode: 0, generationId: 1, leader: j1.memberId, members: [] });
    expect(j2.memberId).not.toBe(j1.memberId);
    expect((await sync(groupId, 1, j2.memberId, 'inst-1')).assignment).toEqual(mine);

    // The old member id is fenced everywhere.
    expect(await c.request('Heartbeat', 4, { groupId, generationId: 1, memberId: j1.memberId, groupInstanceId: 'inst-1' })).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.FENCED_INSTANCE_ID });
    expect(await commit(groupId, topic, 1, j1.memberId, 'inst-1')).toBe(ErrorCode.FENCED_INSTANCE_ID);
    // Also in a transaction (TxnOffsetCommit v3+ carries generation, member and instance id).
    const pid = await c.request('InitProducerId', 4, { transactionalId: 'static-tx', transactionTimeoutMs: 60_000 });
    const txn = { transactionalId: 'static-tx', producerId: pid.producerId, producerEpoch: pid.producerEpoch };
    expect((await c.request('AddOffsetsToTxn', 3, { ...txn, groupId })).errorCode).toBe(0);
    const txnCommit = (memberId: string) =>
      c
        .request('TxnOffsetCommit', 3, {
          ...txn,
          groupId,
          generationIdOrMemberEpoch: 1,
          memberId,
          groupInstanceId: 'inst-1',
          topics: [{ name: topic, topicId: '', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
        })
        .then((r) => r.topics[0]!.partitions[0]!.errorCode);
    expect(await txnCommit(j1.memberId)).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(await txnCommit(j2.memberId)).toBe(0);
    expect((await c.request('EndTxn', 3, { ...txn, committed: true })).errorCode).toBe(0);
    expect(await c.request('Heartbeat', 4, { groupId, generationId: 1, memberId: j2.memberId, groupInstanceId: 'inst-1' })).toEqual({ throttleTimeMs: 0, errorCode: 0 });
    expect(await commit(groupId, topic, 1, j2.memberId, 'inst-1')).toBe(0);
    expect(await commit(groupId, topic, 0, j2.memberId, 'inst-1')).toBe(ErrorCode.ILLEGAL_GENERATION);

    // KIP-814 (v9): the restarted static leader is told to skip the assignment and sees the members.
    const j3 = await join(groupId, topic, '', 'inst-1', 9);
    expect(j3).toMatchObject({ errorCode: 0, generationId: 1, leader: j3.memberId, skipAssignment: true, protocolType: 'consumer', protocolName: 'range' });
    expect(j3.members).toEqual([{ memberId: j3.memberId, groupInstanceId: 'inst-1', metadata: subscription([topic]) }]);
    expect((await sync(groupId, 1, j3.memberId, 'inst-1')).assignment).toEqual(mine);

    // DescribeGroups: Kafka's fields, the member's own bytes.
    const described = await c.request('DescribeGroups', 5, { groups: [groupId] });
    expect(described.groups).toEqual([
      {
        errorCode: 0,
        errorMessage: null,
        groupId,
        groupState: 'Stable',
        protocolType: 'consumer',
        protocolData: 'range',
        members: [{ memberId: j3.memberId, groupInstanceId: 'inst-1', clientId: 'raw-kafka-test', clientHost: expect.any(String), memberMetadata: subscription([topic]), memberAssignment: mine }],
        authorizedOperations: -2147483648,
      },
    ]);
    // ConsumerGroupDescribe is for KIP-848 groups: Kafka's admin client falls back to DescribeGroups on this answer.
    const asConsumer = await c.request('ConsumerGroupDescribe', 0, { groupIds: [groupId] });
    expect(asConsumer.groups[0]).toMatchObject({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a consumer group.` });

    // OffsetDelete: refused while a member subscribes to the topic.
    const subscribed = await c.request('OffsetDelete', 0, { groupId, topics: [{ name: topic, partitions: [{ partitionIndex: 0 }] }] });
    expect(subscribed.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    expect((await c.request('DeleteGroups', 2, { groupsNames: [groupId] })).results[0]!.errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);

    // LeaveGroup v3+: a batch by instance id or member id, each answered on its own.
    const left = await c.request('LeaveGroup', 5, {
      groupId,
      members: [
        { memberId: '', groupInstanceId: 'inst-1', reason: 'shutting down' },
        { memberId: 'ghost', groupInstanceId: null, reason: null },
      ],
    });
    expect(left).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      members: [
        { memberId: '', groupInstanceId: 'inst-1', errorCode: 0 },
        { memberId: 'ghost', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
      ],
    });
    expect(broker.context.classicGroups.state(groupId)).toBe('Empty');
    const deleted = await c.request('OffsetDelete', 0, { groupId, topics: [{ name: topic, partitions: [{ partitionIndex: 0 }] }] });
    expect(deleted).toEqual({ errorCode: 0, throttleTimeMs: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, errorCode: 0 }] }] });
    expect((await c.request('DeleteGroups', 2, { groupsNames: [groupId] })).results[0]!.errorCode).toBe(0);
    expect(broker.context.classicGroups.has(groupId)).toBe(false);
  });

  it('lists groups by type and state as Kafka does', async () => {
    await broker.context.topics.create('types-t', 1);
    const first = await join('types-classic', 'types-t', '', null);
    const joined = await join('types-classic', 'types-t', first.memberId, null);
    await sync('types-classic', joined.generationId, joined.memberId, null, [{ memberId: joined.memberId, assignment: assignment('types-t', [0]) }]);
    // Offsets only (a commit from outside any group): Kafka's simple classic group, protocol type "".
    await c.request('OffsetCommit', 8, { groupId: 'types-simple', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 'types-t', topicId: '', partitions: [{ partitionIndex: 0, committedOffset: 0, committedLeaderEpoch: -1, committedMetadata: null }] }] });
    const hb = await c.request('ConsumerGroupHeartbeat', 0, { groupId: 'types-848', memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['types-t'], topicPartitions: [] });
    expect(hb.errorCode).toBe(0);

    const list = async (typesFilter: string[], statesFilter: string[] = []) =>
      (await c.request('ListGroups', 5, { typesFilter, statesFilter })).groups.filter((g) => g.groupId.startsWith('types-')).sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
    const all = [
      { groupId: 'types-848', protocolType: 'consumer', groupState: expect.stringMatching(/^(Assigning|Reconciling|Stable)$/), groupType: 'consumer' },
      { groupId: 'types-classic', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
      { groupId: 'types-simple', protocolType: '', groupState: 'Empty', groupType: 'classic' },
    ];
    expect(await list([])).toEqual(all);
    expect(await list(['Classic'])).toEqual([all[1], all[2]]);
    expect(await list(['consumer'])).toEqual([all[0]]);
    expect(await list([], ['EMPTY'])).toEqual([all[2]]);
    expect(await list(['consumer'], ['Empty'])).toEqual([]);

    const described = await c.request('DescribeGroups', 6, { groups: ['types-simple', 'types-848'] });
    expect(described.groups.map((g) => [g.groupId, g.errorCode, g.groupState, g.protocolType, g.members.length])).toEqual([
      ['types-simple', 0, 'Empty', '', 0],
      ['types-848', ErrorCode.GROUP_ID_NOT_FOUND, 'Dead', '', 0],
    ]);

    // OffsetFetch v9: a KIP-848 member must be current; a classic group is not checked (as Kafka).
    const fetchAs = (groupId: string, memberId: string | null, memberEpoch: number) =>
      c.request('OffsetFetch', 9, { requireStable: false, groups: [{ groupId, memberId, memberEpoch, topics: null }] }).then((r) => r.groups[0]!.errorCode);
    expect(await fetchAs('types-848', hb.memberId, hb.memberEpoch)).toBe(0);
    expect(await fetchAs('types-848', hb.memberId, hb.memberEpoch + 5)).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect(await fetchAs('types-848', 'someone-else', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await fetchAs('types-848', null, -1)).toBe(0);
    expect(await fetchAs('types-classic', 'anyone', 42)).toBe(0);
    await c.request('ConsumerGroupHeartbeat', 0, { groupId: 'types-848', memberId: hb.memberId!, memberEpoch: -1 });
  });

  it('keeps the opaque bytes of other protocol types, and refuses OffsetDelete while such a group has members', async () => {
    const metadata = new Uint8Array([1, 2, 3]);
    const joinConnect = (memberId: string) =>
      c.request('JoinGroup', 7, { groupId: 'connect-g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'connect', protocols: [{ name: 'sessioned', metadata }] });
    const first = await joinConnect('');
    const joined = await joinConnect(first.memberId);
    expect(joined).toMatchObject({ errorCode: 0, protocolType: 'connect', protocolName: 'sessioned', members: [{ memberId: first.memberId, groupInstanceId: null, metadata }] });
    const assigned = new Uint8Array([9, 8, 7]);
    expect((await c.request('SyncGroup', 3, { groupId: 'connect-g', generationId: joined.generationId, memberId: first.memberId, assignments: [{ memberId: first.memberId, assignment: assigned }] })).assignment).toEqual(assigned);
    const described = await c.request('DescribeGroups', 4, { groups: ['connect-g'] });
    expect(described.groups[0]).toMatchObject({ groupState: 'Stable', protocolType: 'connect', protocolData: 'sessioned', members: [{ memberMetadata: metadata, memberAssignment: assigned }] });
    await broker.context.topics.create('connect-offsets', 1);
    expect(await commit('connect-g', 'connect-offsets', joined.generationId, first.memberId, null)).toBe(0);
    const refused = await c.request('OffsetDelete', 0, { groupId: 'connect-g', topics: [{ name: 'connect-offsets', partitions: [{ partitionIndex: 0 }] }] });
    expect(refused).toEqual({ errorCode: ErrorCode.NON_EMPTY_GROUP, throttleTimeMs: 0, topics: [] });
    // LeaveGroup v0-2 name one member and answer its error as the request's.
    expect(await c.request('LeaveGroup', 2, { groupId: 'connect-g', memberId: first.memberId })).toEqual({ throttleTimeMs: 0, errorCode: 0, members: [] });
    const deleted = await c.request('OffsetDelete', 0, { groupId: 'connect-g', topics: [{ name: 'connect-offsets', partitions: [{ partitionIndex: 0 }] }] });
    expect(deleted.errorCode).toBe(0);
  });

  it('keeps KIP-848 and classic members out of each other\'s non-empty groups', async () => {
    await broker.context.topics.create('mixed-t', 2);
    // A Brook SDK consumer (KIP-848 over the WebSocket) holds group "mixed".
    const brook = new Brook({ url: broker.url, clientId: 'sdk-member', logLevel: logLevel.NOTHING });
    const consumer = brook.consumer({ groupId: 'mixed' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['mixed-t'] });
    await consumer.run({ eachMessage: async () => {} });
    expect(broker.context.groups.hasMembers('mixed')).toBe(true);

    // A classic Kafka member cannot join it (Kafka 4 would take it into the consumer group as a
    // "mixed" member; Brook has no mixed groups), with or without KIP-394.
    for (const version of [3, 5, 7, 9]) {
      expect(await join('mixed', 'mixed-t', '', null, version)).toEqual({
        throttleTimeMs: 0,
        errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
        generationId: -1,
        protocolType: null,
        protocolName: '',
        leader: '',
        skipAssignment: false,
        memberId: '',
        members: [],
      });
    }
    await consumer.disconnect();

    // The other way round: a classic group with a member refuses KIP-848 joins, on both ports.
    const first = await join('mixed-classic', 'mixed-t', '', null);
    const joined = await join('mixed-classic', 'mixed-t', first.memberId, null);
    expect(joined.errorCode).toBe(0);
    const ws = await RawClient.connect(broker.url);
    const refused = await ws.request('ConsumerGroupHeartbeat', {
      groupId: 'mixed-classic',
      memberId: 'sdk-1',
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 10_000,
      sessionTimeoutMs: 10_000,
      subscribedTopicNames: ['mixed-t'],
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: [],
    });
    expect(refused).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group mixed-classic is not a consumer group (it is a classic group)' });
    ws.close();
    const overKafka = await c.request('ConsumerGroupHeartbeat', 0, { groupId: 'mixed-classic', memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 10_000, subscribedTopicNames: ['mixed-t'], topicPartitions: [] });
    expect(overKafka).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group mixed-classic is not a consumer group (it is a classic group)' });
    expect(broker.context.classicGroups.hasMembers('mixed-classic')).toBe(true);
  });
});
