// One OffsetFetch of every offset a group committed (topics null, as kafka-consumer-groups
// --describe asks), for a group that committed 10 partitions of each of N topics (default 2,000);
// five in a row on one connection, ms each. Run after `npm run build`; a second argument points at
// another checkout's root (for before/after pairs).
//   node scripts/bench/offset-fetch-all.mjs [N] [checkout]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { encodeRequest, decodeServerFrame, decodeResponseBody, PROTOCOL_VERSION } from '@brook/protocol';
const root = process.argv[3] ?? new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const { startBroker } = await import(root + '/server/dist/broker.js');
const broker = await startBroker({ port: 0, logLevel: 'silent', dataDir: mkdtempSync(join(tmpdir(), 'of-')) });
const ws = new WebSocket(broker.url); await new Promise((r) => ws.once('open', r));
let id = 1;
const req = (name, body) => new Promise((res) => { ws.once('message', (d) => { const f = decodeServerFrame(new Uint8Array(d)); res(decodeResponseBody(name, f.value.body, f.value.bodyStart)); }); ws.send(encodeRequest(name, id++, body)); });
await req('Handshake', { clientId: 'x', clientSoftware: 'x', minProtocol: PROTOCOL_VERSION, maxProtocol: PROTOCOL_VERSION, username: null, password: null });
const T = Number(process.argv[2] ?? 2000), P = 10;
await req('CreateTopics', { topics: Array.from({ length: T }, (_, i) => ({ name: `t${i}`, numPartitions: P, configs: [] })), validateOnly: false });
await req('OffsetCommit', { groupId: 'g', memberId: null, memberEpoch: -1, topics: Array.from({ length: T }, (_, i) => ({ topic: `t${i}`, partitions: Array.from({ length: P }, (_, p) => ({ partition: p, offset: 5, metadata: null })) })) });
const times = [];
for (let i = 0; i < 5; i++) { const t = performance.now(); const r = await req('OffsetFetch', { groupId: 'g', topics: null, requireStable: false }); times.push(performance.now() - t); if (i === 0 && r.value.topics.length !== T) throw new Error('bad'); }
console.log(root.split('/').pop(), `OffsetFetch of all ${T * P} committed offsets (${T} topics): ms`, times.map((x) => x.toFixed(0)).join(', '));
ws.close(); await broker.close(); process.exit(0);
