#!/usr/bin/env node
// npm run bench: produce and fetch throughput against a fresh broker in a child process.
// Scenarios: 100 B and 1 KiB messages, acks 1 and 'all'; the SDK producer as a user would use
// it (many sends in flight), then a raw fetch loop reading everything back.
// Prints a Markdown table and writes bench-results.json. Options: --quick (smaller runs).
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { startChildBroker } from './lib/broker.mjs';
import { Brook } from '../client-sdk/dist/index.js';
import { Connection } from '../client-sdk/dist/connection.js';
import { createLogger, logLevel } from '../client-sdk/dist/logger.js';
import { decodeBatches } from '../protocol/dist/index.js';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 1 : 3;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function bar(label, done, total) {
  if (!process.stderr.isTTY) return;
  const w = 30;
  const n = Math.round((done / total) * w);
  process.stderr.write(`\r${label.padEnd(28)} [${'#'.repeat(n)}${' '.repeat(w - n)}] ${Math.round((done / total) * 100)}%`);
  if (done >= total) process.stderr.write('\n');
}

async function produceRun(brook, topic, size, acks, total, batchSize, inFlight) {
  const producer = brook.producer();
  await producer.connect();
  const value = 'x'.repeat(size);
  const messages = Array.from({ length: batchSize }, () => ({ value }));
  let sent = 0;
  const t0 = performance.now();
  const workers = Array.from({ length: inFlight }, async () => {
    while (sent < total) {
      sent += batchSize;
      await producer.send({ topic, acks, messages });
      bar(`produce ${size}B acks=${acks}`, Math.min(sent, total), total);
    }
  });
  await Promise.all(workers);
  const secs = (performance.now() - t0) / 1000;
  await producer.disconnect();
  return { msgs: sent / secs, mbs: (sent * size) / secs / 1e6, count: sent };
}

async function fetchRun(url, topic, partitions, expected) {
  const conn = new Connection({ url, clientId: 'bench-fetch', logger: createLogger(logLevel.NOTHING) });
  await conn.connect();
  const offsets = new Array(partitions).fill(0);
  let count = 0;
  let bytes = 0;
  const t0 = performance.now();
  while (count < expected) {
    const r = await conn.request('Fetch', {
      maxWaitMs: 100,
      minBytes: 1,
      maxBytes: 16 << 20,
      isolationLevel: 0,
      topics: [{ topic, partitions: offsets.map((fetchOffset, partition) => ({ partition, fetchOffset, partitionMaxBytes: 4 << 20 })) }],
    });
    for (const p of r.topics[0].partitions) {
      for (const b of decodeBatches(p.records)) {
        for (const rec of b.records) {
          if (rec.offset < offsets[p.partition]) continue;
          count++;
          bytes += rec.value.length;
        }
        offsets[p.partition] = b.header.baseOffset + b.header.lastOffsetDelta + 1;
      }
    }
  }
  const secs = (performance.now() - t0) / 1000;
  await conn.close();
  return { msgs: count / secs, mbs: bytes / secs / 1e6 };
}

const scenarios = [];
for (const size of [100, 1024]) for (const acks of [1, -1]) scenarios.push({ size, acks });

