#!/usr/bin/env node
// Used by scripts/test-docker.sh: `write` produces 100 messages and reads them back in a group;
// `read` (after a container restart) finds all 100 still there.
import { Brook, logLevel } from '../client-sdk/dist/index.js';

const brook = new Brook({ url: 'ws://127.0.0.1:7092/ws', clientId: 'docker-check', logLevel: logLevel.ERROR, retry: { retries: 20 } });
const mode = process.argv[2];
if (mode === 'write') {
  const admin = brook.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'docker-check', numPartitions: 3 }] });
  await admin.disconnect();
  const producer = brook.producer();
  await producer.connect();
  await producer.send({ topic: 'docker-check', messages: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();
}
const consumer = brook.consumer({ groupId: `docker-check-${mode}` });
const seen = new Set();
await consumer.connect();
await consumer.subscribe({ topics: ['docker-check'], fromBeginning: true });
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`only ${seen.size} of 100 messages after 30 s`)), 30_000);
  consumer.run({
    eachMessage: async ({ message }) => {
      seen.add(message.value.toString());
      if (seen.size === 100) {
        clearTimeout(timer);
        resolve();
      }
    },
  });
});
await consumer.disconnect();
console.log(`${mode}: all 100 messages read`);
process.exit(0);
