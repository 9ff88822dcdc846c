// How long the broker's event loop is held while the cleaner summarizes, and a timestamp lookup
// seeks in, one stored plain batch of a record with N empty headers (services/batchChecks.ts
// decides: inline within a turn's steps, else the worker). Best of 5; run after `npm run build`.
//   node scripts/bench/stored-decode-micro.mjs [N]      (default 500,000: a 1 MiB batch)
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { encodeBatch } from '@brook/protocol';
import { pino } from 'pino';
import { BrokerMetrics } from '../../server/dist/metrics.js';
import { BatchChecks } from '../../server/dist/services/batchChecks.js';

const n = Number(process.argv[2] ?? 500_000);

const batch = encodeBatch({ records: [{ key: null, value: null, headers: Array.from({ length: n }, () => ({ key: '', value: null })) }] });

const checks = new BatchChecks(pino({ level: 'silent' }), new BrokerMetrics());
const held = async (f) => {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  while (loop.count < 2) await new Promise((r) => setTimeout(r, 2));
  await f();
  await new Promise((r) => setTimeout(r, 5));
  loop.disable();
  return loop.max / 1e6;
};
const best = async (f) => {
  let b = Infinity;
  for (let i = 0; i < 5; i++) b = Math.min(b, await held(f));
  return b;
};
console.log(`one record of ${n.toLocaleString('en-US')} empty headers, ${(batch.length / 1048576).toFixed(2)} MiB; event loop held at most, ms (best of 5):`);
console.log(`  cleaner's summarize: ${(await best(() => checks.cleanerWork.summarize(batch, {}))).toFixed(1)}`);
console.log(`  timestamp seek:      ${(await best(() => checks.seek(batch, 0, 0, {}))).toFixed(1)}`);
console.log(`  record page decode:  ${(await best(() => checks.decode(batch, {}, { from: 0, maxRecords: 100, maxBytes: 4 << 20 }))).toFixed(1)}`);
await checks.close();
