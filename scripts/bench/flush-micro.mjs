// Micro-benchmark of a topic's fsync setting, in one process without sockets: awaited acks=all
// appends of one 100 B record, one after another, to a topic with Brook's default (fsync before
// the answer) and with flush.ms=1000 (answered once written). Per append: wall time p50/p99 and
// CPU. The two alternate 5 times on fresh data dirs (the machine is shared).
//   node scripts/bench/flush-micro.mjs
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { encodeBatch } from '../../protocol/dist/index.js';
import { Storage, TopicManager } from '../../server/dist/log/index.js';

const N = 1000;
const value = new TextEncoder().encode('x'.repeat(100));

async function run(configs) {
  const dir = await mkdtemp(join(tmpdir(), 'brook-flush-micro-'));
  const storage = await Storage.open(dir);
  const tm = await TopicManager.open(storage, { logger: pino({ level: 'silent' }), maintenanceIntervalMs: 0 });
  await tm.create('t', 1, configs);
  const log = tm.partition('t', 0);
  const times = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await log.append([encodeBatch({ records: [{ key: null, value }] })], { sync: true });
    times.push(performance.now() - t0);
  }
  const c = process.cpuUsage(c0);
  await tm.close();
  await storage.close();
  await rm(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  return { p50: times[N >> 1], p99: times[Math.floor(N * 0.99)], cpuUs: (c.user + c.system) / N };
}

const rows = { default: [], 'flush.ms=1000': [] };
for (let r = 0; r < 5; r++) {
  rows.default.push(await run({}));
  rows['flush.ms=1000'].push(await run({ 'flush.ms': '1000' }));
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const f = (xs, k, d) => `${med(xs.map((x) => x[k])).toFixed(d)} (${Math.min(...xs.map((x) => x[k])).toFixed(d)}-${Math.max(...xs.map((x) => x[k])).toFixed(d)})`;
console.log('| topic | append-to-answer p50 ms | p99 ms | CPU µs per append |');
console.log('| --- | --- | --- | --- |');
for (const [k, xs] of Object.entries(rows)) console.log(`| ${k} | ${f(xs, 'p50', 3)} | ${f(xs, 'p99', 2)} | ${f(xs, 'cpuUs', 0)} |`);
