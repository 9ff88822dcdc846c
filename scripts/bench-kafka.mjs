#!/usr/bin/env node
// `npm run bench:kafka`: the same clients against Brook's Kafka port and against Apache Kafka 4.4
// (from the Maven Central jars of scripts/kafka/), one target after the other in one run, each on
// a fresh data dir:
//   - brook           Brook's defaults (a record is visible and acknowledged after its fsync)
//   - kafka-flush1    Kafka with log.flush.interval.messages=1 (fsync per append: Brook's guarantee)
//   - kafka-default   Kafka's default flush (the page cache; the figure people quote)
// What runs against each (bench/kafka/cells.mjs): Java ProducerPerformance (100 B and 1 KiB,
// acks all and 1, 1 and 6 partitions), ConsumerPerformance and a group of 3 Java consumers over
// the same records, Kafka's EndToEndLatency and a paced run at 1,000 and 5,000 msg/s, KafkaJS and
// Brook's SDK (Kafka's protocol; and WebSocket, on Brook only).
//
//   npm run bench:kafka                       every cell, every target, 1 run each
//   node scripts/bench-kafka.mjs --quick      a tenth of the records, 2 s paced runs (a smoke run)
//   node scripts/bench-kafka.mjs --runs 3     the median of 3 runs per cell
//   node scripts/bench-kafka.mjs --only java-produce,latency --targets brook,kafka-default
//   --no-write-results                        do not touch scripts/bench/RESULTS.md
//
// It writes scripts/bench/kafka-results.json and the "Side by side with Apache Kafka" section of
// scripts/bench/RESULTS.md (between its markers; `npm run bench` keeps that section).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir, loadavg, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installJars } from './kafka/lib/clients.mjs';
import { createBrookTarget } from './kafka/lib/brook-target.mjs';
import { createKafkaTarget } from './kafka/lib/kafka-target.mjs';
import { KAFKA_VERSION } from './kafka/lib/paths.mjs';
import { CELLS } from './bench/kafka/cells.mjs';
import { renderKafkaSection, spliceSection } from './bench/kafka/report.mjs';
import { brokerUsage } from './bench/kafka/tools.mjs';
import { procCpuSeconds } from './lib/broker.mjs';

const cpuSecondsOf = (pid) => {
  try {
    return procCpuSeconds(pid);
  } catch {
    return undefined;
  }
};

/**
 * Waits until the broker used under 5% of a core over the last second (its background work is
 * done); null if it still was not after 60 s (or is gone), the time waited otherwise.
 */
