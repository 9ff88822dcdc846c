// The cells of `npm run bench:kafka`: what runs against each target. A cell's `run(ctx)` returns
// its figures (`metric` is the one compared across targets); `only` limits it to some targets.
import { createTopic, java, nodeClient, resultOf } from './tools.mjs';

const SIZES = [100, 1024];
/** Records per produce run (a tenth with --quick): about 5 s of Kafka's rate on this machine. */
const RECORDS = { 100: 600_000, 1024: 200_000 };
const NODE_RECORDS = 300_000;
const PACED_SECONDS = 10;

const count = (n, quick) => (quick ? Math.round(n / 10) : n);
let serial = 0;
const fresh = (base) => `${base}-${Date.now().toString(36)}-${serial++}`;

/** ProducerPerformance as issue 18's anchor ran it: linger 5 ms, batches of 64 KiB, the producer's own defaults otherwise. */
async function producerPerformance(bootstrap, topic, { records, size, acks, compression = null }) {
  const out = await java('org.apache.kafka.tools.ProducerPerformance', [
    '--topic', topic, '--num-records', String(records), '--record-size', String(size), '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${bootstrap}`, `acks=${acks}`, 'linger.ms=5', 'batch.size=65536',
    ...(compression ? [`compression.type=${compression}`] : []),
  ]);
  // "600000 records sent, 101317.1 records/sec (9.66 MB/sec), 250.3 ms avg latency, 512.0 ms max latency, 240 ms 50th, 420 ms 95th, 480 ms 99th, 505 ms 99.9th."
  const last = out.trim().split('\n').filter((l) => l.includes('records sent')).at(-1) ?? '';
  const m = /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(last);
  if (!m) throw new Error(`ProducerPerformance printed no summary: ${last || out.slice(-300)}`);
  return { records: Number(m[1]), perSecond: Number(m[2]), mbPerSecond: Number(m[3]), avgLatencyMs: Number(m[4]), p99LatencyMs: Number(m[8]) };
}

/**
 * The 6-partition acks-all topic of one size, filled once per target by its produce cell (or here,
 * when that cell was not selected): the records the consumers read.
 */
const filled = new Map();
async function filledTopic(ctx, size) {
  const key = `${ctx.targetName}/${size}`;
  if (!filled.has(key)) {
    const topic = fresh(`fill-${size}`);
    const records = count(RECORDS[size], ctx.quick);
    await createTopic(ctx.target.bootstrap, topic, 6, ctx.target.topicConfigs);
    await producerPerformance(ctx.target.bootstrap, topic, { records, size, acks: 'all' });
    filled.set(key, { topic, records });
  }
  return filled.get(key);
}

const produceCells = SIZES.flatMap((size) =>
  ['all', '1'].flatMap((acks) =>
    [1, 6].map((partitions) => ({
      id: `java-produce/${size}/${acks}/${partitions}`,
      group: 'java-produce',
      label: `Java ProducerPerformance, ${size === 100 ? '100 B' : '1 KiB'}, acks ${acks}, ${partitions} partition${partitions > 1 ? 's' : ''}`,
      metric: 'perSecond',
      unit: 'records/s',
      better: 'higher',
      run: async (ctx) => {
        const topic = fresh(`pp-${size}-${acks}-${partitions}`);
        const records = count(RECORDS[size], ctx.quick);
        await createTopic(ctx.target.bootstrap, topic, partitions, ctx.target.topicConfigs);
        const r = await producerPerformance(ctx.target.bootstrap, topic, { records, size, acks });
        if (acks === 'all' && partitions === 6 && ctx.run === 0) filled.set(`${ctx.targetName}/${size}`, { topic, records });
        return r;
      },
    })),
  ),
);

