// kcat (librdkafka's command-line client, from Debian) scenario steps. kcat cannot create topics,
// read a group's committed offsets or run transactions: topics are created and offsets read with
// kafka-python's admin client (named in the step's note); the transaction scenario is not run.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, start, tail } from '../lib/proc.mjs';
import { BOOTSTRAP, sawAll, stepMain, waitUntil } from './step-main.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
// murmur2_random: the Java client's partitioner (librdkafka's default is consistent_random, CRC32)
const PRODUCE = ['-X', 'partitioner=murmur2_random'];
const FORMAT = ['-f', '%k\\t%p\\t%o\\n'];

async function kcat(args, opts = {}) {
  const r = await run('kcat', ['-b', BOOTSTRAP, ...args], { timeoutMs: 60_000, ...opts });
  if (r.code !== 0) throw new Error(`kcat ${args.join(' ')}: exit ${r.code}: ${tail(r.stderr)}`);
  return r.stdout;
}

async function viaKafkaPython(step, params) {
  const py = process.env.BROOK_KAFKA_VENV_PYTHON;
  const r = await run(py, [join(here, 'kafka_python_client.py'), step, JSON.stringify(params)], { timeoutMs: 60_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.code !== 0 || !line) throw new Error(`kafka-python ${step}: exit ${r.code}: ${tail(r.stderr)}`);
  return JSON.parse(line.slice(7));
}

function parseRecords(text) {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [key, partition, offset] = l.split('\t');
      return { key, partition: Number(partition), offset: Number(offset) };
    });
}

async function partitionsOf(topic) {
  const md = JSON.parse(await kcat(['-L', '-J', '-t', topic]));
  return md.topics.find((t) => t.topic === topic)?.partitions.length ?? 0;
}

const produce = (topic, keys) => kcat(['-P', '-t', topic, '-K', '\t', ...PRODUCE], { input: keys.map((k) => `${k}\tvalue-${k}\n`).join('') });

/** One `kcat -G` member (-u: unbuffered, records show as they come); its assignment is read from the "% Group ... rebalanced" lines. */
function startMember(topic, group) {
  const p = start('kcat', ['-b', BOOTSTRAP, '-u', '-G', group, '-X', 'auto.offset.reset=earliest', ...FORMAT, topic]);
  return {
    p,
    records: () => parseRecords(p.output.stdout),
    assigned() {
      const events = [...p.output.stderr.matchAll(/rebalanced \(memberid [^)]*\): (assigned|revoked): ([^\n]*)/g)];
      const last = events.at(-1);
      if (!last || last[1] === 'revoked') return [];
      return [...last[2].matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
    },
  };
}

async function groupRun(p, produceFirst) {
  const want = p.expect ?? p.keys;
  if (produceFirst) await produce(p.topic, p.keys);
  const n = await partitionsOf(p.topic);
  const members = [startMember(p.topic, p.group), startMember(p.topic, p.group)];
  let assigned = null;
  // the members' last words: librdkafka keeps retrying what the broker refuses, printing why
  const explain = () => members.map((m, i) => `member ${i}: ${tail(m.p.output.stderr, 2) || '(nothing on stderr)'}`).join(' / ');
  const alive = () => {
    const dead = members.findIndex((m) => m.p.child.exitCode !== null);
    if (dead >= 0) throw new Error(`kcat member ${dead} exited: ${tail(members[dead].p.output.stderr, 3)}`);
  };
  try {
    if (!produceFirst) {
      await waitUntil(() => {
        alive();
        const a = members.map((m) => m.assigned());
        return a.every((x) => x.length) && a[0].length + a[1].length === n && new Set(a.flat()).size === n;
      }, 'both members to hold partitions', { explain });
      assigned = members.map((m) => m.assigned());
      await produce(p.topic, p.keys);
    }
    await waitUntil(() => (alive(), sawAll(members.flatMap((m) => m.records()), want)), `all ${want.length} records to be consumed`, { explain });
  } finally {
    // SIGTERM: kcat closes its consumer, which commits the offsets it stored
    for (const m of members) m.p.stop('SIGTERM');
    await Promise.all(members.map((m) => m.p.exited));
  }
  const { committed, end } = await viaKafkaPython('offsets', { group: p.group, topic: p.topic });
  return { members: members.map((m, i) => ({ assigned: assigned?.[i] ?? m.assigned(), records: m.records() })), committed, end };
}

/**
 * Each codec: `perCodec` keyed records of `valueBytes` bytes with `kcat -P -z CODEC -d msg`; the
 * codec librdkafka's debug log says the batches went out with, and the records read back.
 */
async function compressed(p) {
  const sentAs = {};
  for (const z of p.codecs) {
    const value = 'x'.repeat(p.valueBytes);
    const input = Array.from({ length: p.perCodec }, (_, i) => `${z}-${i}\t${value}\n`).join('');
    const r = await run('kcat', ['-b', BOOTSTRAP, '-P', '-t', p.topic, '-K', '\t', ...PRODUCE, '-z', z, '-d', 'msg'], { input, timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`kcat -P -z ${z}: exit ${r.code}: ${tail(r.stderr)}`);
    const used = new Set([...r.stderr.matchAll(/Produce MessageSet with .*, (\w+)\)$/gm)].map((m) => m[1]));
    sentAs[z] = r.stderr.includes('not compressing batch') ? 'not compressing batch (librdkafka)' : [...used].join('+') || 'no batch logged';
  }
  const out = await kcat(['-C', '-t', p.topic, '-o', 'beginning', '-e', '-q', '-f', '%k\t%p\t%o\t%S\n']);
  const records = out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [key, partition, offset, size] = l.split('\t');
      return { key, partition: Number(partition), offset: Number(offset), valueBytes: Number(size) };
    });
  return { sentAs, records };
}

await stepMain({
  compressed,
  'create-topic': async (p) => {
    await viaKafkaPython('create-topic', p);
    return { partitions: await partitionsOf(p.topic), note: 'created with kafka-python (kcat cannot), described with kcat -L' };
  },
  produce: async (p) => {
    await produce(p.topic, p.keys);
    // kcat -P reports no offsets: read the fresh topic back
    return { records: parseRecords(await kcat(['-C', '-t', p.topic, '-o', 'beginning', '-e', '-q', ...FORMAT])) };
  },
  group: (p) => groupRun(p, false),
  resume: (p) => groupRun(p, true),
});
