// End-to-end latency: a paced producer (SDK, acks 'all', one message per send, never awaited
// before the next) at 1,000 and 5,000 msg/s into 4 partitions; a consumer group member (SDK) in a
// worker thread records receive time minus the send time stamped in each message. 5 s of
// warm-up messages are not counted (JIT-compiled JavaScript on every side: after 0.5 s, a fresh
// broker still compiled its hot paths, at half again the CPU and twice the p99). Also reported:
// the producer's send-to-ack time. With redis-server installed, the same pacing against Redis
// Streams (AOF everysec), the peer issue 18 sets the relaxed flush (flush.ms=1000) against.
// BENCH_LATENCY_WARM_S=0.5 gives the warm-up of the runs before 2026-12-02 (for before/after pairs).
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { startChildBroker, client, createTopic, histogramQuantile, procCpuSeconds, quantile, fmt, mmm } from './lib.mjs';
import { redisVersion, startRedis } from './redis.mjs';

export const id = 'latency';
export const title = 'End-to-end latency';
export const description =
  "A paced SDK producer (acks 'all', one message of 100 B per `send`, sends not awaited one by one) and a consumer group member in a worker thread; " +
  'latency = receive time in `eachMessage` minus the send time written into the message. 4 partitions; 5 s of warm-up at the same rate not counted (the broker and the clients run JIT-compiled JavaScript: after only 0.5 s a fresh broker was still compiling its hot paths). ' +
  'The Redis rows (when redis-server is installed) run the same pacing against Redis Streams with AOF `appendfsync everysec` through ioredis: XADD per message, a consumer group member in a worker thread (XREADGROUP BLOCK 100, XACK); CPU there is redis-server\'s.';

const WORKER = new URL('../bench-latency-worker.mjs', import.meta.url);
const REDIS_WORKER = new URL('./redis-latency-worker.mjs', import.meta.url);
/** Preloaded into the broker: its event-loop delay and GC pauses over the measured part. */
const LOOP_STATS = fileURLToPath(new URL('./loop-stats.cjs', import.meta.url));

/** The topic's fsync setting per row: Brook's default (fsync before visible), and Kafka's trade with a fsync a second (as Redis AOF everysec). */
const FLUSH = [
  { name: 'default', configs: {} },
  { name: 'flush.ms=1000', configs: { 'flush.ms': 1000 } },
];

export function cells({ quick }) {
  const seconds = quick ? 1.5 : 4;
  const warm = quick ? 1 : 5;
  const brook = FLUSH.flatMap((flush) =>
    [1000, 5000].map((rate) => ({
      key: flush.name === 'default' ? `latency/${rate}` : `latency/${rate}/${flush.name}`,
      label: `${rate.toLocaleString('en')} msg/s for ${seconds} s, ${flush.name}`,
      params: { rate, seconds, warm, acks: 'all', flush: flush.name },
      run: (ctx) => latencyRun(ctx, { rate, seconds, warm, configs: flush.configs }),
    })),
  );
  // The peer the relaxed flush is measured against, when redis-server is installed.
  const version = redisVersion();
  const redis = version
    ? [1000, 5000].map((rate) => ({
        key: `latency/${rate}/redis`,
        label: `${rate.toLocaleString('en')} msg/s for ${seconds} s, Redis ${version} Streams`,
        params: { rate, seconds, warm, flush: `Redis ${version} Streams, AOF everysec` },
        run: (ctx) => redisRun(ctx, { rate, seconds, warm }),
      }))
    : [];
  return [...brook, ...redis];
}

const FILLER = 'x'.repeat(80);

/** The warm-up of a row: BENCH_LATENCY_WARM_S overrides (0.5 for the runs before 2026-12-02). */
const warmSeconds = (warm) => Number(process.env.BENCH_LATENCY_WARM_S ?? warm);

/**
 * Sends `rate` messages a second for `secs` seconds, never awaiting one send before the next; a
 * message is its send time (20 bytes, 'W...' while warming up) and 80 bytes of filler. Send-to-ack
 * times go to `acks`. Returns how many were sent.
 */
async function paced(ctx, rate, secs, warm, send, pending, acks) {
  const t0 = performance.now();
  let sent = 0;
  while (performance.now() - t0 < secs * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    while (sent < due) {
      const t = performance.now();
      const value = warm ? 'W'.padEnd(20, ' ') + FILLER : String(performance.timeOrigin + t).padEnd(20, ' ') + FILLER;
      const p = send(value);
      pending.push(warm ? p : p.then(() => acks.push(performance.now() - t)));
      sent++;
    }
    if (!warm) ctx.progress(performance.now() - t0, secs * 1000);
    await new Promise((r) => setTimeout(r, 1));
  }
  return sent;
}

