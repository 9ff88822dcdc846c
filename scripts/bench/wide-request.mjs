// How long one request naming many partitions holds the broker's event loop (for every client):
// a broker in this process, one client in a child process that sends one request of KIND naming N
// partitions (after one unmeasured request of the same kind with WARM=1), and the broker's
// event-loop delay at its worst while it is answered. Run after `npm run build`.
//   node scripts/bench/wide-request.mjs KIND N       KIND: produce (to N unknown topics), fetch,
//                                                    listoffsets, commit (partitions of one topic
//                                                    of min(N, 10,000) partitions)
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const [kind, count] = [process.argv[process.argv[2] === 'child' ? 4 : 2], Number(process.argv[process.argv[2] === 'child' ? 5 : 3])];
if (!['produce', 'fetch', 'listoffsets', 'commit'].includes(kind) || !(count > 0)) {
  console.error('usage: node scripts/bench/wide-request.mjs produce|fetch|listoffsets|commit N');
  process.exit(2);
}

if (process.argv[2] === 'child') {
  const { WebSocket } = await import('ws');
  const { encodeRequest, PROTOCOL_VERSION } = await import('@brook/protocol');
  const ws = new WebSocket(process.argv[3]);
  await new Promise((r) => ws.once('open', r));
  let id = 1;
  const send = (bytes) =>
    new Promise((r) => {
      ws.once('message', r);
      ws.send(bytes);
    });
  const request = (name, body) => send(encodeRequest(name, id++, body));
  await request('Handshake', { clientId: 'wide', clientSoftware: 'wide', minProtocol: PROTOCOL_VERSION, maxProtocol: PROTOCOL_VERSION, username: null, password: null });
  await request('CreateTopics', { topics: [{ name: 't', numPartitions: Math.min(10_000, count), configs: [] }], validateOnly: false });
  const partitions = (f) => Array.from({ length: count }, (_, i) => f(i));
  const bodies = {
    produce: ['Produce', { transactionalId: null, acks: -1, timeoutMs: 30_000, topics: partitions((i) => ({ topic: `x${i}`, partitions: [{ partition: 0, records: new Uint8Array(0) }] })) }],
    fetch: ['Fetch', { maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, topics: [{ topic: 't', partitions: partitions((i) => ({ partition: i, fetchOffset: 0, partitionMaxBytes: 1024 })) }] }],
    listoffsets: ['ListOffsets', { isolationLevel: 0, topics: [{ topic: 't', partitions: partitions((i) => ({ partition: i, timestamp: -1 })) }] }],
    commit: ['OffsetCommit', { groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ topic: 't', partitions: partitions((i) => ({ partition: i, offset: 1, metadata: null })) }] }],
  };
  const [name, body] = bodies[kind];
  if (process.env.WARM) await request(name, body);
  const bytes = encodeRequest(name, id++, body);
  process.send({ bytes: bytes.length });
  await new Promise((r) => process.once('message', r));
  await send(bytes);
  process.send('done');
  ws.close();
  process.exit(0);
}

const { startBroker } = await import('../../server/dist/broker.js');
const dataDir = mkdtempSync(join(tmpdir(), 'brook-wide-'));
const broker = await startBroker({ port: 0, logLevel: 'silent', dataDir });
const child = fork(fileURLToPath(import.meta.url), ['child', broker.url, kind, String(count)]);
const { bytes } = await new Promise((r) => child.once('message', r));
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const t0 = performance.now();
child.send('go');
await new Promise((r) => child.once('message', r));
loop.disable();
console.log(`${kind} of ${count} partitions (${(bytes / 1048576).toFixed(1)} MiB): answered in ${(performance.now() - t0).toFixed(0)} ms, broker event loop held ${(loop.max / 1e6).toFixed(0)} ms at most`);
await broker.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
