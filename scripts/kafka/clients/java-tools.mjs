// Apache Kafka's own Java tools (kafka-tools 4.4 from Maven Central) as a client: TopicCommand,
// ConsoleProducer (parse.key=true), ConsoleConsumer (group.protocol classic or consumer),
// ConsumerGroupCommand (--describe, --reset-offsets), ProducerPerformance/ConsumerPerformance, and
// JavaClient.java (kafka-clients' transactional producer, read_committed consumer, a plain reader).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { javaArgs, runJava } from '../lib/paths.mjs';
import { start, tail } from '../lib/proc.mjs';
import { BOOTSTRAP, sawAll, stepMain, waitUntil } from './step-main.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const TOOLS = 'org.apache.kafka.tools';
const BS = ['--bootstrap-server', BOOTSTRAP];
// one record per line: "Partition:P<TAB>Offset:O<TAB>KEY"
const PRINT = ['key', 'partition', 'offset'].flatMap((f) => ['--formatter-property', `print.${f}=true`]).concat(['--formatter-property', 'print.value=false']);

async function tool(main, args, opts = {}) {
  const r = await runJava(`${TOOLS}.${main}`, args, { timeoutMs: 90_000, ...opts });
  if (r.code !== 0) throw new Error(`${main} ${args.filter((a) => !a.includes(':')).slice(0, 4).join(' ')}...: exit ${r.code}: ${tail(r.stderr + r.stdout, 3)}`);
  return r.stdout;
}

/** JavaClient.java (kafka-clients' KafkaProducer/KafkaConsumer) in `mode` txn or read. */
async function javaClient(mode, p) {
  const out = await runJava(join(here, 'JavaClient.java'), [mode, BOOTSTRAP, JSON.stringify(p)], { timeoutMs: 120_000 });
  const line = out.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (out.code !== 0 || !line) throw new Error(`JavaClient ${mode}: exit ${out.code}: ${tail(out.stderr, 4)}`);
  return JSON.parse(line.slice(7));
}

function parseRecords(text) {
  return [...text.matchAll(/^Partition:(\d+)\tOffset:(\d+)\t(.*)$/gm)].map((m) => ({ key: m[3], partition: Number(m[1]), offset: Number(m[2]) }));
}

/** Rows of a ConsumerGroupCommand table as objects keyed by its header's column names. */
function parseTable(text) {
  const lines = text.split('\n');
  const h = lines.findIndex((l) => /^GROUP\s/.test(l));
  if (h < 0) return [];
  const cols = lines[h].trim().split(/\s+/);
  return lines
    .slice(h + 1)
    .filter((l) => l.trim())
    .map((l) => Object.fromEntries(l.trim().split(/\s+/).map((v, i) => [cols[i], v])));
}

const produce = (topic, keys) =>
  tool('ConsoleProducer', [...BS, '--topic', topic, '--reader-property', 'parse.key=true', '--reader-property', 'key.separator=:', '--producer-property', 'acks=all'], {
    input: keys.map((k) => `${k}:value-${k}\n`).join(''),
  });

const groupCommand = (args) => tool('consumer.group.ConsumerGroupCommand', [...BS, ...args]);

/** The group's committed offsets and the log end offsets of `topic`, from `--describe`. */
async function describeOffsets(group, topic) {
  const rows = parseTable(await groupCommand(['--describe', '--group', group])).filter((r) => r.TOPIC === topic);
  const num = (v) => (v === '-' ? null : Number(v));
  return {
    committed: Object.fromEntries(rows.filter((r) => num(r['CURRENT-OFFSET']) !== null).map((r) => [r.PARTITION, num(r['CURRENT-OFFSET'])])),
    end: Object.fromEntries(rows.map((r) => [r.PARTITION, num(r['LOG-END-OFFSET'])])),
  };
}

/** Each active member's assigned partitions of `topic`, from `--describe --members --verbose`. */
async function describeMembers(group, topic) {
  const rows = parseTable(await groupCommand(['--describe', '--group', group, '--members', '--verbose']));
  return rows.map((r) => {
    const cell = r.ASSIGNMENT ?? r['CURRENT-ASSIGNMENT'] ?? '';
    const mine = cell.split(';').find((c) => c.startsWith(`${topic}:`));
    return { client: r['CLIENT-ID'], assigned: mine ? mine.slice(topic.length + 1).split(',').map(Number) : [] };
  });
}

function startConsoleConsumer(p, i) {
  const args = [...BS, '--topic', p.topic, '--group', p.group, '--from-beginning', '--consumer-property', `group.protocol=${p.protocol}`, '--consumer-property', `client.id=kc-java-${i}`, ...PRINT];
  const proc = start('java', javaArgs(`${TOOLS}.consumer.ConsoleConsumer`, args));
  return { proc, records: () => parseRecords(proc.output.stdout) };
}

