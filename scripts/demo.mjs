#!/usr/bin/env node
// The docker compose demo: `node scripts/demo.mjs produce` sends an order every 200 ms;
// `node scripts/demo.mjs consume` joins the consumer group "demo-billing" and logs what it gets.
// BROOK_URL (default ws://127.0.0.1:7092/ws) says where the broker is.
import { Brook, logLevel } from '../client-sdk/dist/index.js';

const url = process.env.BROOK_URL ?? 'ws://127.0.0.1:7092/ws';
const role = process.argv[2];
const name = process.env.HOSTNAME ?? `demo-${process.pid}`;
const brook = new Brook({ url, clientId: `demo-${role}`, logLevel: logLevel.WARN, retry: { retries: 20 } });
const log = (msg, extra = {}) => console.log(JSON.stringify({ time: new Date().toISOString(), role, name, msg, ...extra }));

async function ensureTopic() {
  const admin = brook.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'demo-orders', numPartitions: 6 }] });
  await admin.disconnect();
}

if (role === 'produce') {
  await ensureTopic();
  const producer = brook.producer();
  await producer.connect();
  let n = 0;
  const timer = setInterval(async () => {
    n++;
    const customer = `customer-${n % 10}`;
    const [meta] = await producer.send({ topic: 'demo-orders', messages: [{ key: customer, value: JSON.stringify({ order: n, customer, amount: (n * 7) % 100 }) }] });
    if (n % 25 === 0) log('sent', { order: n, partition: meta.partition, offset: meta.baseOffset });
  }, 200);
  const stop = async () => {
    clearInterval(timer);
    await producer.disconnect();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else if (role === 'consume') {
  await ensureTopic();
  const consumer = brook.consumer({ groupId: 'demo-billing', groupInstanceId: process.env.DEMO_INSTANCE_ID || undefined });
  consumer.on(consumer.events.GROUP_JOIN, (e) => log('assigned', { partitions: e.payload.memberAssignment }));
  await consumer.connect();
  await consumer.subscribe({ topics: ['demo-orders'], fromBeginning: true });
  let count = 0;
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      count++;
      if (count % 25 === 0) log('billed', { count, partition, offset: message.offset, value: message.value.toString() });
    },
  });
  const stop = async () => {
    await consumer.disconnect();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  console.error('usage: node scripts/demo.mjs produce|consume');
  process.exit(2);
}
