#!/usr/bin/env node
// External offset storage: the idempotent-consumer route to exactly-once into another system.
//
// The app keeps its results AND the offset of the next message to read in its own store, written
// together in one atomic step (here: a JSON file replaced by rename; in practice one database
// transaction). The group's committed offsets are not used at all (autoCommit: false): when
// partitions are assigned, `onPartitionsAssigned` + `seek` start each one from the stored offset.
// A crash between processing and storing loses nothing and duplicates nothing, because results
// and offsets are only ever stored together.
//
//   npm run build && npm start            # a broker on 127.0.0.1:7092 (another terminal)
//   node scripts/examples/external-offsets.mjs [store.json]
//
// Run it twice: the second run picks up exactly where the first one stopped.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Brook, logLevel } from '@brook/client';

const url = process.env.BROOK_URL ?? 'ws://127.0.0.1:7092/ws';
const storePath = process.argv[2] ?? './external-offsets-store.json';
const topic = process.env.TOPIC ?? 'payments';
const brook = new Brook({ url, clientId: 'external-offsets-example', logLevel: logLevel.ERROR });

// ---- the "database": results and offsets, always written together
/** @type {{ offsets: Record<string, string>, totals: Record<string, number>, processed: number }} */
const db = existsSync(storePath) ? JSON.parse(readFileSync(storePath, 'utf8')) : { offsets: {}, totals: {}, processed: 0 };
function saveAtomically() {
  writeFileSync(`${storePath}.tmp`, JSON.stringify(db, null, 2));
  renameSync(`${storePath}.tmp`, storePath);
}

// ---- some input
const admin = brook.admin();
await admin.connect();
const existing = await admin.listTopics();
if (!existing.includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
await admin.disconnect();
const producer = brook.producer();
await producer.connect();
const accounts = ['alice', 'bob', 'carol', 'dave'];
await producer.send({
  topic,
  messages: Array.from({ length: 20 }, (_, i) => ({ key: accounts[i % accounts.length], value: JSON.stringify({ amount: i + 1 }) })),
});
await producer.disconnect();

// ---- the consumer
const consumer = brook.consumer({
  groupId: 'external-offsets-example',
  // Start every newly assigned partition from the offset stored next to the results.
  onPartitionsAssigned: (partitions) => {
    for (const { topic: t, partition } of partitions) {
      const stored = db.offsets[`${t}:${partition}`];
      if (stored !== undefined) consumer.seek({ topic: t, partition, offset: stored });
      console.log(`assigned ${t}:${partition}, starting at ${stored ?? '(earliest: nothing stored yet)'}`);
    }
  },
});
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });

let idleTimer;
const done = new Promise((resolve) => {
  const arm = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(resolve, 1500); // stop after 1.5 s without new messages
  };
  arm();
  consumer
    .run({
      autoCommit: false, // the group's offsets are not the source of truth: the store is
      eachMessage: async ({ topic: t, partition, message }) => {
        arm();
        const account = message.key?.toString() ?? 'unknown';
        const { amount } = JSON.parse(message.value?.toString() ?? '{}');
        // One atomic step: the result and the next offset to read.
        db.totals[account] = (db.totals[account] ?? 0) + amount;
        db.processed++;
        db.offsets[`${t}:${partition}`] = String(Number(message.offset) + 1);
        saveAtomically();
      },
    })
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
});
await done;
await consumer.disconnect();
console.log(JSON.stringify({ store: storePath, processed: db.processed, totals: db.totals, offsets: db.offsets }, null, 2));
