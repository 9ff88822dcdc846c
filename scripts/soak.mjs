#!/usr/bin/env node
// npm run soak: crash safety under load. Each round starts the broker on the same data dir, runs
// producers (acks 'all') and an offset committer against it, kills it with SIGKILL at a random
// moment, restarts it and checks: every acknowledged message is present exactly once at its
// acknowledged offset, offsets are dense, every acknowledged commit is still there, and no
// committed offset ever went backwards. `node scripts/soak.mjs [rounds=50] [seed=1]`.
import { rm } from 'node:fs/promises';
import { decodeBatches, encodeBatch } from '../protocol/dist/index.js';
import { Connection } from '../client-sdk/dist/connection.js';
import { createLogger, logLevel } from '../client-sdk/dist/logger.js';
import { startChildBroker } from './lib/broker.mjs';

const rounds = Number(process.argv[2] ?? 50);
let seed = Number(process.argv[3] ?? 1);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const enc = new TextEncoder();
const dec = new TextDecoder();
const PARTITIONS = 3;
const connect = async (url) => {
  const c = new Connection({ url, clientId: 'soak', logger: createLogger(logLevel.NOTHING), retries: 0, requestTimeout: 5000 });
  await c.connect();
  return c;
};

const acked = new Map(); // value -> `${partition}:${offset}`
const ackedCommits = new Map(); // partition -> highest acknowledged committed offset
const lastSeenCommit = new Map();
let lost = 0;
let duplicated = 0;
let regressions = 0;
let gaps = 0;
let seq = 0;

let broker = await startChildBroker('brook-soak-');
const dataDir = broker.dataDir;
let c = await connect(broker.url);
await c.request('CreateTopics', { topics: [{ name: 'soak', numPartitions: PARTITIONS, configs: [] }], validateOnly: false });

for (let round = 1; round <= rounds; round++) {
  let stop = false;
  const producers = [0, 1].map(async () => {
    while (!stop) {
      const partition = Math.floor(random() * PARTITIONS);
      const values = Array.from({ length: 10 }, () => `m${seq++}`);
      try {
        const r = await c.request('Produce', { transactionalId: null, acks: -1, timeoutMs: 5000, topics: [{ topic: 'soak', partitions: [{ partition, records: encodeBatch({ records: values.map((v) => ({ value: enc.encode(v) })) }) }] }] });
        const p = r.topics[0].partitions[0];
        if (p.errorCode === 0) values.forEach((v, i) => acked.set(v, `${partition}:${p.baseOffset + i}`));
      } catch {
        return;
      }
    }
  });
  const committer = (async () => {
    let next = (ackedCommits.get(0) ?? 0) + 1;
    while (!stop) {
      const offsets = Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, offset: next, metadata: null }));
      try {
        const r = await c.request('OffsetCommit', { groupId: 'soak-group', memberId: null, memberEpoch: -1, topics: [{ topic: 'soak', partitions: offsets }] });
        if (r.topics[0].partitions.every((p) => p.errorCode === 0)) for (let p = 0; p < PARTITIONS; p++) ackedCommits.set(p, next);
        next++;
      } catch {
        return;
      }
    }
  })();
  await new Promise((r) => setTimeout(r, 100 + random() * 600));
  broker.proc.kill('SIGKILL');
  stop = true;
  await Promise.all([...producers, committer]);
  await broker.exited;

  broker = await startChildBroker('brook-soak-', [], { dataDir });
  c = await connect(broker.url);
  const seen = new Map();
  for (let p = 0; p < PARTITIONS; p++) {
    let offset = 0;
    for (let i = 0; i < 100_000; i++) {
      const f = await c.request('Fetch', { maxWaitMs: 0, minBytes: 1, maxBytes: 8 << 20, isolationLevel: 0, topics: [{ topic: 'soak', partitions: [{ partition: p, fetchOffset: offset, partitionMaxBytes: 8 << 20 }] }] });
      const recs = decodeBatches(f.topics[0].partitions[0].records).flatMap((b) => b.records).filter((r) => r.offset >= offset);
      if (recs.length === 0) break;
      for (const r of recs) {
        if (r.offset !== offset) gaps++;
        const v = dec.decode(r.value);
        if (seen.has(v)) duplicated++;
        seen.set(v, `${p}:${r.offset}`);
        offset = r.offset + 1;
      }
    }
  }
  for (const [v, where] of acked) if (seen.get(v) !== where) lost++;
  const fetched = await c.request('OffsetFetch', { groupId: 'soak-group', topics: null, requireStable: false });
  for (const t of fetched.topics) {
    for (const p of t.partitions) {
      if (p.offset < (ackedCommits.get(p.partition) ?? -1)) lost++;
      if (p.offset < (lastSeenCommit.get(p.partition) ?? -1)) regressions++;
      lastSeenCommit.set(p.partition, p.offset);
      ackedCommits.set(p.partition, Math.max(ackedCommits.get(p.partition) ?? -1, p.offset));
    }
  }
  if (process.stderr.isTTY) process.stderr.write(`\rround ${round}/${rounds}: ${acked.size} messages acked`);
}
if (process.stderr.isTTY) process.stderr.write('\n');
console.log(`soak: rounds ${rounds}, messages acked ${acked.size}, lost ${lost}, duplicated ${duplicated}, offset gaps ${gaps}, commit regressions ${regressions}`);
await c.close();
await broker.stop();
await rm(dataDir, { recursive: true, force: true });
process.exit(lost + duplicated + gaps + regressions === 0 ? 0 : 1);
