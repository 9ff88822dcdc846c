// A topic with 1,000 partitions: time to create it; time to produce 100 records of 100 B to each
// (one SDK producer, sends of 1,000 records spread over 10 partitions, 16 in flight); time for
// one SDK consumer group member to consume them all (from run() to the last record, so joining
// and the first fetch are included); Metadata, ListOffsets-for-every-partition and the admin
// API's topic description, each the median of 20 requests.
import { startChildBroker, client, rawConnection, stats, fmt, fmtRate, mmm } from './lib.mjs';

export const id = 'partitions';
export const title = 'A topic with 1,000 partitions';
export const description =
  'Create (CreateTopics round trip), produce 100 records of 100 B to every partition (SDK producer, acks all), consume them all with one SDK group member ' +
  '(from `run()` to the last record), and the time of Metadata, of ListOffsets for all 1,000 partitions (`admin.fetchTopicOffsets`) and of `GET /api/topics/:topic` (median of 20 each).';

export function cells({ quick }) {
  const partitions = 1000;
  const perPartition = quick ? 20 : 100;
  return [
    {
      key: 'partitions/1000',
      label: `1,000 partitions, ${perPartition} records each`,
      params: { partitions, perPartition },
      run: (ctx) => partitionsRun(ctx, { partitions, perPartition }),
    },
  ];
}

async function timeIt(n, fn) {
  const xs = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return stats(xs).median;
}

async function partitionsRun(ctx, { partitions, perPartition }) {
  const broker = await startChildBroker('brook-bench-partitions-');
  let consumer = null;
  try {
    const brook = client(broker.url, 'bench-partitions');
    const topic = 'wide';
    const admin = brook.admin();
    await admin.connect();
    const c0 = performance.now();
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
    const createMs = performance.now() - c0;

    const producer = brook.producer();
    await producer.connect();
    const value = 'x'.repeat(100);
    const total = partitions * perPartition;
    // Requests of 10 partitions x 100 records; the partition cycles so every one gets perPartition.
    const sends = [];
    for (let base = 0; base < partitions; base += 10) {
      for (let round = 0; round < perPartition; round += 100) {
        const n = Math.min(100, perPartition - round);
        const messages = [];
        for (let p = base; p < Math.min(base + 10, partitions); p++) for (let i = 0; i < n; i++) messages.push({ value, partition: p });
        sends.push(messages);
      }
    }
    let next = 0;
    let produced = 0;
    const p0 = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < sends.length) {
          const messages = sends[next++];
          await producer.send({ topic, messages });
          produced += messages.length;
          ctx.progress(produced, total, 'producing');
        }
      }),
    );
    const produceSeconds = (performance.now() - p0) / 1000;
    await producer.disconnect();

    let consumed = 0;
    let done;
    const finished = new Promise((r) => (done = r));
    consumer = brook.consumer({ groupId: 'wide-g' });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const k0 = performance.now();
    await consumer.run({
      eachMessage: async () => {
        consumed++;
        if ((consumed & 4095) === 0) ctx.progress(consumed, total, 'consuming');
        if (consumed === total) done();
      },
    });
    let timer;
    const timeout = new Promise((_, j) => (timer = setTimeout(() => j(new Error(`consumed ${consumed}/${total} after 120 s`)), 120_000)));
    try {
      await Promise.race([finished, timeout]);
    } finally {
      clearTimeout(timer);
    }
    const consumeSeconds = (performance.now() - k0) / 1000;
    await consumer.disconnect();
    consumer = null;

    const raw = rawConnection(broker.url, 'bench-partitions-meta');
    await raw.connect();
    const metadataMs = await timeIt(20, () => raw.request('Metadata', { topics: [topic] }));
    await raw.close();
    const listOffsetsMs = await timeIt(20, () => admin.fetchTopicOffsets(topic));
    const describeHttpMs = await timeIt(20, async () => {
      const r = await fetch(`${broker.httpUrl}/api/topics/${topic}`);
      if (!r.ok) throw new Error(`GET /api/topics/${topic}: ${r.status}`);
      await r.json();
    });
    await admin.disconnect();
    return {
      createMs,
      produceSeconds,
      produceMsgs: total / produceSeconds,
      consumeSeconds,
      consumeMsgs: total / consumeSeconds,
      metadataMs,
      listOffsetsMs,
      describeHttpMs,
    };
  } finally {
    if (consumer) await consumer.disconnect().catch(() => {});
    await broker.stop();
  }
}

export function summary(f) {
  return `create ${f.createMs.toFixed(0)} ms, produce ${f.produceSeconds.toFixed(2)} s, consume ${f.consumeSeconds.toFixed(2)} s, metadata ${f.metadataMs.toFixed(2)} ms`;
}

export function report(rows) {
  const ms = (d) => (x) => fmt(x, d);
  const L = [];
  for (const r of rows) {
    const f = r.figures;
    L.push(`${r.label}:`);
    L.push('');
    L.push('| step | time (min-max) | rate |');
    L.push('| --- | --- | --- |');
    L.push(`| create the topic | ${mmm(f.createMs, ms(0))} ms | |`);
    L.push(`| produce to every partition | ${mmm(f.produceSeconds, ms(2))} s | ${fmtRate(f.produceMsgs?.median)} msg/s |`);
    L.push(`| consume them all (one group member, from run()) | ${mmm(f.consumeSeconds, ms(2))} s | ${fmtRate(f.consumeMsgs?.median)} msg/s |`);
    L.push(`| Metadata request | ${mmm(f.metadataMs, ms(2))} ms | |`);
    L.push(`| ListOffsets for 1,000 partitions (admin.fetchTopicOffsets: earliest + latest) | ${mmm(f.listOffsetsMs, ms(2))} ms | |`);
    L.push(`| GET /api/topics/:topic (1,000 partitions with offsets) | ${mmm(f.describeHttpMs, ms(2))} ms | |`);
  }
  return L.join('\n');
}
