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
} finally {
  await admin.disconnect();
  await broker.stop();
}

const k = (n) => `${Math.round(n / 1000)}k`;
console.log(`\nBrook bench (${cpus().length} cores, Node ${process.version}, median of ${RUNS}; SDK producer: 100-message sends, 64 in flight, 4 partitions)\n`);
console.log('| scenario | produce msg/s (min-max) | produce MB/s | fetch msg/s | fetch MB/s |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of results) {
  console.log(`| ${r.scenario} | ${k(r.produceMsgs)} (${k(r.produceMin)}-${k(r.produceMax)}) | ${r.produceMBs.toFixed(1)} | ${k(r.fetchMsgs)} | ${r.fetchMBs.toFixed(1)} |`);
}
await writeFile('bench-results.json', JSON.stringify({ date: new Date().toISOString(), runs: RUNS, results }, null, 2));
console.log('\nwrote bench-results.json');
