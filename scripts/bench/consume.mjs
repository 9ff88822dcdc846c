// Group consume: a group of 3 SDK consumers (one process, the bench's) over a prefilled topic of 6
// partitions, at-least-once with auto-commit on (the defaults), eachMessage. The rate is counted
// from the first message delivered to the moment every offset was seen at least once; the time
// the group took to form (connect, join, first fetch) is reported beside it.
import { startChildBroker, client, createTopic, fmt, fmtRate, mmm } from './lib.mjs';

export const id = 'consume';
export const title = 'Group consume';
export const description =
  '3 consumers of one group (SDK, defaults: at-least-once, auto-commit on, eachMessage) drain a prefilled topic of 6 partitions ' +
  '(100 B messages). Rate: first delivery to the last new offset. Duplicates (redeliveries after a rebalance) are counted, not in the rate.';

export function cells({ quick }) {
  const total = quick ? 80_000 : 400_000;
  return [
    {
      key: 'consume/3m/6p/100B',
      label: `3 members, 6 partitions, 100 B, ${total / 1000}k messages`,
      params: { members: 3, partitions: 6, size: 100, messages: total },
      run: (ctx) => consumeRun(ctx, total),
    },
  ];
}

async function consumeRun(ctx, total) {
  const broker = await startChildBroker('brook-bench-consume-');
  const consumers = [];
  try {
    const brook = client(broker.url, 'bench-consume');
    const topic = 'bench-group';
    await createTopic(brook, topic, 6);
    const producer = brook.producer();
    await producer.connect();
    const value = 'x'.repeat(100);
    const messages = Array.from({ length: 500 }, () => ({ value }));
    let filled = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (filled < total) {
          filled += 500;
          await producer.send({ topic, acks: 1, messages });
          ctx.progress(filled, total, 'prefill');
        }
      }),
    );
    await producer.disconnect();
    const admin = brook.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const seen = new Map(ends.map((e) => [e.partition, new Uint8Array(Number(e.high))]));
    const expected = ends.reduce((n, e) => n + Number(e.high), 0);

    let unique = 0;
    let deliveries = 0;
    let first = 0;
    let done;
    const finished = new Promise((r) => (done = r));
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) {
      const c = brook.consumer({ groupId: 'bench-group-g', maxBytesPerPartition: 4 << 20 });
      consumers.push(c);
      await c.connect();
      await c.subscribe({ topics: [topic], fromBeginning: true });
      await c.run({
        eachMessage: async ({ partition, message }) => {
          deliveries++;
          if (first === 0) first = performance.now();
          const s = seen.get(partition);
          const o = Number(message.offset);
          if (s[o] === 0) {
            s[o] = 1;
            unique++;
            if ((unique & 8191) === 0) ctx.progress(unique, expected, 'consuming');
            if (unique === expected) done();
          }
        },
      });
    }
    let timer;
    const timeout = new Promise((_, j) => (timer = setTimeout(() => j(new Error(`consumed ${unique}/${expected} after 120 s`)), 120_000)));
    try {
      await Promise.race([finished, timeout]);
    } finally {
      clearTimeout(timer);
    }
    const end = performance.now();
    return { msgs: expected / ((end - first) / 1000), formMs: first - t0, totalSeconds: (end - t0) / 1000, duplicates: deliveries - unique };
  } finally {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => {})));
    await broker.stop();
  }
}

export function summary(f) {
  return `${Math.round(f.msgs / 1000)}k msg/s (group formed in ${f.formMs.toFixed(0)} ms, ${f.duplicates} duplicates)`;
}

export function report(rows) {
  const L = ['| scenario | msg/s (min-max) | MB/s (values) | group formed to first message, ms | total incl. forming, s | duplicates |', '| --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    const f = r.figures;
    L.push(
      `| ${r.label} | ${mmm(f.msgs)} | ${fmt((f.msgs?.median ?? NaN) * 100 / 1e6, 1)} | ${mmm(f.formMs, (x) => fmt(x, 0))} | ${mmm(f.totalSeconds, (x) => fmt(x, 2))} | ${mmm(f.duplicates, fmtRate)} |`,
    );
  }
  return L.join('\n');
}
