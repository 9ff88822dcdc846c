#!/usr/bin/env node
// Where a broker's Buffers are, from a V8 heap snapshot: the bytes of every ArrayBuffer backing
// store of 1 KiB or more, summed by the first object that retains it and names a part of the broker
// (a socket write queued, the write queue, the hot cache, a request being handled, ...). The
// snapshot's own full GC has dropped the garbage, so this is live memory only.
//   TRACE=1 RSS_NODE_ARGS=--heapsnapshot-signal=SIGUSR2 npm run rss   (kill -USR2 <broker pid> at t=7 s)
//   node --max-old-space-size=4000 scripts/bench/heap-buffers.mjs Heap.*.heapsnapshot
import { readFileSync } from 'node:fs';
const snap = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const m = snap.snapshot.meta; const nf = m.node_fields, ef = m.edge_fields; const NF = nf.length, EF = ef.length;
const { nodes, edges, strings } = snap; const types = m.node_types[0], etypes = m.edge_types[0];
const iType = nf.indexOf('type'), iName = nf.indexOf('name'), iSize = nf.indexOf('self_size'), iEdges = nf.indexOf('edge_count');
const eType = ef.indexOf('type'), eTo = ef.indexOf('to_node');
const N = nodes.length / NF; const first = new Uint32Array(N + 1);
for (let i = 0, e = 0; i < N; i++) { first[i] = e; e += nodes[i * NF + iEdges] * EF; first[i + 1] = e; }
const rets = Array.from({ length: N }, () => []);
for (let i = 0; i < N; i++) for (let e = first[i]; e < first[i + 1]; e += EF) { const t = etypes[edges[e + eType]]; if (t === 'weak' || t === 'shortcut') continue; rets[edges[e + eTo] / NF].push(i); }
const name = (i) => strings[nodes[i * NF + iName]]; const type = (i) => types[nodes[i * NF + iType]]; const size = (i) => nodes[i * NF + iSize];
/** Retainer names checked nearest first, with the label they are counted under. */
const CATS = [['WriteWrap', 'socket write queued (WriteWrap)'], ['CacheBudget', 'hot cache'], ['PartitionCache', 'hot cache'], ['AppendOp', 'append waiting in the write queue'], ['WriteQueue', 'write queue'], ['Receiver', 'ws receiver'], ['FrameSplitter', 'kafka frame splitter'], ['ConnectionShare', 'connection share (answers, requests)'], ['KafkaConnection', 'kafka connection'], ['ClientConnection', 'ws connection'], ['Generator', 'in an async function']];
const cat = new Map();
for (let i = 0; i < N; i++) {
  if (!(type(i) === 'native' && /ArrayBuffer|JSArrayBufferData/.test(name(i)))) continue;
  const s = size(i); if (s < 1024) continue;
  // Breadth-first over retainers, up to 14 steps: the nearest named part wins.
  let frontier = [i]; const seen = new Set([i]); let found = null;
  for (let d = 0; d < 14 && !found && frontier.length; d++) {
    const next = [];
    for (const j of frontier) { const nm = name(j); const c = CATS.find(([k]) => nm === k || nm.startsWith(k)); if (c && d > 0) { found = c[1]; break; } for (const r of rets[j]) if (!seen.has(r)) { seen.add(r); next.push(r); } }
    frontier = next.slice(0, 200);
  }
  const k = found ?? 'other';
  cat.set(k, (cat.get(k) ?? 0) + s);
}
for (const [k, v] of [...cat].sort((a, b) => b[1] - a[1])) console.log((v / 2 ** 20).toFixed(1).padStart(7), 'MiB', k);
