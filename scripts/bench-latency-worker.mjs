// Worker thread for the latency scenario (scripts/bench/latency.mjs): a group consumer whose
// messages bench/latency-recorder.mjs measures. Posts 'ready' once the consumer joined its group,
// then the recorder's figures when asked to 'stop' or when `expect` measured messages have arrived.
import { parentPort, workerData } from 'node:worker_threads';
import { Brook, logLevel } from '../client-sdk/dist/index.js';
import { latencyRecorder } from './bench/latency-recorder.mjs';

const { url, topic, groupId, maxWaitTimeInMs = 100 } = workerData;
const brook = new Brook({ url, clientId: 'bench-latency', logLevel: logLevel.NOTHING });
const consumer = brook.consumer({ groupId, maxWaitTimeInMs });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
let stopping = false;
const recorder = latencyRecorder(async () => {
  if (stopping) return;
  stopping = true;
  await consumer.disconnect();
  recorder.report();
});
const joined = new Promise((r) => consumer.on(consumer.events.GROUP_JOIN, r));
await consumer.run({
  eachMessage: async ({ message }) => recorder.record(message.value, performance.timeOrigin + performance.now()),
});
await joined;
parentPort.postMessage('ready');
