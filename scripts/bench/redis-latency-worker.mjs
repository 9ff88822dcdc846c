// Worker thread for the Redis rows of the latency bench: a consumer group member of a Redis stream
// (XREADGROUP ... BLOCK, then XACK, as a Redis Streams consumer runs), recording receive time minus
// the send time in each entry's first 20 bytes, the same way bench-latency-worker.mjs does for Brook.
// Posts 'ready' once its group exists, then { latencies, warmup, delayP99Ms } when asked to 'stop'
// or when `expect` measured entries have arrived.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';

const { port, stream, group } = workerData;
const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
await redis.connect();
await redis.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const latencies = [];
let warmup = 0;
let expect = Infinity;
let stopped = false;
const done = () => stopped || latencies.length >= expect;
parentPort.on('message', (m) => {
  if (m === 'stop') stopped = true;
  else if (m === 'reset') loopDelay.reset();
  else if (m && typeof m.expect === 'number') expect = m.expect;
});
parentPort.postMessage('ready');
while (!done()) {
  // BLOCK 100: the same long-poll bound as the Brook consumer's maxWaitTimeInMs.
  const res = await redis.xreadgroupBuffer('GROUP', group, 'c1', 'COUNT', 500, 'BLOCK', 100, 'STREAMS', stream, '>');
  const now = performance.timeOrigin + performance.now();
  if (!res) continue;
  const ids = [];
  for (const [id, fields] of res[0][1]) {
    ids.push(id);
    const v = fields[1];
    if (v[0] === 87 /* W */) warmup++;
    else latencies.push(now - Number(v.toString('latin1', 0, 20)));
  }
  await redis.xack(stream, group, ...ids);
}
redis.disconnect();
parentPort.postMessage({ latencies, warmup, delayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - 1) });
