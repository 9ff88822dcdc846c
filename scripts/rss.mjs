#!/usr/bin/env node
// npm run rss: the broker's resident memory (from /proc) over time: idle, with 1,000 idle
// sockets, then under a flood: producers writing as fast as they can, on both doors, plus clients
// that send fetches and produces and never read the answers (WebSocket and Kafka protocol).
// Memory must stay bounded (backpressure), not grow with the flood. Prints a table and writes the
// RSS over time to scripts/bench/rss.png (RSS_PNG=path to change it, RSS_PNG= to skip).
//   npm run rss                      FLOOD_SECONDS=15 (default)
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startChildBroker } from './lib/broker.mjs';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, encodeBatch, encodeRequest, kafka } from '../protocol/dist/index.js';

const FLOOD_SECONDS = Number(process.env.FLOOD_SECONDS ?? 15);
const PNG = process.env.RSS_PNG ?? fileURLToPath(new URL('./bench/rss.png', import.meta.url));
const TARGET_MB = 300;

// Extra arguments go to the broker's command line; RSS_NODE_ARGS (e.g. --trace-gc) to its node.
const broker = await startChildBroker('brook-rss-', process.argv.slice(2), { nodeArgs: (process.env.RSS_NODE_ARGS ?? '').split(' ').filter(Boolean) });
const url = broker.url;
const rss = async () => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${broker.proc.pid}/status`, 'utf8'))[1]) / 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// RSS every 250 ms from start to end, labelled with the phase it was taken in; the V8 heap and
// the memory outside it that V8 knows of (Buffers) from the broker's /metrics every 500 ms.
const t0 = Date.now();
const samples = [];
const inside = [];
let phase = 'idle';
const sampler = setInterval(() => void rss().then((mb) => samples.push({ phase, t: (Date.now() - t0) / 1000, mb }), () => {}), 250);
const metric = (text, name) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
const metricsSampler = setInterval(async () => {
  const t = (Date.now() - t0) / 1000;
  try {
    const text = await (await fetch(`${broker.httpUrl}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
    inside.push({ t, heap: metric(text, 'brook_process_nodejs_heap_size_used_bytes'), external: metric(text, 'brook_process_nodejs_external_memory_bytes') });
  } catch {
    // the broker may be busy or gone
  }
}, 500);

const hs = encodeRequest('Handshake', 1, { clientId: 'rss', clientSoftware: 'rss', minProtocol: PROTOCOL_VERSION, maxProtocol: PROTOCOL_VERSION, username: null, password: null });
async function open() {
  const ws = new WebSocket(url);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  ws.on('error', () => {});
  ws.send(hs);
  return ws;
}
async function openKafka() {
  const s = connect({ host: '127.0.0.1', port: broker.kafkaPort });
  await new Promise((r, j) => s.once('connect', r).once('error', j));
  s.on('error', () => {});
  return s;
}
const rows = [];
await sleep(1000);
rows.push(['idle', await rss()]);
phase = '1,000 idle sockets';
const idle = [];
for (let i = 0; i < 1000; i++) idle.push(await open());
await sleep(1000);
rows.push(['1,000 idle sockets', await rss()]);

const admin = await open();
admin.send(encodeRequest('CreateTopics', 2, { topics: [{ name: 'flood', numPartitions: 4, configs: [] }], validateOnly: false }));
await sleep(300);
const value = new Uint8Array(1000).fill(120);
const batch = encodeBatch({ records: Array.from({ length: 500 }, () => ({ value })) });
const partitions = [0, 1, 2, 3];
const produceFrame = (id) => encodeRequest('Produce', id, { transactionalId: null, acks: 1, timeoutMs: 1000, topics: [{ topic: 'flood', partitions: partitions.map((partition) => ({ partition, records: batch })) }] });
const fetchFrame = (id) =>
  encodeRequest('Fetch', id, { maxWaitMs: 100, minBytes: 1, maxBytes: 16 << 20, isolationLevel: 0, topics: [{ topic: 'flood', partitions: partitions.map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 4 << 20 })) }] });
const kafkaProduce = (id) => kafka.encodeKafkaRequest('Produce', 9, id, 'rss', { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'flood', topicId: '', partitionData: partitions.map((index) => ({ index, records: batch })) }] });
const kafkaFetch = (id) =>
  kafka.encodeKafkaRequest('Fetch', 12, id, 'rss', {
    replicaId: -1, maxWaitMs: 100, minBytes: 1, maxBytes: 16 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, rackId: '', forgottenTopicsData: [],
    topics: [{ topic: 'flood', topicId: '', partitions: partitions.map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 4 << 20 })) }],
  });