async function groupRun(p, produceFirst) {
  const want = p.expect ?? p.keys;
  if (produceFirst) await produce(p.topic, p.keys);
  const members = [startConsoleConsumer(p, 0), startConsoleConsumer(p, 1)];
  let assigned = null;
  try {
    const died = () => members.find((m) => m.proc.child.exitCode !== null);
    let describeError = null; // the group may not exist yet while the members' JVMs start
    const explain = () =>
      members.map((m, i) => `member ${i}: ${tail(m.proc.output.stderr, 2) || '(nothing on stderr)'}`).join(' / ') + (describeError ? ` / last describe: ${describeError}` : '');
    const alive = () => {
      const d = died();
      if (d) throw new Error(`ConsoleConsumer exited early: ${tail(d.proc.output.stderr, 3)}`);
    };
    if (!produceFirst) {
      await waitUntil(async () => {
        alive();
        const ms = await describeMembers(p.group, p.topic).catch((e) => ((describeError = e.message), []));
        if (ms.length === 2 && ms.every((m) => m.assigned.length) && ms[0].assigned.length + ms[1].assigned.length === p.partitions) return (assigned = ms);
        return null;
      }, 'both members to hold partitions (ConsumerGroupCommand --describe --members)', { explain });
      await produce(p.topic, p.keys);
    }
    await waitUntil(() => (alive(), sawAll(members.flatMap((m) => m.records()), want)), `all ${want.length} records to be consumed`, { explain });
  } finally {
    // SIGTERM: ConsoleConsumer's shutdown hook closes the consumer, which commits its offsets
    for (const m of members) m.proc.stop('SIGTERM');
    await Promise.all(members.map((m) => m.proc.exited));
  }
  const byClient = (i) => assigned?.find((a) => a.client === `kc-java-${i}`)?.assigned;
  return {
    members: members.map((m, i) => ({ assigned: byClient(i) ?? [], records: m.records() })),
    ...(await describeOffsets(p.group, p.topic)),
  };
}

await stepMain({
  'create-topic': async (p) => {
    await tool('TopicCommand', [...BS, '--create', '--topic', p.topic, '--partitions', String(p.partitions), '--replication-factor', '1']);
    // Kafka answers --create before every broker's metadata has the topic: describe until the
    // count settles (Brook answers at once), and report the last count if it never does
    let count = NaN;
    for (let tries = 0; count !== p.partitions && tries < 10; tries++) {
      const described = await tool('TopicCommand', [...BS, '--describe', '--topic', p.topic]).catch((e) => {
        if (tries === 9) throw e;
        return '';
      });
      count = Number(/PartitionCount:\s*(\d+)/.exec(described)?.[1] ?? NaN);
    }
    if (p.list && !(await tool('TopicCommand', [...BS, '--list'])).split('\n').includes(p.topic)) throw new Error(`TopicCommand --list does not name ${p.topic}`);
    return { partitions: count, note: p.list ? 'TopicCommand --create, --describe, --list' : undefined };
  },
  produce: async (p) => {
    await produce(p.topic, p.keys);
    // ConsoleProducer reports no offsets: read the fresh topic back (assigned partitions, no
    // group, so this step does not depend on the group protocols)
    return javaClient('read', p);
  },
  group: (p) => groupRun(p, false),
  resume: (p) => groupRun(p, true),
  'reset-offsets': async (p) => {
    await groupCommand(['--reset-offsets', '--to-earliest', '--execute', '--group', p.group, '--topic', p.topic]);
    return describeOffsets(p.group, p.topic);
  },
  perf: async (p) => {
    const prod = await tool('ProducerPerformance', ['--topic', p.topic, '--num-records', String(p.records), '--record-size', '100', '--throughput', '-1', '--producer-props', `bootstrap.servers=${BOOTSTRAP}`, 'acks=all', 'linger.ms=5']);
    const sent = /^(\d+) records sent, ([\d.]+) records\/sec/m.exec(prod.split('\n').filter(Boolean).at(-1) ?? '');
    const cons = await tool('ConsumerPerformance', [...BS, '--topic', p.topic, '--num-records', String(p.records), '--timeout', '60000', '--group', `kc-java-perf-${Date.now()}`]);
    const lines = cons.trim().split('\n');
    const header = lines.findIndex((l) => l.includes('data.consumed.in.nMsg'));
    const cols = lines[header]?.split(',').map((s) => s.trim()) ?? [];
    const row = lines[header + 1]?.split(',').map((s) => s.trim()) ?? [];
    const col = (name) => Number(row[cols.indexOf(name)]);
    return {
      produced: sent ? Number(sent[1]) : null,
      produceRate: sent ? `${Math.round(Number(sent[2]))} rec/s` : prod.trim().split('\n').at(-1),
      consumed: col('data.consumed.in.nMsg'),
      // the fetch rate without the group join, and the join (rebalance) time apart
      consumeRate: `${Math.round(col('fetch.nMsg.sec'))} rec/s after a ${col('rebalance.time.ms')} ms join`,
    };
  },
  // BrokerApiVersionsCommand (kafka-broker-api-versions.sh): the broker's ApiVersions answer
  'api-versions': async () => {
    const out = await tool('BrokerApiVersionsCommand', [...BS]);
    const apis = {};
    // "Produce(0): 3 to 13 [usable: 13]", "OffsetDelete(47): 0 [usable: 0]", "JoinGroup(11): UNSUPPORTED"
    for (const m of out.matchAll(/^\s*(\w+)\((\d+)\): (?:(\d+)(?: to (\d+))?|UNSUPPORTED)/gm)) {
      apis[`${m[1]}(${m[2]})`] = m[3] === undefined ? null : `${m[3]}-${m[4] ?? m[3]}`;
    }
    if (!Object.keys(apis).length) throw new Error(`no API versions in: ${tail(out, 3)}`);
    return { apis };
  },
  txn: async (p) => {
    return javaClient('txn', p);
  },
});
