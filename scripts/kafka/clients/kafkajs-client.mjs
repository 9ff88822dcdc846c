// KafkaJS 2.2.4 scenario steps (classic group protocol; its DefaultPartitioner is Java's murmur2).
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { BOOTSTRAP, sawAll, stepMain, waitUntil } from './step-main.mjs';

const { Kafka, Partitioners, logLevel } = kafkajs;
const kafka = new Kafka({ clientId: 'kc-kafkajs', brokers: [BOOTSTRAP], logLevel: logLevel.ERROR, retry: { retries: 8 } });
const createPartitioner = Partitioners.DefaultPartitioner;

async function withAdmin(fn) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

const partitionsOf = (topic) =>
  withAdmin(async (a) => (await a.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length);

async function produce(topic, keys) {
  const producer = kafka.producer({ createPartitioner });
  await producer.connect();
  try {
    const records = [];
    // one send per record: its answer names the partition and offset of exactly that key
    for (const key of keys) {
      const [md] = await producer.send({ topic, acks: -1, messages: [{ key, value: `value-${key}` }] });
      records.push({ key, partition: md.partition, offset: Number(md.baseOffset) });
    }
    return records;
  } finally {
    await producer.disconnect();
  }
}

function toRecord(partition, message) {
  return { key: message.key.toString(), partition, offset: Number(message.offset) };
}

async function startMember(topic, groupId, extra = {}) {
  const consumer = kafka.consumer({ groupId, ...extra });
  const member = { consumer, records: [], assigned: [], crash: null };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    member.assigned = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  // a crash KafkaJS will not restart from ends the step at once (it would wait out the timeout)
  consumer.on(consumer.events.CRASH, (e) => {
    if (e.payload.restart === false) member.crash ??= `${e.payload.error.name}: ${e.payload.error.message}`;
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  // autoCommit with neither interval nor threshold: offsets are committed after every batch
  await consumer.run({ eachMessage: async ({ partition, message }) => void member.records.push(toRecord(partition, message)) });
  return member;
}

/** Throws the first member crash (KafkaJS would otherwise retry or sit idle until the wait times out). */
function noCrash(members) {
  const crashed = members.find((m) => m.crash);
  if (crashed) throw new Error(`consumer crashed: ${crashed.crash}`);
}

async function groupRun(p, produceFirst) {
  const want = p.expect ?? p.keys;
  if (produceFirst) await produce(p.topic, p.keys);
  const n = await partitionsOf(p.topic);
  const members = await Promise.all([0, 1].map(() => startMember(p.topic, p.group)));
  let assigned = null;
  try {
    if (!produceFirst) {
      await waitUntil(
        // disjoint and covering: a member's last GROUP_JOIN may be from before the other joined
        () => noCrash(members) ?? (members.every((m) => m.assigned.length) && new Set(members.flatMap((m) => m.assigned)).size === n && members[0].assigned.length + members[1].assigned.length === n),
        'both members to hold partitions',
      );
      assigned = members.map((m) => m.assigned);
      await produce(p.topic, p.keys);
    }
    await waitUntil(() => noCrash(members) ?? sawAll(members.flatMap((m) => m.records), want), `all ${want.length} records to be consumed`);
  } finally {
    for (const m of members) await m.consumer.disconnect();
  }
  return withAdmin(async (a) => {
    const [committed] = await a.fetchOffsets({ groupId: p.group, topics: [p.topic] });
    const end = await a.fetchTopicOffsets(p.topic);
    return {
      members: members.map((m, i) => ({ assigned: assigned?.[i] ?? m.assigned, records: m.records })),
      committed: Object.fromEntries(committed.partitions.map((x) => [x.partition, Number(x.offset)])),
      end: Object.fromEntries(end.map((x) => [x.partition, Number(x.high)])),
    };
  });
}

async function txn(p) {
  const producer = kafka.producer({ createPartitioner, transactionalId: `kc-kafkajs-${randomUUID().slice(0, 8)}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const t of p.txns) {
    const tx = await producer.transaction();
    await tx.send({ topic: p.topic, acks: -1, messages: t.keys.map((key) => ({ key, value: `value-${key}` })) });
    await (t.commit ? tx.commit() : tx.abort());
  }
  await producer.disconnect();
  const until = p.txns.at(-1).keys;
  async function read(readUncommitted) {
    const m = await startMember(p.topic, `kc-kafkajs-txn-${randomUUID().slice(0, 8)}`, { readUncommitted });
    try {
      await waitUntil(() => noCrash([m]) ?? sawAll(m.records, until), `the last transaction's ${until.length} records`);
      return m.records;
    } finally {
      await m.consumer.disconnect();
    }
  }
  return { readCommitted: await read(false), readUncommitted: await read(true) };
}

await stepMain({
  'create-topic': async (p) => {
    const created = await withAdmin((a) => a.createTopics({ topics: [{ topic: p.topic, numPartitions: p.partitions, replicationFactor: 1 }], waitForLeaders: true }));
    if (!created) throw new Error(`createTopics answered false: ${p.topic} already exists`);
    // Kafka's metadata can trail its CreateTopics answer: read until the count settles
    let count;
    await waitUntil(async () => (count = await partitionsOf(p.topic).catch(() => undefined)) === p.partitions, 'the count to settle', { timeoutMs: 30_000 }).catch(() => {});
    return { partitions: count ?? (await partitionsOf(p.topic)) };
  },
  produce: async (p) => ({ records: await produce(p.topic, p.keys) }),
  group: (p) => groupRun(p, false),
  resume: (p) => groupRun(p, true),
  txn,
});
