// Micro-benchmark of CRC-32C: the JavaScript slicing-by-16 (browsers) against the native one Node
// uses (@node-rs/crc32), MB/s per buffer size. The two alternate 7 times per size in one process
// (the machine is shared: alternating keeps load swings from favouring one); median and range.
//   node scripts/bench/crc32c-micro.mjs
import { crc32c as js } from '../../protocol/dist/crc32c.js';
import { crc32c as node, crc32cIsNative } from '../../protocol/dist/crc32c.node.js';

if (!crc32cIsNative) throw new Error('the native CRC-32C did not load');
const SIZES = [16, 32, 64, 128, 1024, 11 * 1024, 100 * 1024, 1024 * 1024];
const ROUNDS = 7;

function rate(f, buf) {
  const bytesPerRound = 32 * 1024 * 1024;
  const n = Math.max(1, Math.floor(bytesPerRound / buf.length));
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink ^= f(buf, 0, buf.length);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink === 0.5) console.log(sink);
  return (n * buf.length) / s / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log('| bytes | JavaScript MB/s (min-max) | native MB/s (min-max) | native / JS |');
console.log('| --- | --- | --- | --- |');
for (const size of SIZES) {
  const buf = new Uint8Array(size).map((_, i) => (i * 131) & 0xff);
  rate(js, buf);
  rate(node, buf); // warm-up
  const a = [];
  const b = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(rate(js, buf));
    b.push(rate(node, buf));
  }
  const f = (xs) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
  console.log(`| ${size} | ${f(a)} | ${f(b)} | ${(median(b) / median(a)).toFixed(1)}x |`);
}
