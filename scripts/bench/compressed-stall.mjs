// How long one Produce of compressed batches holds the broker's event loop: an in-process broker,
// one WebSocket client sending `copies` gzip batches of one record of `bytes` zero bytes (each
// about bytes / 1000 on the wire) in one request, twice (the first pays for the worker's start).
// Prints the answer time and the broker's longest event-loop delay during it.
//   node scripts/bench/compressed-stall.mjs [bytes=62914560] [copies=1]
// BROOK_SERVER_DIST=<clone>/server/dist picks another build (before/after pairs).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, PROTOCOL_VERSION, crc32c, decodeResponseBody, decodeServerFrame, encodeBatch, encodeRequest } from '../../protocol/dist/index.js';

const dist = process.env.BROOK_SERVER_DIST ?? new URL('../../server/dist', import.meta.url).pathname;
const { startBroker } = await import(join(dist, 'index.js'));
const bytes = Number(process.argv[2] ?? 60 << 20);
const copies = Number(process.argv[3] ?? 1);

const plain = encodeBatch({ records: [{ value: new Uint8Array(bytes) }] });
const gz = gzipSync(plain.subarray(BATCH_HEADER_SIZE), { level: 9 });
const one = new Uint8Array(BATCH_HEADER_SIZE + gz.length);
one.set(plain.subarray(0, BATCH_HEADER_SIZE));
one.set(gz, BATCH_HEADER_SIZE);
const v = new DataView(one.buffer);
v.setInt32(8, one.length - LOG_OVERHEAD);
v.setInt16(21, (v.getInt16(21) & ~7) | 1); // gzip
v.setUint32(17, crc32c(one, 21));
const request = new Uint8Array(one.length * copies);
for (let i = 0; i < copies; i++) request.set(one, i * one.length);

const dataDir = mkdtempSync(join(tmpdir(), 'brook-stall-'));
const broker = await startBroker({ port: 0, logLevel: 'silent', dataDir });
const ws = new WebSocket(broker.url);
await new Promise((r) => ws.once('open', r));
let next = 1;
const pending = new Map();
ws.on('message', (d) => {
  const f = decodeServerFrame(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  if (!f.ok) return;
  const p = pending.get(f.value.correlationId);
  pending.delete(f.value.correlationId);
  p?.(f.value.errorCode ? { error: f.value.errorMessage } : decodeResponseBody(p.api, f.value.body, f.value.bodyStart).value);
});
const call = (api, body) =>
  new Promise((resolve) => {
    const id = next++;
    pending.set(id, Object.assign((v) => resolve(v), { api }));
    ws.send(encodeRequest(api, id, body));
  });
await call('Handshake', { clientId: 'stall', clientSoftware: 'bench', minProtocol: PROTOCOL_VERSION, maxProtocol: PROTOCOL_VERSION, username: null, password: null });
await call('CreateTopics', { topics: [{ name: 't', numPartitions: 1, configs: [] }], validateOnly: false });
console.log(`${copies} gzip batch(es) of ${bytes} bytes inflated, ${request.length} bytes sent`);
for (let round = 1; round <= 2; round++) {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  while (loop.count < 2) await new Promise((r) => setTimeout(r, 2)); // it records from its second tick
  const t0 = performance.now();
  const res = await call('Produce', { transactionalId: null, acks: -1, timeoutMs: 30_000, topics: [{ topic: 't', partitions: [{ partition: 0, records: request }] }] });
  const ms = performance.now() - t0;
  loop.disable();
  const p = res.topics?.[0]?.partitions?.[0];
  console.log(`round ${round}: answered in ${ms.toFixed(0)} ms (error code ${p?.errorCode ?? res.error}), longest event-loop delay ${(loop.max / 1e6).toFixed(0)} ms`);
}
ws.close();
await broker.close();
rmSync(dataDir, { recursive: true, force: true });
