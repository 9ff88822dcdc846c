#!/usr/bin/env node
// Transactional throughput (`npm run bench:txn`): transactions per second, each with 100 records
// of 100 B, committed one after another by 1 producer and by 4 producers at once (each with its own
// transactionalId), against a fresh broker in a child process. Also the same records sent by an
// idempotent (non-transactional) producer in 100-record sends, for comparison.
//
//   node scripts/txn-throughput.mjs [seconds per scenario = 5]
import { Brook, logLevel } from '@brook/client';
import { startChildBroker } from './lib/broker.mjs';

const seconds = Number(process.argv[2] ?? 5);
const RECORDS = 100;
const value = 'x'.repeat(100);
const broker = await startChildBroker('brook-bench-txn-');
const brook = new Brook({ url: broker.url, clientId: 'bench-txn', logLevel: logLevel.NOTHING });
const results = [];
try {
  const admin = brook.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'txn-bench', numPartitions: 4 }] });
  await admin.disconnect();

  const run = async (name, producers, transactional) => {
    const ps = await Promise.all(
      Array.from({ length: producers }, async (_, i) => {
        const p = brook.producer(transactional ? { transactionalId: `bench-${name}-${i}` } : {});
        await p.connect();
        return p;
      }),
    );
    let done = 0;
    const end = Date.now() + seconds * 1000;
    const started = Date.now();
    await Promise.all(
      ps.map(async (p, i) => {
        const messages = Array.from({ length: RECORDS }, () => ({ value, partition: i % 4 }));
        while (Date.now() < end) {
          if (transactional) {
            const tx = await p.transaction();
            await tx.send({ topic: 'txn-bench', messages });
            await tx.commit();
          } else {
            await p.send({ topic: 'txn-bench', messages });
          }
          done++;
        }
      }),
    );
    const s = (Date.now() - started) / 1000;
    await Promise.all(ps.map((p) => p.disconnect()));
    const r = { scenario: name, producers, perSecond: Math.round(done / s), recordsPerSecond: Math.round((done * RECORDS) / s) };
    results.push(r);
    console.error(`${name}: ${r.perSecond}/s (${r.recordsPerSecond} records/s)`);
  };
  await run('transactions, 1 producer', 1, true);
  await run('transactions, 4 producers', 4, true);
  await run('idempotent sends of 100, 1 producer', 1, false);
  await run('idempotent sends of 100, 4 producers', 4, false);
} finally {
  await broker.stop();
}
console.log('| scenario | producers | per second | records/s |\n| --- | ---: | ---: | ---: |');
for (const r of results) console.log(`| ${r.scenario} | ${r.producers} | ${r.perSecond} | ${r.recordsPerSecond} |`);