const broker = await startChildBroker('brook-bench-');
const brook = new Brook({ url: broker.url, clientId: 'bench', logLevel: logLevel.NOTHING });
const admin = brook.admin();
await admin.connect();
const results = [];
try {
  for (const { size, acks } of scenarios) {
    const total = (size === 100 ? 300_000 : 100_000) / (quick ? 5 : 1);
    const prod = [];
    const fetches = [];
    for (let run = 0; run < RUNS; run++) {
      const topic = `bench-${size}-${acks === -1 ? 'all' : acks}-${run}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
      prod.push(await produceRun(brook, topic, size, acks, total, 100, 64));
      fetches.push(await fetchRun(broker.url, topic, 4, prod[prod.length - 1].count));
    }
    const row = {
      scenario: `${size} B, acks ${acks === -1 ? 'all' : acks}`,
      produceMsgs: median(prod.map((p) => p.msgs)),
      produceMin: Math.min(...prod.map((p) => p.msgs)),
      produceMax: Math.max(...prod.map((p) => p.msgs)),
      produceMBs: median(prod.map((p) => p.mbs)),
      fetchMsgs: median(fetches.map((p) => p.msgs)),
      fetchMBs: median(fetches.map((p) => p.mbs)),
    };
    results.push(row);
  }
} catch (e) {
  await broker.stop();
  throw e;
}

// ---- the raw limit: bare ws + LevelDB, 100 messages of 100 B per frame, one batch per frame
const rawResults = [];
{
  const { spawn } = await import('node:child_process');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createInterface } = await import('node:readline');
  const { default: WebSocket } = await import('ws');
  for (const sync of [0, 1]) {
    const xs = [];
    for (let run = 0; run < RUNS; run++) {
      const dir = await mkdtemp(join(tmpdir(), 'brook-raw-'));
      const proc = spawn(process.execPath, [new URL('./raw-server.mjs', import.meta.url).pathname, dir, String(sync)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const port = await new Promise((r) => createInterface({ input: proc.stdout }).once('line', (l) => r(JSON.parse(l).port)));
      const ws = new WebSocket(`ws://127.0.0.1:${port}`);
      await new Promise((r) => ws.once('open', r));
      const frame = new Uint8Array(100 * 100).fill(120);
      const frames = (quick ? 60_000 : 300_000) / 100;
      let acked = 0;
      let sent = 0;
      const t0 = performance.now();
      await new Promise((resolve) => {
        ws.on('message', () => {
          acked++;
          if (sent < frames) {
            ws.send(frame);
            sent++;
          }
          if (acked === frames) resolve();
        });
        for (; sent < Math.min(64, frames); sent++) ws.send(frame);
      });
      xs.push((frames * 100) / ((performance.now() - t0) / 1000));
      ws.close();
      proc.kill('SIGTERM');
      await new Promise((r) => proc.on('exit', r));
      await rm(dir, { recursive: true, force: true });
    }
    rawResults.push({ sync: sync === 1, msgs: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
  }
}

// ---- recovery: broker start-up time with 1M records and 100k commits on disk
const recoveryResults = [];
{
  const records = quick ? 200_000 : 1_000_000;
  const commits = quick ? 20_000 : 100_000;
  const rb = await startChildBroker('brook-recovery-');
  const rbrook = new Brook({ url: rb.url, clientId: 'bench-recovery', logLevel: logLevel.NOTHING });
  const radmin = rbrook.admin();
  await radmin.connect();
  await radmin.createTopics({ topics: [{ topic: 'recovery', numPartitions: 10 }] });
  await radmin.disconnect();
  await produceRun(rbrook, 'recovery', 100, 1, records, 500, 16);
  const conn = new Connection({ url: rb.url, clientId: 'bench-recovery-commits', logger: createLogger(logLevel.NOTHING) });
  await conn.connect();
  const inFlight = [];
  for (let i = 0; i < commits; i += 10) {
    inFlight.push(conn.request('OffsetCommit', { groupId: `g${(i / 10) % 100}`, memberId: null, memberEpoch: -1, topics: [{ topic: 'recovery', partitions: Array.from({ length: 10 }, (_, p) => ({ partition: p, offset: i, metadata: null })) }] }));
    if (inFlight.length >= 64) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  await conn.close();
  rb.proc.kill('SIGTERM');
  await rb.exited;
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    const again = await startChildBroker('brook-recovery-', [], { dataDir: rb.dataDir });
    times.push(performance.now() - t0);
    again.proc.kill('SIGTERM');
    await again.exited;
  }
  await rb.stop();
  recoveryResults.push({ records, commitRecords: Math.ceil(commits / 10) * 10, startupMs: median(times), min: Math.min(...times), max: Math.max(...times) });
}

// ---- producer shapes: four producers at once, and the naive awaited loop people write first
const shapeResults = [];
{
  const rate = async (label, fn) => {
    const xs = [];
    for (let run = 0; run < RUNS; run++) xs.push(await fn(run));
    shapeResults.push({ scenario: label, msgs: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
  };
  await rate('4 producers, 100 B, acks all, 100-message sends, 16 in flight each', async (run) => {
    const topic = `bench-4p-${run}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
    const total = quick ? 40_000 : 200_000;
    const t0 = performance.now();
    const runs = await Promise.all([0, 1, 2, 3].map(() => produceRun(brook, topic, 100, -1, total / 4, 100, 16)));
    const sent = runs.reduce((n, r) => n + r.count, 0);
    return sent / ((performance.now() - t0) / 1000);
  });
  await rate('1 producer, 100 B, acks all, one awaited send per message', async (run) => {
    const topic = `bench-naive-${run}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
    return (await produceRun(brook, topic, 100, -1, quick ? 2_000 : 10_000, 1, 1)).msgs;
  });
}

// ---- group consume: 3 members over 6 partitions draining a prefilled topic (at-least-once, auto-commit)
async function groupConsumeRun(topic, total) {
  const consumers = [0, 1, 2].map(() => brook.consumer({ groupId: `${topic}-g`, maxBytesPerPartition: 4 << 20 }));
  let count = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  const t0 = performance.now();
  for (const c of consumers) {
    await c.connect();
    await c.subscribe({ topics: [topic], fromBeginning: true });
    await c.run({
      eachMessage: async () => {
        count++;
        if (count === total) done();
      },
    });
  }
  await finished;
  const secs = (performance.now() - t0) / 1000;
  for (const c of consumers) await c.disconnect();
  return total / secs;
}

const groupResults = [];
{
  const total = quick ? 60_000 : 300_000;
  const rates = [];
  for (let run = 0; run < RUNS; run++) {
    const topic = `bench-group-${run}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    const producer = brook.producer();
    await producer.connect();
    const value = 'x'.repeat(100);
    const messages = Array.from({ length: 500 }, () => ({ value }));
    for (let i = 0; i < total; i += 500) await producer.send({ topic, acks: 1, messages });
    await producer.disconnect();
    rates.push(await groupConsumeRun(topic, total));
  }
  groupResults.push({ scenario: `3 members, 6 partitions, 100 B, ${total / 1000}k messages`, msgs: median(rates), min: Math.min(...rates), max: Math.max(...rates) });
}

// ---- end-to-end latency: a paced producer (acks all), a group consumer in a worker thread
const { Worker } = await import('node:worker_threads');
const latencyResults = [];
for (const rate of [1000, 5000]) {
  const topic = `bench-latency-${rate}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] });
  const worker = new Worker(new URL('./bench-latency-worker.mjs', import.meta.url), { workerData: { url: broker.url, topic, groupId: `${topic}-g` } });
  await new Promise((r) => worker.once('message', r));
  const producer = brook.producer();
  await producer.connect();
  const seconds = quick ? 2 : 5;
  const t0 = performance.now();
  let sent = 0;
  const pending = [];
  while (performance.now() - t0 < seconds * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    while (sent < due) {
      const stamp = String(performance.timeOrigin + performance.now()).padEnd(20, ' ');
      pending.push(producer.send({ topic, messages: [{ value: stamp + 'x'.repeat(80) }] }));
      sent++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  await new Promise((r) => setTimeout(r, 500));
  worker.postMessage('stop');
  const { latencies } = await new Promise((r) => worker.on('message', (m) => m !== 'ready' && r(m)));
  await worker.terminate();
  await producer.disconnect();
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  latencyResults.push({ rate, received: latencies.length, sent, p50: q(0.5), p99: q(0.99), p999: q(0.999) });
}

const k = (n) => `${Math.round(n / 1000)}k`;
console.log(`\nBrook bench (${cpus().length} cores, Node ${process.version}, median of ${RUNS}; SDK producer: 100-message sends, 64 in flight, 4 partitions)\n`);
console.log('| scenario | produce msg/s (min-max) | produce MB/s | fetch msg/s | fetch MB/s |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of results) {
  console.log(`| ${r.scenario} | ${k(r.produceMsgs)} (${k(r.produceMin)}-${k(r.produceMax)}) | ${r.produceMBs.toFixed(1)} | ${k(r.fetchMsgs)} | ${r.fetchMBs.toFixed(1)} |`);
}
console.log('\n| raw ws + LevelDB (100 x 100 B per frame, 64 in flight) | msg/s (min-max) | Brook 100 B produce as a fraction |\n| --- | --- | --- |');
for (const r of rawResults) {
  const brookRow = results.find((x) => x.scenario === (r.sync ? '100 B, acks all' : '100 B, acks 1'));
  console.log(`| sync ${r.sync} | ${k(r.msgs)} (${k(r.min)}-${k(r.max)}) | ${brookRow ? Math.round((brookRow.produceMsgs / r.msgs) * 100) + '%' : '-'} |`);
}
for (const r of recoveryResults) {
  console.log(`\n| recovery | start-up to listening, ms (min-max) |\n| --- | --- |\n| ${r.records.toLocaleString('en')} records, ${r.commitRecords.toLocaleString('en')} commit records | ${r.startupMs.toFixed(0)} (${r.min.toFixed(0)}-${r.max.toFixed(0)}) |`);
}
console.log('\n| producer shape | msg/s (min-max) |\n| --- | --- |');
for (const r of shapeResults) console.log(`| ${r.scenario} | ${k(r.msgs)} (${k(r.min)}-${k(r.max)}) |`);
console.log('\n| group consume | msg/s (min-max) |\n| --- | --- |');
for (const g of groupResults) console.log(`| ${g.scenario} | ${k(g.msgs)} (${k(g.min)}-${k(g.max)}) |`);
console.log('\n| end-to-end latency (acks all, consumer in a worker thread) | received/sent | p50 ms | p99 ms | p99.9 ms |\n| --- | --- | --- | --- | --- |');
for (const l of latencyResults) console.log(`| ${l.rate} msg/s | ${l.received}/${l.sent} | ${l.p50.toFixed(2)} | ${l.p99.toFixed(2)} | ${l.p999.toFixed(2)} |`);
await writeFile('bench-results.json', JSON.stringify({ date: new Date().toISOString(), runs: RUNS, results, raw: rawResults, recovery: recoveryResults, producerShapes: shapeResults, groupConsume: groupResults, latency: latencyResults }, null, 2));
console.log('\nwrote bench-results.json');
await admin.disconnect();
await broker.stop();
process.exit(0);
