// Micro-benchmark of timing one request: prom-client's Histogram child (startTimer, then end)
// against server/src/hotHistogram.ts, alternated twice, 1M each; run after `npm run build`.
//   node scripts/bench/histogram-micro.mjs
import { Histogram, Registry } from 'prom-client';
import { HotHistogram } from '../../server/dist/hotHistogram.js';
const B = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30];
const prom = new Histogram({ name: 'a', help: 'a', labelNames: ['api', 'listener'], buckets: B, registers: [new Registry()] }).labels('Produce', 'ws');
const hot = new HotHistogram({ name: 'a', help: 'a', labelNames: ['api', 'listener'], buckets: B, registry: new Registry() }).labels('Produce', 'ws');
for (const [name, h] of [['prom-client', prom], ['hot', hot], ['prom-client', prom], ['hot', hot]]) {
  const n = 1e6; const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) h.startTimer()();
  console.log(name, (Number(process.hrtime.bigint() - t) / n).toFixed(0), 'ns per timed request');
}
