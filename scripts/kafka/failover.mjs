#!/usr/bin/env node
// Failover on the 3-node Kafka cluster, with Brook's SDK (the built dist): an idempotent producer
// (acks all) writes without pause while a group of 3 members (own processes) consumes
// at-least-once; the node leading most partitions is SIGKILLed, then started again. Prints
// acknowledged, lost (acknowledged but never consumed), duplicated, and how long the producer
// and the group stalled. Exit 1 if an acknowledged record was lost.
//
//   npm run build && node scripts/kafka/failover.mjs [--seconds-before 5] [--seconds-down 10] [--seconds-after 5]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installJars } from './lib/clients.mjs';
import { createKafkaCluster } from './lib/kafka-cluster.mjs';
import { repoRoot } from './lib/paths.mjs';
import { waitFor } from './lib/proc.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const before = arg('seconds-before', 5) * 1000;
const down = arg('seconds-down', 10) * 1000;
const after = arg('seconds-after', 5) * 1000;
const PARTITIONS = 6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const noJars = await installJars();
if (noJars) throw new Error(noJars);
const dir = mkdtempSync(join(tmpdir(), 'brook-failover-'));
const cluster = await createKafkaCluster(dir);
console.log(`cluster up: ${cluster.bootstrap}`);
const { Brook, logLevel } = await import(join(repoRoot, 'client-sdk', 'dist', 'index.js'));
const brook = new Brook({ brokers: cluster.brokers, clientId: 'failover', logLevel: logLevel.NOTHING });
const admin = brook.admin();
await admin.connect();
const topic = 'failover';
const group = 'failover-g';
await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });

// The group: 3 members in their own processes (client-sdk/test/fixtures/consumer-worker.mjs).
const worker = join(repoRoot, 'client-sdk', 'test', 'fixtures', 'consumer-worker.mjs');
const consumed = new Map(); // value -> times consumed
const consumedAt = new Map(); // value -> first time consumed
const members = [0, 1, 2].map((i) => {
  const m = { partitions: [], ready: false, proc: null };
  m.proc = spawn(process.execPath, [worker, JSON.stringify({ brokers: cluster.brokers, groupId: group, topics: [topic], name: `m${i}`, autoCommitInterval: 200, heartbeatInterval: 500 })], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  m.proc.stdout.setEncoding('utf8').on('data', (d) => {
    buf += d;
    let j;
    while ((j = buf.indexOf('\n')) >= 0) {
      const ev = JSON.parse(buf.slice(0, j));
      buf = buf.slice(j + 1);
      if (ev.ev === 'ready') m.ready = true;
      else if (ev.ev === 'assignment') m.partitions = ev.partitions;
      else if (ev.ev === 'msg') {
        consumed.set(ev.value, (consumed.get(ev.value) ?? 0) + 1);
        if (!consumedAt.has(ev.value)) consumedAt.set(ev.value, Date.now());
      }
    }
  });
  return m;
});
await waitFor(() => members.every((m) => m.ready && m.partitions.length === 2), { timeoutMs: 60_000 });
console.log(`group of 3 consuming: ${members.map((m) => m.partitions.length).join('/')} partitions`);

// The producer: batches of 50, one at a time, acks all, idempotent.
const producer = brook.producer({ idempotent: true });
await producer.connect();
const acked = new Map(); // value -> time acknowledged
let failures = 0;
const failureReasons = new Set();
let producing = true;
let seq = 0;
const loop = (async () => {
  while (producing) {
    const values = Array.from({ length: 50 }, () => `r${seq++}`);
    try {
      await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
      const now = Date.now();
      for (const v of values) acked.set(v, now);
    } catch (e) {
      failures++;
      failureReasons.add(`${e.type ?? ''} ${e.message}`.trim());
    }
  }
})();

await sleep(before);
const { topics: [meta] } = await admin.fetchTopicMetadata({ topics: [topic] });
const leads = new Map();
for (const p of meta.partitions) leads.set(p.leader, (leads.get(p.leader) ?? 0) + 1);
const [victim, count] = [...leads].sort((a, b) => b[1] - a[1])[0];
const ackedBeforeKill = acked.size;
const killedAt = Date.now();
await cluster.kill(victim);
console.log(`SIGKILL node ${victim} (leader of ${count} of ${PARTITIONS} partitions) after ${ackedBeforeKill} acknowledged records`);
await sleep(down);
const restartAt = Date.now();
await cluster.start(victim);
console.log(`node ${victim} back after ${((Date.now() - restartAt) / 1000).toFixed(1)} s of start-up`);
await sleep(after);
producing = false;
await loop;

// Every acknowledged record must reach the group (at-least-once).
const caughtUp = await waitFor(() => [...acked.keys()].every((v) => consumed.has(v)), { timeoutMs: 90_000, everyMs: 500 });
const lost = [...acked.keys()].filter((v) => !consumed.has(v));
const duplicates = [...consumed.values()].reduce((s, n) => s + n - 1, 0);
// (a loop, not Math.min(...xs): a spread of 100k+ values overflows the stack)
const minOf = (xs) => xs.reduce((m, x) => (x < m ? x : m), Infinity);
const firstAckAfter = minOf([...acked.values()].filter((t) => t > killedAt));
const firstConsumedAfter = minOf([...consumedAt].filter(([v]) => Number(v.slice(1)) >= ackedBeforeKill + 50 * 2).map(([, t]) => t));
const ackTimes = [...new Set(acked.values())].sort((a, b) => a - b);
let maxGap = 0;
for (let i = 1; i < ackTimes.length; i++) maxGap = Math.max(maxGap, ackTimes[i] - ackTimes[i - 1]);
const figures = {
  acknowledged: acked.size,
  sendFailures: failures,
  sendFailureReasons: [...failureReasons].slice(0, 3),
  consumedUnique: consumed.size,
  lost: lost.length,
  duplicated: duplicates,
  producerResumedAfterKillMs: firstAckAfter - killedAt,
  longestProducerStallMs: maxGap,
  groupReadNewRecordsAfterKillMs: firstConsumedAfter - killedAt,
  caughtUp: caughtUp === true,
};
console.log(JSON.stringify(figures, null, 2));

producer.disconnect().catch(() => {});
for (const m of members) m.proc.kill('SIGTERM');
await Promise.all(members.map((m) => new Promise((r) => (m.proc.exitCode !== null ? r() : m.proc.once('exit', r)))));
await admin.disconnect();
await cluster.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(lost.length === 0 && caughtUp ? 0 : 1);
