#!/usr/bin/env node
// A 3-node Apache Kafka 4.4 cluster (KRaft, from the Maven Central jars) for tests and by hand.
//
//   node scripts/kafka/cluster.mjs              start it, print the bootstrap servers, run until Ctrl-C
//   node scripts/kafka/cluster.mjs --check      start it, write to a replicated topic, SIGKILL a node,
//                                               write again, restart the node, stop (exit 0 = all held)
//   --keep                                      keep the temp dir (logs, data)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installJars } from './lib/clients.mjs';
import { createKafkaCluster } from './lib/kafka-cluster.mjs';
import { repoRoot, runJava } from './lib/paths.mjs';

const args = process.argv.slice(2);
const keep = args.includes('--keep');

const noJars = await installJars();
if (noJars) {
  console.error(`cannot start the cluster: ${noJars}`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'brook-kafka-cluster-'));
const t0 = Date.now();
const cluster = await createKafkaCluster(dir);
console.log(`kafka cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${cluster.bootstrap} (dir ${dir})`);

async function finish(code) {
  await cluster.stop();
  if (!keep) rmSync(dir, { recursive: true, force: true });
  process.exit(code);
}

if (!args.includes('--check')) {
  console.log('Ctrl-C stops it');
  process.on('SIGINT', () => void finish(0));
  await new Promise(() => {});
}

// --check: the SDK over Kafka's protocol against the cluster, through a node failure.
const { Brook, logLevel } = await import(join(repoRoot, 'client-sdk', 'dist', 'index.js'));
const brook = new Brook({ brokers: cluster.brokers, clientId: 'cluster-check', logLevel: logLevel.NOTHING });
const admin = brook.admin();
const producer = brook.producer({ idempotent: true });
let ok = true;
try {
  await admin.connect();
  await producer.connect();
  await admin.createTopics({ topics: [{ topic: 'check', numPartitions: 3 }], waitForLeaders: true });
  // The SDK's metadata does not describe replicas: ask Kafka's own TopicCommand.
  const described = await runJava('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', cluster.bootstrap, '--describe', '--topic', 'check']);
  const rf = /ReplicationFactor: (\d+)/.exec(described.stdout)?.[1];
  const minIsr = /min\.insync\.replicas=(\d+)/.exec(described.stdout)?.[1];
  console.log(`topic check: replication factor ${rf}, min.insync.replicas ${minIsr ?? '(default)'}`);
  if (rf !== '3') ok = false;
  const send = (tag) => producer.send({ topic: 'check', acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `${tag}-${i}` })) });
  await send('before');
  await cluster.kill(2);
  console.log('node 2 killed (SIGKILL)');
  const t1 = Date.now();
  await send('during');
  console.log(`30 records acknowledged with node 2 down in ${Date.now() - t1} ms`);
  await cluster.start(2);
  console.log('node 2 restarted');
  await send('after');
  const offsets = await admin.fetchTopicOffsets('check');
  const total = offsets.reduce((s, o) => s + Number(o.high), 0);
  console.log(`end offsets sum to ${total} (expected 90)`);
  if (total !== 90) ok = false;
} catch (err) {
  ok = false;
  console.error(err);
} finally {
  await producer.disconnect().catch(() => {});
  await admin.disconnect().catch(() => {});
}
console.log(ok ? 'cluster check: OK' : 'cluster check: FAILED');
await finish(ok ? 0 : 1);
