#!/usr/bin/env node
// The idempotent sink: exactly-once from a Brook topic into a local database (LevelDB here).
//
// Each batch of messages updates running totals per key in the database, and the next offset
// to read is written in the SAME LevelDB batch (atomic). On start and on every rebalance the
// consumer seeks to the offsets in the database (the SDK's `idempotentSink` helper), so being
// killed at any moment, even between the database write and the broker commit, neither loses
// nor double-counts anything: the final database equals that of a run that was never killed.
//
//   npm run build && npm start                          # a broker on 127.0.0.1:7092
//   node scripts/examples/idempotent-sink.mjs --seed 1000   # writes 1000 payments, then sinks them
//   node scripts/examples/idempotent-sink.mjs           # sinks whatever arrives; Ctrl-C or kill -9 it any time
//
// Options: --db <dir> (default ./sink-db), --topic <t> (payments), --group <g> (payments-sink),
// --until <n> (exit once n messages are in the database), --seed <n> (produce n messages first),
// --session-timeout <ms>, --work-ms <ms per batch>, --max-batch-bytes <n>, --progress (stderr).
import { parseArgs } from 'node:util';
import { Level } from 'level';
import { Brook, idempotentSink, logLevel } from '@brook/client';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string', default: './sink-db' },
    topic: { type: 'string', default: 'payments' },
    group: { type: 'string', default: 'payments-sink' },
    until: { type: 'string' },
    seed: { type: 'string' },
    'session-timeout': { type: 'string', default: '6000' },
    'work-ms': { type: 'string', default: '0' },
    progress: { type: 'boolean', default: false },
    'max-batch-bytes': { type: 'string', default: String(1024 * 1024) },
    url: { type: 'string', default: process.env.BROOK_URL ?? 'ws://127.0.0.1:7092/ws' },
  },
});
const until = args.until ? Number(args.until) : Infinity;
const brook = new Brook({ url: args.url, clientId: 'idempotent-sink-example', logLevel: logLevel.ERROR, retry: { retries: 20 } });

if (args.seed) {
  const admin = brook.admin();
  await admin.connect();
  if (!(await admin.listTopics()).includes(args.topic)) await admin.createTopics({ topics: [{ topic: args.topic, numPartitions: 3 }] });
  await admin.disconnect();
  const producer = brook.producer();
  await producer.connect();
  const n = Number(args.seed);
  // In sends of 25, so the log holds many small batches (a stream, not one lump).
  for (let at = 0; at < n; at += 25) {
    await producer.send({
      topic: args.topic,
      messages: Array.from({ length: Math.min(25, n - at) }, (_, j) => ({ key: `account-${(at + j) % 7}`, value: JSON.stringify({ amount: ((at + j) % 13) + 1 }) })),
    });
  }
  await producer.disconnect();
}

// ---- the database: totals per account, a count, and each partition's next offset
const db = new Level(args.db, { valueEncoding: 'json' });
await db.open();
const offsetKey = (topic, partition) => `offset/${topic}/${partition}`;
const getOr = async (key, fallback) => (await db.get(key)) ?? fallback;

/** @type {import('@brook/client').SinkStore} */
const store = {
  async readOffsets(partitions) {
    return Promise.all(partitions.map(async (tp) => ({ ...tp, offset: (await db.get(offsetKey(tp.topic, tp.partition))) ?? null })));
  },
  async writeBatch({ topic, partition, messages, nextOffset }) {
    // Skip what is already stored (a replay after a rebalance is then harmless).
    const stored = Number(await getOr(offsetKey(topic, partition), -1));
    const fresh = messages.filter((m) => Number(m.offset) >= stored);
    if (Number(args['work-ms']) > 0) await new Promise((r) => setTimeout(r, Number(args['work-ms'])));
    if (fresh.length === 0) return;
    const totals = new Map();
    for (const m of fresh) {
      const account = m.key?.toString() ?? 'unknown';
      const { amount } = JSON.parse(m.value?.toString() ?? '{}');
      totals.set(account, (totals.get(account) ?? (await getOr(`total/${account}`, 0))) + amount);
    }
    const count = (await getOr('count', 0)) + fresh.length;
    // ONE LevelDB batch: the results and the offset land together or not at all.
    const ops = [...totals].map(([account, total]) => ({ type: 'put', key: `total/${account}`, value: total }));
    ops.push({ type: 'put', key: 'count', value: count }, { type: 'put', key: offsetKey(topic, partition), value: nextOffset });
    await db.batch(ops, { sync: true });
    if (args.progress) process.stderr.write(`progress ${count}\n`);
    if (count >= until) finish();
  },
};

const consumer = brook.consumer({ groupId: args.group, heartbeatInterval: 300, sessionTimeout: Number(args['session-timeout']), maxBytesPerPartition: Number(args['max-batch-bytes']) });
let finished;
const done = new Promise((r) => (finished = r));
function finish() {
  finished();
}
process.on('SIGINT', finish).on('SIGTERM', finish);
await consumer.connect();
await consumer.subscribe({ topics: [args.topic], fromBeginning: true });
await consumer.run(idempotentSink(consumer, store));
if (Number(await getOr('count', 0)) >= until) finish();
await done;
await consumer.disconnect();
const state = { count: await getOr('count', 0), totals: {} };
for await (const [k, v] of db.iterator({ gte: 'total/', lt: 'total0' })) state.totals[k.slice(6)] = v;
await db.close();
console.log(JSON.stringify(state));
