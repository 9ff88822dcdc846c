// What the cells of `npm run bench:kafka` run: Kafka's Java tools and the programs beside this
// file (full JIT and G1, as Kafka's *-perf-test.sh scripts run them, unlike the C1-only flags the
// client harness starts its short tools with), the Node client, topics, and the broker's usage.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { javaArgs, repoRoot } from '../../kafka/lib/paths.mjs';
import { run, tail } from '../../kafka/lib/proc.mjs';
import { procCpuSeconds, procPeakRssBytes } from '../../lib/broker.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Runs a Kafka tool's main class or a program beside this file (`X.java`); throws with its last words on failure. */
export async function java(mainOrFile, args, { timeoutMs = 300_000 } = {}) {
  const main = mainOrFile.endsWith('.java') ? join(here, mainOrFile) : mainOrFile;
  const r = await run('java', javaArgs(main, args, ['-Xmx512m', '-XX:+UseG1GC']), { timeoutMs });
  if (r.code !== 0 || r.timedOut) throw new Error(`${mainOrFile} ${r.timedOut ? 'timed out' : `exited ${r.code}`}: ${tail(r.stderr + r.stdout, 3)}`);
  return r.stdout;
}

/** The JSON of the `RESULT {...}` line a program printed. */
export function resultOf(stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in: ${tail(stdout, 3)}`);
  return JSON.parse(line.slice(7));
}

/** node-client.mjs in its own process (KafkaJS or Brook's SDK). */
export async function nodeClient(params, { timeoutMs = 300_000 } = {}) {
  const r = await run(process.execPath, [join(here, 'node-client.mjs'), JSON.stringify(params)], { timeoutMs });
  if (r.code !== 0 || r.timedOut) throw new Error(`node-client ${params.client} ${params.mode} ${r.timedOut ? 'timed out' : `exited ${r.code}`}: ${tail(r.stderr + r.stdout, 3)}`);
  return resultOf(r.stdout);
}

const kafkajs = createRequire(join(repoRoot, 'package.json'))('kafkajs');

/** Creates a topic with KafkaJS's admin (no JVM start per topic) and waits for its leaders; `configs`: topic configs. */
export async function createTopic(bootstrap, topic, numPartitions, configs = {}) {
  const admin = new kafkajs.Kafka({ clientId: 'bench-kafka-admin', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value: String(value) }));
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1, configEntries }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** The broker's peak resident memory (VmHWM) and CPU time so far, from /proc (Linux). */
export function brokerUsage(pid) {
  try {
    return { peakRssMB: Math.round(procPeakRssBytes(pid) / 2 ** 20), cpuSeconds: +procCpuSeconds(pid).toFixed(1) };
  } catch {
    return null;
  }
}
