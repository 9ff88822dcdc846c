// Micro-benchmark of Produce's check of plain record batches (server/src/services/batchSplit.ts):
// what the walk costs by record and header, against what it costs by byte. Best of 5 per shape,
// one process, after a warm-up; run after `npm run build`.
//   node scripts/bench/check-walk-micro.mjs
import { encodeBatch } from '@brook/protocol';
import { checkBatches } from '../../server/dist/services/batchSplit.js';

const records = (n, size) => encodeBatch({ records: Array.from({ length: n }, () => ({ key: null, value: size ? new Uint8Array(size) : null })) });
const headers = (n, key, value) => encodeBatch({ records: [{ key: null, value: null, headers: Array.from({ length: n }, () => ({ key, value })) }] });
/** [name, records and headers walked, batch] */
const SHAPES = [
  ['2M empty records', 2_000_000, () => records(2_000_000, 0)],
  ['200k empty records', 200_000, () => records(200_000, 0)],
  ['160k records of 100 B', 160_000, () => records(160_000, 100)],
  ['16k records of 1 KiB', 16_000, () => records(16_000, 1024)],
  ['1k records of 1 KiB', 1000, () => records(1000, 1024)],
  ['1 record, 1M empty headers', 1_000_001, () => headers(1_000_000, '', null)],
  ['1 record, 100k headers "trace-id" of 8 B', 100_001, () => headers(100_000, 'trace-id', new Uint8Array(8))],
];

console.log('| batch | MiB | check ms (best of 5) | ns per record or header |');
console.log('| --- | --- | --- | --- |');
for (const [name, steps, make] of SHAPES) {
  const b = make();
  for (let i = 0; i < 3; i++) checkBatches(b);
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    checkBatches(b);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  console.log(`| ${name} | ${(b.length / 1048576).toFixed(2)} | ${best.toFixed(2)} | ${((best * 1e6) / steps).toFixed(0)} |`);
}
