// Worker thread for the latency scenario of scripts/bench.mjs: a group consumer that reports, for
// each message, receive time minus the send time written in the message.
import { parentPort, workerData } from 'node:worker_threads';
import { Brook, logLevel } from '../client-sdk/dist/index.js';

const { url, topic, groupId } = workerData;
const brook = new Brook({ url, clientId: 'bench-latency', logLevel: logLevel.NOTHING });
const consumer = brook.consumer({ groupId, maxWaitTimeInMs: 100 });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: false });
const latencies = [];
parentPort.on('message', async (m) => {
  if (m === 'stop') {
    await consumer.disconnect();
    parentPort.postMessage({ latencies });
  }
});
await consumer.run({
  eachMessage: async ({ message }) => {
    const sent = Number(message.value.toString('utf8', 0, 20).trim());
    latencies.push(performance.timeOrigin + performance.now() - sent);
  },
});
parentPort.postMessage('ready');