/** The same with the producer compressing: the broker decompresses every batch to check its records. */
const compressedProduceCells = ['lz4', 'zstd'].map((compression) => ({
  id: `java-produce-${compression}/100/all/6`,
  group: 'java-produce-compressed',
  label: `Java ProducerPerformance, 100 B, acks all, 6 partitions, ${compression}`,
  metric: 'perSecond',
  unit: 'records/s',
  better: 'higher',
  run: async (ctx) => {
    const topic = fresh(`pp-${compression}`);
    await createTopic(ctx.target.bootstrap, topic, 6, ctx.target.topicConfigs);
    return producerPerformance(ctx.target.bootstrap, topic, { records: count(RECORDS[100], ctx.quick), size: 100, acks: 'all', compression });
  },
}));

const consumeCells = SIZES.map((size) => ({
  id: `java-consume/${size}`,
  group: 'java-consume',
  label: `Java ConsumerPerformance, 1 consumer, ${size === 100 ? '100 B' : '1 KiB'}, 6 partitions`,
  metric: 'perSecond',
  unit: 'records/s',
  better: 'higher',
  run: async (ctx) => {
    const { topic, records } = await filledTopic(ctx, size);
    const out = await java('org.apache.kafka.tools.ConsumerPerformance', [
      '--bootstrap-server', ctx.target.bootstrap, '--topic', topic, '--num-records', String(records), '--timeout', '60000', '--group', fresh('cp'),
    ]);
    const lines = out.trim().split('\n');
    const h = lines.findIndex((l) => l.includes('data.consumed.in.nMsg'));
    const cols = lines[h]?.split(',').map((s) => s.trim()) ?? [];
    const row = lines[h + 1]?.split(',').map((s) => s.trim()) ?? [];
    const col = (name) => Number(row[cols.indexOf(name)]);
    if (col('data.consumed.in.nMsg') !== records) throw new Error(`ConsumerPerformance read ${col('data.consumed.in.nMsg')} of ${records}`);
    // fetch.nMsg.sec leaves the group join out (rebalance.time.ms), as the group rows do
    return { records, perSecond: col('fetch.nMsg.sec'), joinMs: col('rebalance.time.ms') };
  },
}));

const groupCell = {
  id: 'java-group/100',
  group: 'java-group',
  label: 'Java consumers, a group of 3 (classic protocol), 100 B, 6 partitions',
  metric: 'perSecond',
  unit: 'records/s',
  better: 'higher',
  run: async (ctx) => {
    const { topic, records } = await filledTopic(ctx, 100);
    const r = resultOf(await java('GroupConsume.java', [ctx.target.bootstrap, topic, fresh('g3'), String(records), '3', 'classic']));
    if (r.records < records) throw new Error(`the group read ${r.records} of ${records}`);
    return r;
  },
};

const pacedCells = [1000, 5000].map((rate) => ({
  id: `java-latency/${rate}`,
  group: 'latency',
  label: `Java, paced ${rate.toLocaleString('en')} msg/s, 100 B, acks all: end-to-end p99 (p50), ms`,
  metric: 'p99',
  unit: 'ms',
  better: 'lower',
  run: async (ctx) => {
    const topic = fresh(`lat-${rate}`);
    await createTopic(ctx.target.bootstrap, topic, 1, ctx.target.topicConfigs);
    const r = resultOf(await java('PacedLatency.java', [ctx.target.bootstrap, topic, String(rate), String(ctx.quick ? 3 : PACED_SECONDS), '100', 'all']));
    if (r.received < r.sent) throw new Error(`read ${r.received} of ${r.sent}`);
    return r;
  },
}));