/** End-to-end and send-to-ack quantiles of one run. */
function latencyFigures(latencies, acks, sent) {
  latencies.sort((a, b) => a - b);
  acks.sort((a, b) => a - b);
  return {
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    p999: quantile(latencies, 0.999),
    max: latencies[latencies.length - 1],
    received: latencies.length,
    sent,
    ackP50: quantile(acks, 0.5),
    ackP99: quantile(acks, 0.99),
  };
}

/** The consumer's worker thread, once it says 'ready' (joined its group). */
async function startConsumer(url, workerData) {
  const worker = new Worker(url, { workerData });
  const exit = new Promise((_, j) => worker.once('error', j));
  let readyTimer;
  const notReady = new Promise((_, j) => (readyTimer = setTimeout(() => j(new Error('the consumer did not join within 30 s')), 30_000)));
  try {
    await Promise.race([new Promise((r) => worker.once('message', r)), exit, notReady]);
  } finally {
    clearTimeout(readyTimer);
  }
  return { worker, exit };
}

/** The consumer's latencies once it has the `sent` measured messages (or 5 s have passed). */
async function collect({ worker, exit }, sent) {
  const result = new Promise((r) => worker.on('message', (m) => m !== 'ready' && r(m)));
  worker.postMessage({ expect: sent });
  const timer = setTimeout(() => worker.postMessage('stop'), 5000);
  try {
    return await Promise.race([result, exit]);
  } finally {
    clearTimeout(timer);
  }
}

async function latencyRun(ctx, { rate, seconds, warm, configs }) {
  const loopStatsFile = join(tmpdir(), `brook-bench-loop-${process.pid}-${Date.now()}.json`);
  const broker = await startChildBroker('brook-bench-latency-', [], { nodeArgs: ['--require', LOOP_STATS], env: { BROOK_LOOP_STATS: loopStatsFile } });
  let brokerLoop = null;
  let worker = null;
  try {
    const brook = client(broker.url, 'bench-latency');
    const topic = 'latency';
    await createTopic(brook, topic, 4, configs);
    worker = await startConsumer(WORKER, { url: broker.url, topic, groupId: 'latency-g' });
    const producer = brook.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'W' }] });
    const acks = [];
    const pending = [];
    const send = (value) => producer.send({ topic, messages: [{ value }] });
    const pace = (secs, warming) => paced(ctx, rate, secs, warming, send, pending, acks);
    await pace(warmSeconds(warm), true);
    // Where the milliseconds go, over the measured part: the broker's request and write timings
    // (/metrics), its loop delay and GC pauses (loop-stats.cjs), and the two client threads' loops.
    const metrics0 = await (await fetch(`${broker.httpUrl}/metrics`)).text();
    broker.proc.kill('SIGUSR2');
    worker.worker.postMessage('reset');
    const producerLoop = monitorEventLoopDelay({ resolution: 1 });
    producerLoop.enable();
    const b0 = broker.cpuSeconds();
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const sent = await pace(seconds, false);
    const wall = (performance.now() - w0) / 1000;
    const brokerCpuPct = ((broker.cpuSeconds() - b0) / wall) * 100;
    const c1 = process.cpuUsage(c0);
    const clientCpuPct = ((c1.user + c1.system) / 1e6 / wall) * 100;
    producerLoop.disable();
    await Promise.all(pending);
    const metrics1 = await (await fetch(`${broker.httpUrl}/metrics`)).text();
    const ms = (name, labels, q) => {
      const s = histogramQuantile(metrics0, metrics1, name, labels, q);
      return s === null ? null : s * 1000;
    };
    const breakdown = {
      produceP50: ms('brook_request_duration_seconds', 'api="Produce",listener="ws"', 0.5),
      produceP99: ms('brook_request_duration_seconds', 'api="Produce",listener="ws"', 0.99),
      writeP50: ms('brook_log_write_duration_seconds', configs['flush.ms'] ? 'synced="false"' : 'synced="true"', 0.5),
      writeP99: ms('brook_log_write_duration_seconds', configs['flush.ms'] ? 'synced="false"' : 'synced="true"', 0.99),
      waitP99: ms('brook_log_write_wait_seconds', '', 0.99),
      producerLoopP99: Math.max(0, producerLoop.percentile(99) / 1e6 - 1),
    };
    const { latencies, delayP99Ms: consumerLoopP99 } = await collect(worker, sent);
    await producer.disconnect();
    await broker.stop();
    brokerLoop = JSON.parse(readFileSync(loopStatsFile, 'utf8'));
    return {
      ...latencyFigures(latencies, acks, sent),
      brokerCpuPct,
      clientCpuPct,
      ...breakdown,
      consumerLoopP99,
      brokerLoopP99: brokerLoop.delayP99Ms,
      brokerLoopMax: brokerLoop.delayMaxMs,
      gcPauses: brokerLoop.gcPauses,
      gcTotalMs: brokerLoop.gcTotalMs,
      gcMaxMs: brokerLoop.gcMaxMs,
    };
  } finally {
    if (worker) await worker.worker.terminate();
    if (!brokerLoop) await broker.stop();
    rmSync(loopStatsFile, { force: true });
  }
}

