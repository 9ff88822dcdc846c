// Worker thread for the latency scenario (scripts/bench/latency.mjs): a group consumer that
// records, for each message, receive time minus the send time written in its first 20 bytes.
// Messages whose value starts with "W" are warm-up and not recorded. Posts 'ready' once the
// consumer joined its group, then { latencies, warmup } when asked to 'stop' or when `expect`
// measured messages have arrived, with this thread's event-loop delay p99 since 'reset'.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Brook, logLevel } from '../client-sdk/dist/index.js';

const { url, topic, groupId, maxWaitTimeInMs = 100 } = workerData;
const brook = new Brook({ url, clientId: 'bench-latency', logLevel: logLevel.NOTHING });
const consumer = brook.consumer({ groupId, maxWaitTimeInMs });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const latencies = [];
let warmup = 0;
let expect = Infinity;
let stopped = false;
const stop = async () => {
  if (stopped) return;
  stopped = true;
  await consumer.disconnect();
  // the histogram counts from the 1 ms timer's due time
  parentPort.postMessage({ latencies, warmup, delayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - 1) });
};
parentPort.on('message', (m) => {
  if (m === 'stop') void stop();
  else if (m === 'reset') loopDelay.reset();
  else if (m && typeof m.expect === 'number') {
    expect = m.expect;
    if (latencies.length >= expect) void stop();
  }
});
const joined = new Promise((r) => consumer.on(consumer.events.GROUP_JOIN, r));
await consumer.run({
  eachMessage: async ({ message }) => {
    const now = performance.timeOrigin + performance.now();
    const v = message.value;
    if (v[0] === 87 /* W */) {
      warmup++;
      return;
    }
    latencies.push(now - Number(v.toString('latin1', 0, 20)));
    if (latencies.length >= expect) void stop();
  },
});
await joined;
parentPort.postMessage('ready');
