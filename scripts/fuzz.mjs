#!/usr/bin/env node
// npm run fuzz: sends random and mutated-valid frames (fast-check, seeded) to a live broker in a
// child process, on fresh connections, while a bystander connection keeps checking the broker
// still serves. Default 100,000 frames: `node scripts/fuzz.mjs [frames] [seed]`.
import { startChildBroker } from './lib/broker.mjs';
import fc from 'fast-check';
import WebSocket from 'ws';
import { Apis, PROTOCOL_VERSION, encodeBatch, encodeRequest } from '../protocol/dist/index.js';
import { Connection } from '../client-sdk/dist/connection.js';
import { createLogger, logLevel } from '../client-sdk/dist/logger.js';

const total = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 1);
const broker = await startChildBroker('brook-fuzz-');
let died = null;
void broker.exited.then(({ code, signal }) => (died = `exit ${code} ${signal ?? ''}`));
const url = broker.url;
const bystander = new Connection({ url, clientId: 'fuzz-bystander', logger: createLogger(logLevel.NOTHING) });
await bystander.connect();
await bystander.request('CreateTopics', { topics: [{ name: 'fuzz', numPartitions: 2, configs: [] }], validateOnly: false });

const enc = new TextEncoder();
const hs = encodeRequest('Handshake', 1, { clientId: 'fuzz', clientSoftware: 'fuzz', minProtocol: PROTOCOL_VERSION, maxProtocol: PROTOCOL_VERSION, username: null, password: null });
const valid = [
  encodeRequest('Metadata', 2, { topics: ['fuzz'] }),
  encodeRequest('Produce', 3, { transactionalId: null, acks: 1, timeoutMs: 100, topics: [{ topic: 'fuzz', partitions: [{ partition: 0, records: encodeBatch({ records: [{ key: enc.encode('k'), value: enc.encode('v') }] }) }] }] }),
  encodeRequest('Fetch', 4, { maxWaitMs: 0, minBytes: 1, maxBytes: 1000, isolationLevel: 0, topics: [{ topic: 'fuzz', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1000 }] }] }),
  encodeRequest('OffsetCommit', 5, { groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ topic: 'fuzz', partitions: [{ partition: 0, offset: 1, metadata: 'm' }] }] }),
  encodeRequest('ConsumerGroupHeartbeat', 6, { groupId: 'g', memberId: 'm', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 1000, sessionTimeoutMs: 6000, subscribedTopicNames: ['fuzz'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] }),
  encodeRequest('CreateTopics', 7, { topics: [{ name: 'x', numPartitions: 1, configs: [{ name: 'retention.ms', value: '1' }] }], validateOnly: true }),
];
const frame = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 300 }),
  fc.tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })).map(([f, muts]) => {
    const copy = f.slice();
    for (const [i, v] of muts) copy[i % copy.length] = v;
    return copy;
  }),
  fc.tuple(fc.constantFrom(...valid), fc.nat()).map(([f, cut]) => f.slice(0, cut % f.length)),
);
const frames = fc.sample(frame, { numRuns: total, seed });

let sent = 0;
let closedByBroker = 0;
let answers = 0;
const PER_CONN = 50;
const started = Date.now();
for (let i = 0; i < frames.length && !died; i += PER_CONN) {
  const ws = new WebSocket(url);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  ws.on('error', () => {});
  const closed = new Promise((r) => ws.once('close', (code) => r(code)));
  ws.on('message', () => answers++);
  ws.send(hs);
  // Frames too short for a header make the broker close the connection: send them last.
  const chunk = frames.slice(i, i + PER_CONN).sort((a, b) => (b.length >= 8 ? 1 : 0) - (a.length >= 8 ? 1 : 0));
  for (const f of chunk) {
    if (ws.readyState !== WebSocket.OPEN) break;
    ws.send(f);
    sent++;
  }
  ws.close();
  const code = await closed;
  if (code !== 1000 && code !== 1005) closedByBroker++;
  if ((i / PER_CONN) % 20 === 0) {
    await bystander.request('Metadata', { topics: null }, { timeoutMs: 5000 });
    if (process.stderr.isTTY) process.stderr.write(`\r${sent}/${total} frames`);
  }
}
const alive = died === null && (await bystander.request('Metadata', { topics: null }, { timeoutMs: 5000 }).then(() => true, () => false));
if (process.stderr.isTTY) process.stderr.write('\n');
console.log(
  `fuzz: ${sent} frames in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed}); answers ${answers}; connections closed by the broker: ${closedByBroker} of ${Math.ceil(frames.length / PER_CONN)}; broker ${alive ? 'alive and serving' : `DEAD (${died})`}; APIs covered: ${Object.keys(Apis).length}`,
);
await bystander.close();
await broker.stop();
process.exit(alive ? 0 : 1);