/**
 * The same paced run against Redis Streams (redis.mjs): XADD per message on one connection (ioredis
 * pipelines them), a consumer group member in a worker thread (XREADGROUP BLOCK 100 + XACK).
 */
async function redisRun(ctx, { rate, seconds, warm }) {
  const server = await startRedis();
  const producer = new Redis({ port: server.port, host: '127.0.0.1' });
  let consumer = null;
  try {
    const stream = 'latency';
    consumer = await startConsumer(REDIS_WORKER, { port: server.port, stream, group: 'latency-g' });
    const acks = [];
    const pending = [];
    const send = (value) => producer.xadd(stream, '*', 'v', value);
    await paced(ctx, rate, warmSeconds(warm), true, send, pending, acks);
    consumer.worker.postMessage('reset');
    const b0 = procCpuSeconds(server.pid);
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const sent = await paced(ctx, rate, seconds, false, send, pending, acks);
    const wall = (performance.now() - w0) / 1000;
    const brokerCpuPct = ((procCpuSeconds(server.pid) - b0) / wall) * 100;
    const c1 = process.cpuUsage(c0);
    const clientCpuPct = ((c1.user + c1.system) / 1e6 / wall) * 100;
    await Promise.all(pending);
    const { latencies, delayP99Ms: consumerLoopP99 } = await collect(consumer, sent);
    return {
      ...latencyFigures(latencies, acks, sent),
      brokerCpuPct,
      clientCpuPct,
      consumerLoopP99,
    };
  } finally {
    producer.disconnect();
    if (consumer) await consumer.worker.terminate();
    await server.stop();
  }
}

export function summary(f) {
  return `p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, p99.9 ${f.p999.toFixed(2)} ms (${f.received}/${f.sent})`;
}

export function report(rows) {
  const ms = (x) => fmt(x, 2);
  const L = [
    '| topic fsync | rate | received/sent | p50 ms | p99 ms | p99.9 ms | max ms | producer send-to-ack p50 / p99 ms | CPU, % of a core: broker / producer + consumer process |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const f = r.figures;
    L.push(
      `| ${r.params.flush ?? 'default'} | ${r.params.rate.toLocaleString('en')} msg/s | ${fmt(f.received?.median, 0)}/${fmt(f.sent?.median, 0)} | ${mmm(f.p50, ms)} | ${mmm(f.p99, ms)} | ${mmm(f.p999, ms)} | ${mmm(f.max, ms)} | ${ms(f.ackP50?.median)} / ${ms(f.ackP99?.median)} | ${fmt(f.brokerCpuPct?.median, 0)} / ${fmt(f.clientCpuPct?.median, 0)} |`,
    );
  }
  L.push(
    '',
    "Where the milliseconds go, over the same measured seconds: the broker's time to answer a Produce and, within it, the LevelDB write of its group (with the fsync, except with flush.ms) and the wait for the write before it (from `/metrics`, interpolated within its buckets); " +
      'the event-loop delay (beyond the 1 ms probe) of the broker, of the producer (the bench process) and of the consumer (its worker thread); GC pauses in the broker.',
    '',
    '| topic fsync | rate | broker Produce p50 / p99 ms | LevelDB write p50 / p99 ms | queue wait p99 ms | loop delay p99 ms: broker / producer / consumer | broker loop delay max ms | broker GC pauses: count, total ms, max ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of rows.filter((row) => row.figures.produceP50)) {
    const f = r.figures;
    const m = (k) => ms(f[k]?.median);
    L.push(
      `| ${r.params.flush ?? 'default'} | ${r.params.rate.toLocaleString('en')} msg/s | ${m('produceP50')} / ${m('produceP99')} | ${m('writeP50')} / ${m('writeP99')} | ${m('waitP99')} | ${m('brokerLoopP99')} / ${m('producerLoopP99')} / ${m('consumerLoopP99')} | ${m('brokerLoopMax')} | ${fmt(f.gcPauses?.median, 0)}, ${fmt(f.gcTotalMs?.median, 1)}, ${m('gcMaxMs')} |`,
    );
  }
  return L.join('\n');
}