const e2eToolCell = {
  id: 'java-e2e-tool',
  group: 'latency',
  label: "Kafka's EndToEndLatency (one record at a time), 100 B, acks all: p99 (p50), ms",
  metric: 'p99',
  unit: 'ms',
  better: 'lower',
  run: async (ctx) => {
    const topic = fresh('e2e');
    await createTopic(ctx.target.bootstrap, topic, 1, ctx.target.topicConfigs);
    const out = await java('org.apache.kafka.tools.EndToEndLatency', [
      '--bootstrap-server', ctx.target.bootstrap, '--topic', topic, '--num-records', String(ctx.quick ? 300 : 2000), '--producer-acks', 'all', '--record-size', '100',
    ]);
    // "Avg latency: 2.1234 ms" and "Percentiles: 50th = 1, 99th = 5, 99.9th = 9"
    const avg = /Avg latency: ([\d.]+) ms/.exec(out);
    const pct = /50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(out);
    if (!avg || !pct) throw new Error(`EndToEndLatency printed no percentiles: ${out.slice(-300)}`);
    return { avg: Number(avg[1]), p50: Number(pct[1]), p99: Number(pct[2]), p999: Number(pct[3]) };
  },
};

/** The topic each target's Node produce cell wrote (`${target}/${group}`), for its consume cell to read. */
const nodeTopics = new Map();

/** KafkaJS and Brook's SDK: the same produce, group consume and paced latency. */
function nodeCells(group, client, labelOf, only) {
  const conn = (ctx) => (group === 'brook-ws' ? { client, url: ctx.target.url } : { client, bootstrap: ctx.target.bootstrap });
  return [
    {
      id: `${group}-produce`,
      group,
      label: `${labelOf}: produce 100 B, acks all, sends of 100, 8 in flight, 6 partitions`,
      metric: 'perSecond',
      unit: 'records/s',
      better: 'higher',
      only,
      run: async (ctx) => {
        const topic = fresh(`${group}-p`);
        await createTopic(ctx.target.bootstrap, topic, 6, ctx.target.topicConfigs);
        const r = await nodeClient({ ...conn(ctx), mode: 'produce', topic, records: count(NODE_RECORDS, ctx.quick), size: 100, batch: 100, inFlight: 8, acks: 'all' });
        nodeTopics.set(`${ctx.targetName}/${group}`, { topic, records: r.records });
        return r;
      },
    },
    {
      id: `${group}-consume`,
      group,
      label: `${labelOf}: a group of 3 consumes them (eachMessage)`,
      metric: 'perSecond',
      unit: 'records/s',
      better: 'higher',
      only,
      run: async (ctx) => {
        const { topic, records } = nodeTopics.get(`${ctx.targetName}/${group}`) ?? (await filledTopic(ctx, 100));
        const r = await nodeClient({ ...conn(ctx), mode: 'consume', topic, records, members: 3, group: fresh(`${group}-g`) });
        if (r.records < records) throw new Error(`the group read ${r.records} of ${records}`);
        return r;
      },
    },
    ...[1000, 5000].map((rate) => ({
      id: `${group}-latency/${rate}`,
      group,
      label: `${labelOf}: paced ${rate.toLocaleString('en')} msg/s, acks all, end-to-end p99 (p50), ms`,
      metric: 'p99',
      unit: 'ms',
      better: 'lower',
      only,
      run: async (ctx) => {
        const topic = fresh(`${group}-lat-${rate}`);
        await createTopic(ctx.target.bootstrap, topic, 1, ctx.target.topicConfigs);
        const r = await nodeClient({ ...conn(ctx), mode: 'latency', topic, rate, seconds: ctx.quick ? 3 : PACED_SECONDS, size: 100, acks: 'all' });
        if (r.received < r.sent) throw new Error(`read ${r.received} of ${r.sent}`);
        return r;
      },
    })),
  ];
}

export const CELLS = [
  ...produceCells,
  ...compressedProduceCells,
  ...consumeCells,
  groupCell,
  e2eToolCell,
  ...pacedCells,
  ...nodeCells('kafkajs', 'kafkajs', 'KafkaJS 2.2.4'),
  ...nodeCells('brook-sdk', 'brook', "Brook's SDK over Kafka's protocol"),
  ...nodeCells('brook-ws', 'brook', "Brook's SDK over WebSocket", ['brook']),
];
