// `brook migrate` (the built CLI) from a Brook broker to the target's Kafka side: the Kafka
// cluster on the kafka-cluster target, another Brook broker's Kafka port on the others. Topics
// with their configs, committed records only (an aborted transaction shifts the offsets), two
// groups resuming at the record they would have read next (past an aborted transaction, and on a
// log that does not start at 0); run twice: nothing written twice.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel as KafkaLogLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '@brook/server';
import { Brook, logLevel, type Admin } from '../../src/index.js';
import { SESSION_MS, startTarget, text, until, type Target } from './target.js';
import { runBrookCli } from '../processTools.js';

const PER_TOPIC = 1500;
/** Records deleted from the start of one partition (its log starts there on Brook, at 0 on Kafka). */
const DELETED = 200;
const COPIED = 2 * PER_TOPIC - DELETED;
/** Written to the source after the first run. */
const MORE = 10;
/** Recent timestamps: topics keep their retention.ms, and the target would delete records older than it. */
const T0 = Date.now() - 3_600_000;

const cli = runBrookCli;

describe('brook migrate', () => {
  let target: Target;
  let source: Broker;
  let sourceDir: string;
  let to: string[];
  let topics: { orders: string; events: string };
  let groups: { billing: string; audit: string };

  beforeAll(async () => {
    target = await startTarget();
    sourceDir = await mkdtemp(join(tmpdir(), 'brook-migrate-source-'));
    source = await startBroker({ port: 0, kafkaPort: 0, dataDir: sourceDir, logLevel: 'silent' });
    // The migration's target: the cluster, or a Brook broker's Kafka port (a second Brook here).
    to = 'brokers' in target.address && target.name === 'kafka-cluster' ? target.address.brokers : [(await targetBrook()).kafkaAddress!];
    topics = { orders: target.unique('mig-orders'), events: target.unique('mig-events') };
    groups = { billing: target.unique('mig-billing'), audit: target.unique('mig-audit') };
  }, 60_000);

  let second: { broker: Broker; dir: string } | null = null;
  async function targetBrook(): Promise<Broker> {
    const dir = await mkdtemp(join(tmpdir(), 'brook-migrate-target-'));
    const broker = await startBroker({ port: 0, kafkaPort: 0, dataDir: dir, logLevel: 'silent' });
    second = { broker, dir };
    return broker;
  }

  afterAll(async () => {
    await source?.close();
    await second?.broker.close();
    await Promise.all([sourceDir, second?.dir].filter((d): d is string => !!d).map((d) => rm(d, { recursive: true, force: true })));
    await target?.stop();
  });

  it('copies topics, committed records and translated group offsets; later runs write only what the target lacks, and verify equal', async () => {
    const src = new Brook({ url: source.url, clientId: 'mig-src', logLevel: logLevel.NOTHING });
    const admin = src.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: topics.orders, numPartitions: 3 }, { topic: topics.events, numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '86400000' }] }] });
    const producer = src.producer();
    await producer.connect();
    const produce = (topic: string, from: number, n: number) =>
      producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: `${topic}:${from + i}`, headers: { n: String(from + i) }, timestamp: String(T0 + from + i) })) });
    await produce(topics.orders, 0, PER_TOPIC / 2);
    // An aborted transaction in the middle of every orders partition: its records and markers
    // take offsets on Brook, and nothing on Kafka.
    const txp = src.producer({ transactionalId: 'mig-tx' });
    await txp.connect();
    const tx = await txp.transaction();
    await tx.send({ topic: topics.orders, messages: Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `aborted-${i}` })) });
    await tx.abort();
    await txp.disconnect();
    await produce(topics.orders, PER_TOPIC / 2, PER_TOPIC / 2);
    await produce(topics.events, 0, PER_TOPIC);
    // A log that does not start at 0 (DeleteRecords, through KafkaJS on Brook's Kafka port).
    await deleteRecords([source.kafkaAddress!], topics.events, 0, DELETED);
    // Groups committed somewhere past the aborted records on every partition.
    const ends = await admin.fetchTopicOffsets(topics.orders);
    await admin.setOffsets({ groupId: groups.billing, topic: topics.orders, partitions: ends.map((e) => ({ partition: e.partition, offset: String(Number(e.high) - 100) })) });
    await admin.setOffsets({ groupId: groups.audit, topic: topics.events, partitions: [{ partition: 0, offset: String(DELETED + 50) }, { partition: 1, offset: '0' }] });

    const base = ['--url', source.httpUrl, 'migrate', '--to', to.join(','), '--topic', topics.orders, '--topic', topics.events];
    const dry = await cli([...base, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`plan: topic ${topics.orders}: 3 partitions`);
    expect(dry.stdout).toContain(`plan: group ${groups.billing}`);

    const first = await cli(base);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`records: ${COPIED} committed records on the source, ${COPIED} written now`);
    expect(first.stdout).toContain(`${topics.events}-0 ${DELETED + 50}→50`);
    // Retention on the target deleting its oldest records does not make them copied again.
    await deleteRecords(to, topics.orders, 0, 5);
    // Records the target lacks (as after an interrupted run) are the only ones written next time.
    await produce(topics.events, PER_TOPIC, MORE);
    await producer.disconnect();
    const again = await cli([...base, '--verify']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain(`records: ${COPIED + MORE} committed records on the source, ${MORE} written now, ${COPIED} already on the target`);
    const third = await cli(base);
    expect(third.stdout).toContain(`records: ${COPIED + MORE} committed records on the source, 0 written now`);
    expect(again.stdout).toContain('verify: 5 partitions equal (counts and sha256)');
    expect(again.stdout).toMatch(new RegExp(`verify OK +${topics.orders}-0 from record 5: `));

    const dst = new Brook({ brokers: to, clientId: 'mig-dst', logLevel: logLevel.NOTHING });
    const dstAdmin = dst.admin();
    await dstAdmin.connect();
    const sum = async (a: Admin, t: string) => (await a.fetchTopicOffsets(t)).reduce((s, o) => s + Number(o.high), 0);
    expect(await sum(dstAdmin, topics.orders)).toBe(PER_TOPIC);
    expect(await sum(dstAdmin, topics.events)).toBe(PER_TOPIC - DELETED + MORE);
    await dstAdmin.disconnect();
    await admin.disconnect();

    // Each group reads the same records on both sides from its committed offsets.
    for (const [group, topic] of [[groups.billing, topics.orders], [groups.audit, topics.events]] as const) {
      const [onBrook, onKafka] = await Promise.all([rest(src, group, topic), rest(dst, group, topic)]);
      expect(onKafka.length).toBeGreaterThan(0);
      expect(onKafka).toEqual(onBrook);
    }
  });

  async function deleteRecords(brokers: string[], topic: string, partition: number, before: number): Promise<void> {
    const kafkajs = new Kafka({ brokers, logLevel: KafkaLogLevel.NOTHING }).admin();
    await kafkajs.connect();
    await kafkajs.fetchTopicMetadata({ topics: [topic] }); // KafkaJS routes DeleteRecords by its cached metadata
    await kafkajs.deleteTopicRecords({ topic, partitions: [{ partition, offset: String(before) }] });
    await kafkajs.disconnect();
  }

  /** The values a group reads from its committed offsets to the end of a topic, sorted. */
  async function rest(client: Brook, group: string, topic: string): Promise<string[]> {
    const admin = client.admin();
    await admin.connect();
    const end = await admin.fetchTopicOffsets(topic);
    const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    await admin.disconnect();
    const c = client.consumer({ groupId: group, sessionTimeout: SESSION_MS, heartbeatInterval: 250, isolationLevel: 'read_committed' });
    const got: string[] = [];
    const at = new Map<number, number>();
    await c.connect();
    await c.subscribe({ topics: [topic] });
    await c.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        got.push(text(message.value)!);
        at.set(partition, Number(message.offset) + 1);
      },
    });
    // Done when every partition read up to its end (or had nothing left after its commit).
    const lastData = new Map(end.map((e) => [e.partition, Number(e.high)]));
    await until(`${group} reads to the end`, () => committed[0]!.partitions.every((p) => (at.get(p.partition) ?? Number(p.offset)) >= lastData.get(p.partition)!), 30_000);
    await c.disconnect();
    return got.filter((v) => !v.startsWith('aborted')).sort();
  }
});
