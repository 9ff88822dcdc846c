#!/usr/bin/env node
// npm run rss: the broker's resident memory (from /proc) idle, with 1,000 idle sockets, and
// under a flood: producers writing as fast as they can plus clients that send fetches and never
// read the answers. Memory must stay bounded (backpressure), not grow with the flood.
import { readFile } from 'node:fs/promises';
import { startChildBroker } from './lib/broker.mjs';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, encodeBatch, encodeRequest } from '../protocol/dist/index.js';

const broker = await startChildBroker('brook-rss-');
const url = broker.url;
const rss = async () => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${broker.proc.pid}/status`, 'utf8'))[1]) / 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const hs = encodeRequest('Handshake', 1, { clientId: 'rss', clientSoftware: 'rss', minProtocol: PROTOCOL_VERSION, maxProtocol: PROTOCOL_VERSION, username: null, password: null });
async function open() {
  const ws = new WebSocket(url);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  ws.on('error', () => {});
  ws.send(hs);
  return ws;
}
const rows = [];
await sleep(500);
rows.push(['idle', await rss()]);
const idle = [];
for (let i = 0; i < 1000; i++) idle.push(await open());
await sleep(1000);
rows.push(['1,000 idle sockets', await rss()]);

const admin = await open();
admin.send(encodeRequest('CreateTopics', 2, { topics: [{ name: 'flood', numPartitions: 4, configs: [] }], validateOnly: false }));
await sleep(300);
const value = new Uint8Array(1000).fill(120);
const batch = encodeBatch({ records: Array.from({ length: 500 }, () => ({ value })) });
const produceFrame = (id) =>
  encodeRequest('Produce', id, { transactionalId: null, acks: 1, timeoutMs: 1000, topics: [{ topic: 'flood', partitions: [0, 1, 2, 3].map((partition) => ({ partition, records: batch })) }] });
const producers = await Promise.all((process.env.NO_PRODUCERS ? [] : [0, 1, 2, 3]).map(() => open()));
// Readers that ask for a lot and never read: their sockets fill up; the broker must pause them.
const stuck = await Promise.all((process.env.NO_FETCHERS ? [] : [0, 1, 2, 3]).map(() => open()));
for (const ws of stuck) ws.pause();
let stop = false;
const floods = producers.map(async (ws, w) => {
  let id = 10;
  while (!stop) {
    if (ws.bufferedAmount < 8 << 20) ws.send(produceFrame(id++));
    else await sleep(1);
    if (id % 50 === 0) await sleep(0);
  }
});
const fetchFrame = (id) =>
  encodeRequest('Fetch', id, { maxWaitMs: 100, minBytes: 1, maxBytes: 16 << 20, isolationLevel: 0, topics: [{ topic: 'flood', partitions: [0, 1, 2, 3].map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 4 << 20 })) }] });
const fetchers = stuck.map(async (ws) => {
  let id = 10;
  while (!stop) {
    ws.send(fetchFrame(id++));
    await sleep(5);
  }
});
let peak = 0;
const t0 = Date.now();
while (Date.now() - t0 < 15_000) {
  await sleep(500);
  peak = Math.max(peak, await rss());
  if (process.env.TRACE) console.error(`t=${((Date.now() - t0) / 1000).toFixed(1)}s rss=${(await rss()).toFixed(0)}`);
}
stop = true;
await Promise.all([...floods, ...fetchers]);
rows.push(['flood: 4 producers (2 MB frames) + 4 stalled fetchers, peak over 15 s', peak]);
console.log('| broker state | RSS MiB |\n| --- | --- |');
for (const [k, v] of rows) console.log(`| ${k} | ${v.toFixed(0)} |`);
for (const ws of [...idle, ...producers, ...stuck, admin]) ws.terminate();
await broker.stop();