phase = 'flood';
const producers = await Promise.all((process.env.NO_PRODUCERS ? [] : [0, 1, 2, 3]).map(() => open()));
// Readers that ask for a lot and never read: their sockets fill up; the broker must pause them.
const stuck = await Promise.all((process.env.NO_FETCHERS ? [] : [0, 1, 2, 3]).map(() => open()));
for (const ws of stuck) ws.pause();
// The same on the Kafka door: two fetchers and a producer that never read their answers.
const kafkaStuck = process.env.NO_KAFKA || !broker.kafkaPort ? [] : await Promise.all([0, 1, 2].map(() => openKafka()));
for (const s of kafkaStuck) s.pause();
let stop = false;
const floods = producers.map(async (ws) => {
  let id = 10;
  while (!stop) {
    if (ws.bufferedAmount < 8 << 20) ws.send(produceFrame(id++));
    else await sleep(1);
    if (id % 50 === 0) await sleep(0);
  }
});
const fetchers = stuck.map(async (ws) => {
  let id = 10;
  while (!stop) {
    ws.send(fetchFrame(id++));
    await sleep(5);
  }
});
// A socket the broker stopped reading fills up on this side; stop writing there at 8 MiB.
const kafkaFloods = kafkaStuck.map(async (s, i) => {
  let id = 10;
  while (!stop) {
    if (s.writableLength < 8 << 20) s.write(i === 0 ? kafkaProduce(id++) : kafkaFetch(id++));
    await sleep(i === 0 ? 2 : 5);
  }
});
let peak = 0;
const f0 = Date.now();
while (Date.now() - f0 < FLOOD_SECONDS * 1000) {
  await sleep(500);
  peak = Math.max(peak, await rss());
  if (process.env.TRACE) console.error(`t=${((Date.now() - f0) / 1000).toFixed(1)}s rss=${(await rss()).toFixed(0)}`);
}
stop = true;
await Promise.all([...floods, ...fetchers, ...kafkaFloods]);
rows.push([`flood: 4 producers (2 MB frames) + 4 stalled fetchers (WebSocket), 1 unread producer + 2 stalled fetchers (Kafka), peak over ${FLOOD_SECONDS} s`, peak]);
phase = 'after the flood, clients still connected';
await sleep(3000);
rows.push(['3 s after the flood', await rss()]);
if (process.env.RSS_GC_SIGNAL) {
  // A broker started with --heapsnapshot-signal=SIGUSR2 collects all garbage to write the snapshot:
  // what RSS remains is live memory or memory the allocator kept.
  process.kill(broker.proc.pid, process.env.RSS_GC_SIGNAL);
  phase = 'after a full GC (heap snapshot)';
  await sleep(6000);
  rows.push(['after a full GC (heap snapshot), clients still connected', await rss()]);
}
clearInterval(sampler);
clearInterval(metricsSampler);
const peakOf = (k) => Math.max(...inside.map((x) => x[k]).filter(Number.isFinite));
rows.push(['peak V8 heap used (from /metrics)', peakOf('heap')]);
rows.push(['peak external memory: Buffers and other memory V8 tracks (from /metrics)', peakOf('external')]);
console.log('| broker state | RSS MiB |\n| --- | --- |');
for (const [k, v] of rows) console.log(`| ${k} | ${v.toFixed(0)} |`);
for (const ws of [...idle, ...producers, ...stuck, admin]) ws.terminate();
for (const s of kafkaStuck) s.destroy();
await broker.stop();

if (PNG) {
  const { writeLinePlot } = await import('./lib/linePlot.mjs');
  const phases = [...new Set(samples.map((s) => s.phase))];
  writeLinePlot(PNG, {
    title: `Brook broker RSS: idle, 1,000 idle sockets, ${FLOOD_SECONDS} s flood with non-reading clients (${new Date().toISOString().slice(0, 10)})`,
    xLabel: 'seconds',
    yLabel: 'RSS, MiB',
    // Each phase as its own line, joined to the next by repeating the boundary sample.
    series: [
      ...phases.map((p, i) => {
        const points = samples.filter((s) => s.phase === p).map((s) => ({ x: s.t, y: s.mb }));
        const next = samples.find((s) => s.phase === phases[i + 1]);
        return { label: `RSS: ${p}`, points: next ? [...points, { x: next.t, y: next.mb }] : points };
      }),
      { label: 'V8 heap used (when /metrics answered in 2 s)', points: inside.filter((x) => Number.isFinite(x.heap)).map((x) => ({ x: x.t, y: x.heap })) },
      { label: 'external: Buffers (same)', points: inside.filter((x) => Number.isFinite(x.external)).map((x) => ({ x: x.t, y: x.external })) },
    ],
    lines: [{ label: `target ${TARGET_MB} MB`, y: TARGET_MB }],
  });
  console.log(`RSS over time: ${PNG}`);
}
