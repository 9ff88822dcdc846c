// Micro-benchmark of a hop to libuv's thread pool on this machine: a LevelDB write without fsync
// (classic-level, chained and array batch), an fs.stat, and a setImmediate for scale; each awaited
// before the next, 5,000 after 500 of warm-up. Wall time per op, CPU per op on all threads, p50/p99.
//   node scripts/bench/thread-hop-micro.mjs
import { ClassicLevel } from 'classic-level';
import { mkdtempSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const db = new ClassicLevel(mkdtempSync(join(tmpdir(), 'hop-')), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
await db.open();
const v = Buffer.alloc(150);
async function measure(name, fn, n = 5000) {
  for (let i = 0; i < 500; i++) await fn(i);
  const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint();
  const lat = [];
  for (let i = 0; i < n; i++) { const s = process.hrtime.bigint(); await fn(i); lat.push(Number(process.hrtime.bigint() - s) / 1e3); }
  const wall = Number(process.hrtime.bigint() - t0) / 1e3 / n; const c = process.cpuUsage(c0);
  lat.sort((a, b) => a - b);
  console.log(name.padEnd(28), 'wall/op µs', wall.toFixed(1), 'cpu/op µs (all threads)', ((c.user + c.system) / n).toFixed(1), 'p50', lat[n / 2 | 0].toFixed(1), 'p99', lat[n * 0.99 | 0].toFixed(1));
}
let k = 0;
await measure('chained batch put', () => db.batch().put(Buffer.from(String(k++)), v).write());
await measure('array batch put', () => db.batch([{ type: 'put', key: Buffer.from(String(k++)), value: v }]));
await measure('fs.stat (threadpool)', () => stat('/tmp'));
await measure('setImmediate', () => new Promise((r) => setImmediate(r)));
await db.close();
