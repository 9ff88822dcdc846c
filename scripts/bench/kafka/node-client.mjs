// The Node clients of `npm run bench:kafka`: KafkaJS, or Brook's SDK (over Kafka's protocol with
// `brokers`, over WebSocket with `url`), driven by the same code, since the SDK is KafkaJS-shaped.
//
//   node node-client.mjs '<json>'   prints one line `RESULT <json>`
//   { client: 'kafkajs' | 'brook', bootstrap?, url?, mode: 'produce' | 'consume' | 'latency', topic, ... }
//
// produce: `records` records of `size` bytes in sends of `batch`, `inFlight` sends outstanding,
//          acks `acks`; the rate is records acknowledged per second.
// consume: a group of `members` consumers (eachMessage) drains `records` records; the rate runs
//          from the first record to the last, the group forming apart.
// latency: a paced producer (`rate` a second for `seconds`, one record per send, never awaited one
//          by one) and a group member in a worker thread; latency = receive minus send time written
//          into the record (performance.timeOrigin + now(): one clock for both threads). The first
//          second is warm-up.
import { createRequire } from 'node:module';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const now = () => performance.timeOrigin + performance.now();

async function connectClient(p) {
  if (p.client === 'kafkajs') {
    const { Kafka, logLevel } = createRequire(repo + 'package.json')('kafkajs');
    return new Kafka({ clientId: 'bench-kafka', brokers: [p.bootstrap], logLevel: logLevel.NOTHING });
  }
  const { Brook } = await import(repo + 'client-sdk/dist/index.js');
  return new Brook(p.url ? { url: p.url, clientId: 'bench-kafka' } : { brokers: [p.bootstrap], clientId: 'bench-kafka' });
}

const ACKS = { all: -1, '-1': -1, 1: 1, 0: 0 };

async function produce(kafka, p) {
  const producer = kafka.producer();
  await producer.connect();
  const value = Buffer.alloc(p.size, 120);
  const messages = Array.from({ length: p.batch }, () => ({ value }));
  const acks = ACKS[p.acks];
  await producer.send({ topic: p.topic, acks, messages: messages.slice(0, 1) }); // metadata, connections
  const sends = Math.ceil(p.records / p.batch);
  let next = 0;
  const t0 = now();
  const lane = async () => {
    while (next < sends) {
      next++;
      await producer.send({ topic: p.topic, acks, messages });
    }
  };
  await Promise.all(Array.from({ length: p.inFlight }, lane));
  const seconds = (now() - t0) / 1000;
  await producer.disconnect();
  // records: what the topic holds (the warm-up record too), for the consume run that reads it
  return { records: sends * p.batch + 1, seconds, perSecond: (sends * p.batch) / seconds };
}

async function consume(kafka, p) {
  let read = 0;
  let first = 0;
  let last = 0;
  const t0 = now();
  let done;
  const finished = new Promise((r) => (done = r));
  const consumers = Array.from({ length: p.members }, () => kafka.consumer({ groupId: p.group }));
  // All members join at once (KafkaJS's run() waits for its join): one by one, each join would
  // rebalance the members already reading, and KafkaJS hears of it only after its long poll.
  await Promise.all(
    consumers.map(async (c) => {
      await c.connect();
      await c.subscribe({ topics: [p.topic], fromBeginning: true });
      await c.run({
        eachMessage: async () => {
          if (first === 0) first = now();
          if (++read === p.records) {
            last = now();
            done();
          }
        },
      });
    }),
  );
  const timer = setTimeout(done, 180_000);
  await finished;
  clearTimeout(timer);
  await Promise.all(consumers.map((c) => c.disconnect()));
  const seconds = (last - first) / 1000;
  return { records: read, seconds, perSecond: last ? p.records / seconds : 0, joinMs: first - t0 };
}

async function latency(kafka, p) {
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: p });
  const got = [];
  const workerDone = new Promise((resolve, reject) => {
    worker.on('message', (m) => (m === 'ready' ? got.push('ready') : resolve(m)));
    worker.once('error', reject);
  });
  while (got.length === 0) await new Promise((r) => setTimeout(r, 20));
  const producer = kafka.producer();
  await producer.connect();
  const filler = Buffer.alloc(Math.max(0, p.size - 24), 120);
  const acks = ACKS[p.acks];
  await producer.send({ topic: p.topic, acks, messages: [{ value: 'warm' }] });
  const total = p.rate * p.seconds;
  const pending = [];
  const t0 = now();
  for (let i = 0; i < total; ) {
    const due = Math.min(total, Math.floor(((now() - t0) / 1000) * p.rate) + 1);
    for (; i < due; i++) pending.push(producer.send({ topic: p.topic, acks, messages: [{ value: Buffer.concat([Buffer.from(`${i} ${now().toFixed(3)} `), filler]) }] }));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  worker.postMessage({ total });
  const latencies = await workerDone;
  await producer.disconnect();
  const counted = latencies.filter((l, i) => i >= p.rate && l > 0).sort((a, b) => a - b);
  const q = (x) => (counted.length ? counted[Math.min(counted.length - 1, Math.ceil(x * counted.length) - 1)] : 0);
  return { sent: total, received: latencies.filter((l) => l > 0).length, counted: counted.length, p50: q(0.5), p99: q(0.99), p999: q(0.999), max: counted.at(-1) ?? 0 };
}

/** The worker thread's group member for `latency`. */
async function latencyReader(p) {
  const kafka = await connectClient(p);
  const latencies = [];
  let expected = Infinity;
  let finish;
  const finished = new Promise((r) => (finish = r));
  const c = kafka.consumer({ groupId: `${p.topic}-latency`, maxWaitTimeInMs: 500 });
  await c.connect();
  // the topic is fresh: reading it from the start leaves no gap between joining and sending
  await c.subscribe({ topics: [p.topic], fromBeginning: true });
  const joined = new Promise((r) => c.on(c.events.GROUP_JOIN, r));
  let seen = 0;
  await c.run({
    eachMessage: async ({ message }) => {
      const t = now();
      const s = message.value.toString('latin1', 0, 40).split(' ');
      if (s.length < 3) return; // the warm-up record
      latencies[Number(s[0])] = t - Number(s[1]);
      if (++seen >= expected) finish();
    },
  });
  await joined;
  parentPort.postMessage('ready');
  parentPort.on('message', ({ total }) => {
    expected = total;
    if (seen >= expected) finish();
  });
  const timer = setTimeout(finish, 60_000 + p.seconds * 1000);
  await finished;
  clearTimeout(timer);
  await c.disconnect();
  parentPort.postMessage(Array.from({ length: expected === Infinity ? latencies.length : expected }, (_, i) => latencies[i] ?? 0));
}

if (isMainThread) {
  const p = JSON.parse(process.argv[2]);
  const kafka = await connectClient(p);
  const modes = { produce, consume, latency };
  const result = await modes[p.mode](kafka, p);
  console.log(`RESULT ${JSON.stringify(result)}`);
  process.exit(0);
} else {
  await latencyReader(workerData);
}
