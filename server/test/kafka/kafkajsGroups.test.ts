// KafkaJS 2.2.4 consumer groups against Brook's Kafka port: the classic group protocol
// (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) end to end, commits fenced by generation, offsets seen
// by Brook's admin API and KafkaJS's admin, offset resets on an empty group, DescribeGroups with
// the members' own bytes, and a transactional consume-transform-produce loop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignerProtocol, Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { testBroker } from '../helpers.js';

let broker: Awaited<ReturnType<typeof testBroker>>;
let kafka: Kafka;
const running: Consumer[] = [];

beforeAll(async () => {
  broker = await testBroker({ kafkaPort: 0, groupInitialRebalanceDelayMs: 0 });
  kafka = new Kafka({ clientId: 'kafkajs-groups', brokers: [broker.kafkaAddress!], logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await Promise.all(running.map((c) => c.disconnect().catch(() => {})));
  await broker.stop();
});

type Assignment = Record<string, number[]>;

/** A consumer whose latest assignment (from GROUP_JOIN) and consumed records are kept. */
async function startConsumer(groupId: string, topic: string, seen: string[], opts: { autoCommit?: boolean } = {}) {
  const consumer = kafka.consumer({ groupId, heartbeatInterval: 200, sessionTimeout: 10_000, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 });
  running.push(consumer);
  const state = { consumer, assignment: {} as Assignment, joins: 0 };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    state.assignment = e.payload.memberAssignment as Assignment;
    state.joins++;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: opts.autoCommit ?? true,
    eachMessage: async ({ partition, message }: EachMessagePayload) => {
      seen.push(`${partition}:${message.offset}:${message.value!.toString()}`);
    },
  });
  return state;
}

const partitionsOf = (a: Assignment, topic: string) => [...(a[topic] ?? [])].sort((x, y) => x - y);

async function http<T>(path: string): Promise<T> {
  const res = await fetch(`${broker.httpUrl}${path}`);
  return (await res.json()) as T;
}

interface GroupView {
  state: string;
  protocolType?: string;
  members: Array<{ memberId: string; assignment: Array<{ topic: string; partitions: number[] }> }>;
  offsets: Array<{ topic: string; partition: number; committedOffset: string | null; endOffset: string; lag: string | null }>;
}