async function untilIdle(pid) {
  const t0 = performance.now();
  const window = [];
  for (;;) {
    const cpu = cpuSecondsOf(pid);
    if (cpu === undefined) return null;
    window.push({ t: performance.now(), cpu });
    while (window.length > 1 && window[0].t < performance.now() - 1000) window.shift();
    const first = window[0];
    const spanMs = performance.now() - first.t;
    if (spanMs >= 900 && (cpu - first.cpu) / (spanMs / 1000) < 0.05) return performance.now() - t0;
    if (performance.now() - t0 > 60_000) return null;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const opts = {
  quick: flag('--quick'),
  runs: Number(value('--runs', '1')),
  only: value('--only', null)?.split(','),
  targets: value('--targets', 'brook,brook-relaxed,kafka-flush1,kafka-default').split(','),
  writeResults: !flag('--no-write-results'),
};

const TARGETS = {
  brook: { label: 'Brook', start: (dir) => createBrookTarget(dir) },
  'kafka-flush1': {
    label: 'Kafka, flush.messages=1',
    start: (dir) => createKafkaTarget(dir, { heap: '1g', extraProps: { 'log.flush.interval.messages': 1 } }),
  },
  'kafka-default': { label: 'Kafka, default flush', start: (dir) => createKafkaTarget(dir, { heap: '1g' }) },
  // Kafka's trade on Brook: every topic the cells create has flush.ms=1000 (visible once written,
  // fsynced within a second), the like-for-like comparison with Kafka's default flush.
  'brook-relaxed': { label: 'Brook, flush.ms=1000', start: async (dir) => Object.assign(await createBrookTarget(dir), { topicConfigs: { 'flush.ms': 1000 } }) },
};

const jarsMissing = await installJars();
if (jarsMissing) {
  console.error(`bench:kafka needs Kafka's jars: ${jarsMissing}`);
  process.exit(1);
}

const started = performance.now();
const loadBefore = loadavg()[0];
const cells = CELLS.filter((c) => !opts.only || opts.only.includes(c.group));
/** results[cellId][target] = { runs: [...], median } */
const results = {};
const usage = {};

for (const targetName of opts.targets) {
  const def = TARGETS[targetName];
  if (!def) throw new Error(`unknown target ${targetName} (${Object.keys(TARGETS).join(', ')})`);
  const dir = mkdtempSync(join(tmpdir(), `brook-bench-kafka-${targetName}-`));
  console.error(`\n=== ${def.label}: starting on ${dir}`);
  const target = await def.start(dir);
  try {
    for (const cell of cells) {
      if (cell.only && !cell.only.includes(targetName)) continue;
      const runs = [];
      for (let r = 0; r < opts.runs; r++) {
        // Every cell starts on an idle broker, so it does not run beside the background work an
        // earlier one left (LevelDB's compactions after a produce cell), and that work counts to
        // the cell that left it.
        await untilIdle(target.pid);
        const t0 = performance.now();
        const cpu0 = cpuSecondsOf(target.pid);
        let res;
        try {
          res = await cell.run({ target, targetName, quick: opts.quick, run: r });
          const ran = performance.now();
          const idleAfter = await untilIdle(target.pid);
          const cpu1 = cpuSecondsOf(target.pid);
          if (cpu0 !== undefined && cpu1 !== undefined) res.brokerCpuSeconds = +(cpu1 - cpu0).toFixed(2);
          res.settledSeconds = idleAfter === null ? null : +((performance.now() - ran) / 1000).toFixed(1);
        } catch (e) {
          res = { error: String(e?.message ?? e).slice(0, 300) };
        }
        const dead = target.died();
        if (dead) res = { error: dead };
        runs.push(res);
        console.error(`${targetName} ${cell.id} #${r + 1}: ${JSON.stringify(res)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
        if (dead) throw new Error(dead);
      }
      (results[cell.id] ??= {})[targetName] = { runs, median: median(runs, cell.metric) };
    }
    usage[targetName] = brokerUsage(target.pid);
  } finally {
    await target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const doc = {
  date: new Date().toISOString(),
  kafkaVersion: KAFKA_VERSION,
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, memGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version },
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadavg()[0],
  minutes: +((performance.now() - started) / 60_000).toFixed(1),
  opts,
  targets: Object.fromEntries(opts.targets.map((t) => [t, TARGETS[t].label])),
  cells: cells.map(({ id, group, label, metric, better, unit }) => ({ id, group, label, metric, better, unit })),
  results,
  usage,
};
const markdown = renderKafkaSection(doc);
console.log(markdown);
const jsonPath = fileURLToPath(new URL('./bench/kafka-results.json', import.meta.url));
const mdPath = fileURLToPath(new URL('./bench/RESULTS.md', import.meta.url));
if (opts.writeResults) {
  writeFileSync(jsonPath, JSON.stringify(doc, null, 2) + '\n');
  const old = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : '# Brook benchmark results\n';
  writeFileSync(mdPath, spliceSection(old, markdown));
  console.error('wrote scripts/bench/kafka-results.json and the Kafka section of scripts/bench/RESULTS.md');
}
process.exit(0);

/** The median run by the cell's metric (runs that failed are left out; all failed: the first error). */
function median(runs, metric) {
  const ok = runs.filter((r) => !r.error && Number.isFinite(r[metric]));
  if (ok.length === 0) return runs[0];
  ok.sort((a, b) => a[metric] - b[metric]);
  return { ...ok[Math.floor((ok.length - 1) / 2)], min: ok[0][metric], max: ok.at(-1)[metric] };
}
