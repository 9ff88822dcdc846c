#!/usr/bin/env node
// A full-size `brook migrate`: a fresh Brook broker with N records (two topics, 6 and 3
// partitions, 100-byte values, keys and a header; an aborted transaction in the middle) and 3
// groups at different positions, migrated by the built CLI to the 3-node Kafka cluster with
// then again with --verify (must write nothing). Prints the times.
//
//   npm run build && node scripts/kafka/migrate-run.mjs [--records 1000000]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installJars } from './lib/clients.mjs';
import { createKafkaCluster } from './lib/kafka-cluster.mjs';
import { repoRoot } from './lib/paths.mjs';

const i = process.argv.indexOf('--records');
const N = i > 0 ? Number(process.argv[i + 1]) : 1_000_000;
const bin = join(repoRoot, 'client-sdk', 'bin', 'brook.js');
const secs = (t0) => ((Date.now() - t0) / 1000).toFixed(1);

function cli(args) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code, out, seconds: secs(t0) }));
  });
}

const noJars = await installJars();
if (noJars) throw new Error(noJars);
const { startBroker } = await import(join(repoRoot, 'server', 'dist', 'index.js'));
const { Brook, logLevel } = await import(join(repoRoot, 'client-sdk', 'dist', 'index.js'));
const sourceDir = mkdtempSync(join(tmpdir(), 'brook-migrate-run-'));
const clusterDir = mkdtempSync(join(tmpdir(), 'brook-migrate-cluster-'));
const source = await startBroker({ port: 0, dataDir: sourceDir, logLevel: 'silent' });
const clusterUp = createKafkaCluster(clusterDir); // starts while the source fills

const brook = new Brook({ url: source.url, clientId: 'migrate-run', logLevel: logLevel.NOTHING });
const admin = brook.admin();
await admin.connect();
const topics = [{ topic: 'orders', numPartitions: 6 }, { topic: 'payments', numPartitions: 3 }];
await admin.createTopics({ topics });
const producer = brook.producer();
await producer.connect();
let t0 = Date.now();
const value = 'x'.repeat(100);
const fill = async (topic, from, n) => {
  const chunk = 1000;
  const sends = [];
  for (let k = from; k < from + n; k += chunk) {
    sends.push(producer.send({ topic, messages: Array.from({ length: Math.min(chunk, from + n - k) }, (_, j) => ({ key: `k${k + j}`, value, headers: { seq: String(k + j) } })) }));
    if (sends.length >= 16) await sends.shift();
  }
  await Promise.all(sends);
};
const perTopic = [Math.round(N * 0.7), N - Math.round(N * 0.7)];
await fill('orders', 0, perTopic[0] / 2);
const txp = brook.producer({ transactionalId: 'migrate-run-tx' });
await txp.connect();
const tx = await txp.transaction();
await tx.send({ topic: 'orders', messages: Array.from({ length: 600 }, (_, j) => ({ partition: j % 6, value: 'aborted' })) });
await tx.abort();
await txp.disconnect();
await fill('orders', perTopic[0] / 2, perTopic[0] / 2);
await fill('payments', 0, perTopic[1]);
await producer.disconnect();
console.log(`source: ${N} records (+600 aborted) written to Brook in ${secs(t0)} s`);
for (const [g, topic, share] of [['billing', 'orders', 0.5], ['shipping', 'orders', 0.9], ['ledger', 'payments', 0.25]]) {
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.setOffsets({ groupId: g, topic, partitions: ends.map((e) => ({ partition: e.partition, offset: String(Math.floor(Number(e.high) * share)) })) });
}
await admin.disconnect();

t0 = Date.now();
const cluster = await clusterUp;
console.log(`target: 3-node Kafka cluster ${cluster.bootstrap} (waited ${secs(t0)} s more for it)`);
const base = ['--url', source.httpUrl, 'migrate', '--to', cluster.bootstrap];
const first = await cli(base);
console.log(first.out.split('\n').filter((l) => /^(records|group)/.test(l)).join('\n'));
console.log(`first run (copy): ${first.seconds} s, exit ${first.code}`);
const second = await cli([...base, '--verify']);
console.log(second.out.split('\n').filter((l) => /^(records|verify:)/.test(l)).join('\n'));
console.log(`second run (nothing to copy + verify): ${second.seconds} s, exit ${second.code}`);

await source.close();
await cluster.stop();
rmSync(sourceDir, { recursive: true, force: true });
rmSync(clusterDir, { recursive: true, force: true });
process.exit(first.code === 0 && second.code === 0 && /0 written now/.test(second.out) ? 0 : 1);