describe('KafkaJS consumer groups (classic protocol)', () => {
  it('splits a 6-partition topic between two members, commits, and hands everything to the one that stays', async () => {
    const topic = 'kjs-split';
    const groupId = 'kjs-split-group';
    await broker.context.topics.create(topic, 6);
    const seenA: string[] = [];
    const seenB: string[] = [];
    const a = await startConsumer(groupId, topic, seenA);
    const b = await startConsumer(groupId, topic, seenB);

    // Both hold a share of the same generation: disjoint, together all six partitions.
    await expect
      .poll(() => {
        const pa = partitionsOf(a.assignment, topic);
        const pb = partitionsOf(b.assignment, topic);
        return pa.length > 0 && pb.length > 0 && [...pa, ...pb].sort().join() === '0,1,2,3,4,5';
      }, { timeout: 20_000 })
      .toBe(true);
    const described = broker.context.classicGroups.describe(groupId)!;
    expect(described).toMatchObject({ state: 'Stable', protocolType: 'consumer' });
    expect(described.members).toHaveLength(2);

    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 60 }, (_, i) => ({ partition: i % 6, value: `v${i}` }));
    await producer.send({ topic, acks: -1, messages: sent });

    await expect.poll(() => seenA.length + seenB.length, { timeout: 20_000 }).toBe(60);
    const all = [...seenA, ...seenB];
    expect(new Set(all).size).toBe(60); // each record once
    expect(all.map((s) => s.split(':')[2]).sort()).toEqual(sent.map((m) => m.value).sort());
    // Each member read only its own partitions.
    for (const [seen, state] of [[seenA, a], [seenB, b]] as const) {
      const own = new Set(partitionsOf(state.assignment, topic));
      expect(seen.every((s) => own.has(Number(s.split(':')[0])))).toBe(true);
    }
    // Committed (KafkaJS auto-commit, fenced by generation): the admin API shows no lag.
    await expect
      .poll(async () => (await http<GroupView>(`/api/groups/${groupId}`)).offsets.map((o) => o.committedOffset === o.endOffset && o.endOffset === '10'), { timeout: 20_000 })
      .toEqual([true, true, true, true, true, true]);

    // b leaves (LeaveGroup): a rebalances to all six and continues from the committed offsets.
    const joinsBefore = a.joins;
    await b.consumer.disconnect();
    await expect.poll(() => a.joins > joinsBefore && partitionsOf(a.assignment, topic).join() === '0,1,2,3,4,5', { timeout: 20_000 }).toBe(true);
    await producer.send({ topic, acks: -1, messages: [0, 1, 2, 3, 4, 5].map((p) => ({ partition: p, value: `after-${p}` })) });
    await producer.disconnect();
    await expect.poll(() => seenA.filter((s) => s.includes(':after-')).length, { timeout: 20_000 }).toBe(6);
    expect(seenA.length + seenB.length).toBe(66); // nothing read twice
    expect(seenA.filter((s) => s.includes(':after-')).map((s) => s.split(':').slice(0, 2).join(':')).sort()).toEqual(['0:10', '1:10', '2:10', '3:10', '4:10', '5:10']);

    await expect
      .poll(async () => (await http<GroupView>(`/api/groups/${groupId}`)).offsets.every((o) => o.committedOffset === '11'), { timeout: 20_000 })
      .toBe(true);
    const view = await http<GroupView>(`/api/groups/${groupId}`);
    expect(view).toMatchObject({ state: 'Stable', protocolType: 'consumer' });
    expect(view.members).toHaveLength(1);
    expect(view.members[0]!.assignment).toEqual([{ topic, partitions: [0, 1, 2, 3, 4, 5] }]);

    const admin = kafka.admin();
    await admin.connect();
    const fetched = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(fetched[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([0, 1, 2, 3, 4, 5].map((p) => [p, '11']));
    // DescribeGroups: Kafka's state and protocol, and each member's own subscription and assignment bytes.
    const groups = await admin.describeGroups([groupId]);
    const g = groups.groups[0]!;
    expect(g).toMatchObject({ groupId, state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner', errorCode: 0 });
    expect(g.members).toHaveLength(1);
    expect(AssignerProtocol.MemberMetadata.decode(g.members[0]!.memberMetadata)).toMatchObject({ topics: [topic] });
    expect(AssignerProtocol.MemberAssignment.decode(g.members[0]!.memberAssignment)).toMatchObject({ assignment: { [topic]: [0, 1, 2, 3, 4, 5] } });
    const listed = await admin.listGroups();
    expect(listed.groups).toContainEqual({ groupId, protocolType: 'consumer' });
    await admin.disconnect();
    await a.consumer.disconnect();
    expect(broker.context.classicGroups.state(groupId)).toBe('Empty');
  }, 90_000);

  it('sets and resets the offsets of an empty group with the admin client', async () => {
    const topic = 'kjs-reset';
    const groupId = 'kjs-reset-group';
    await broker.context.topics.create(topic, 2);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `r${i}` })) });
    await producer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const offsets = async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.map((p) => [p.partition, p.offset]).sort();
    const consumeAll = async (expected: number) => {
      const seen: string[] = [];
      const c = await startConsumer(groupId, topic, seen);
      await expect.poll(() => seen.length, { timeout: 20_000 }).toBe(expected);
      await c.consumer.disconnect();
      return seen.map((s) => s.split(':').slice(0, 2).join(':')).sort();
    };
    // setOffsets joins the group with a consumer of its own, seeks (committing by generation) and leaves.
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }, { partition: 1, offset: '4' }] });
    expect(await offsets()).toEqual([
      [0, '3'],
      [1, '4'],
    ]);
    expect(broker.context.classicGroups.state(groupId)).toBe('Empty');
    expect(await consumeAll(3)).toEqual(['0:3', '0:4', '1:4']);

    // resetOffsets commits Kafka's "no offset" markers (-1 latest, -2 earliest), which Kafka stores
    // as sent; consumers then start where their own reset policy says.
    await admin.resetOffsets({ groupId, topic, earliest: true });
    expect(await offsets()).toEqual([
      [0, '-2'],
      [1, '-2'],
    ]);
    const view = await http<GroupView>(`/api/groups/${groupId}`);
    expect(view.state).toBe('Empty');
    expect(view.offsets.map((o) => [o.partition, o.committedOffset, o.lag])).toEqual([
      [0, '-2', null],
      [1, '-2', null],
    ]);
    expect(await consumeAll(10)).toHaveLength(10); // fromBeginning: everything again
    await admin.resetOffsets({ groupId, topic, earliest: false });
    expect(await offsets()).toEqual([
      [0, '-1'],
      [1, '-1'],
    ]);
    await admin.disconnect();
  }, 60_000);

  it('runs a transactional consume-transform-produce loop; a read_committed consumer sees only committed output', async () => {
    const source = 'kjs-tx-src';
    const sink = 'kjs-tx-dst';
    const groupId = 'kjs-tx-doubler';
    await broker.context.topics.create(source, 2);
    await broker.context.topics.create(sink, 1);
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: source, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: String(i) })) });
    await plain.disconnect();

    // An aborted transaction on the sink first: read_committed must skip it.
    const producer = kafka.producer({ transactionalId: 'kjs-doubler-1', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic: sink, messages: [{ value: 'aborted' }] });
    await aborted.abort();

    const doubler = kafka.consumer({ groupId, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
    running.push(doubler);
    await doubler.connect();
    await doubler.subscribe({ topic: source, fromBeginning: true });
    let transformed = 0;
    await doubler.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const tx = await producer.transaction();
        try {
          await tx.send({ topic: sink, messages: batch.messages.map((m) => ({ value: String(2 * Number(m.value!.toString())) })) });
          // KafkaJS's TxnOffsetCommit (v0-1) names no member: a classic group takes it while the member is in it.
          await tx.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }] }] });
          await tx.commit();
          transformed += batch.messages.length;
        } catch (e) {
          await tx.abort();
          throw e;
        }
      },
    });
    await expect.poll(() => transformed, { timeout: 20_000 }).toBe(10);

    const reader = kafka.consumer({ groupId: 'kjs-tx-reader', heartbeatInterval: 200, maxWaitTimeInMs: 100 }); // read_committed by default
    running.push(reader);
    const read: string[] = [];
    await reader.connect();
    await reader.subscribe({ topic: sink, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void read.push(message.value!.toString()) });
    await expect.poll(() => read.length, { timeout: 20_000 }).toBe(10);
    expect(read.map(Number).sort((x, y) => x - y)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);

    const admin = kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId, topics: [source] });
    expect(committed[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([
      [0, '5'],
      [1, '5'],
    ]);
    await admin.disconnect();
    await Promise.all([doubler.disconnect(), reader.disconnect(), producer.disconnect()]);
  }, 60_000);
});
