// Worker thread for the Redis rows of the latency bench: a consumer group member of a Redis stream
// (XREADGROUP ... BLOCK, then XACK, as a Redis Streams consumer runs), measured by
// latency-recorder.mjs as the Brook consumer is. Posts 'ready' once its group exists, then the
// recorder's figures when asked to 'stop' or when `expect` measured entries have arrived.
import { parentPort, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { latencyRecorder } from './latency-recorder.mjs';

const { port, stream, group } = workerData;
const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
await redis.connect();
await redis.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
const recorder = latencyRecorder();
parentPort.postMessage('ready');
while (!recorder.done) {
  // BLOCK 100: the same long-poll bound as the Brook consumer's maxWaitTimeInMs.
  const res = await redis.xreadgroupBuffer('GROUP', group, 'c1', 'COUNT', 500, 'BLOCK', 100, 'STREAMS', stream, '>');
  const now = performance.timeOrigin + performance.now();
  if (!res) continue;
  const ids = [];
  for (const [id, fields] of res[0][1]) {
    ids.push(id);
    recorder.record(fields[1], now);
  }
  await redis.xack(stream, group, ...ids);
}
redis.disconnect();
recorder.report();
