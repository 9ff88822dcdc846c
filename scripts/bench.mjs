#!/usr/bin/env node
// npm run bench: Brook's benchmark suite. Every scenario run starts a fresh broker (a child
// process on a temp data dir); every figure is the median of --runs runs (default 3), with min
// and max beside it. Prints Markdown tables, writes bench-results.json (and, for a full run,
// scripts/bench/RESULTS.md and scripts/bench/results.json with the targets met or missed).
//
//   npm run bench                                  the whole suite (under 10 minutes on 2 cores)
//   npm run bench -- --only produce,latency        a subset (ids below)
//   npm run bench -- --runs 1 --quick              one run each, smaller sizes (a smoke test)
//   npm run bench -- --list                        the scenario ids
//   npm run bench -- --only produce --match single   only the cells whose key contains a string
//
// Options: --only ids, --skip ids, --match text, --runs N, --quick, --json FILE, --write-results (write
// RESULTS.md even for a subset), --no-write-results, --cpu-prof DIR (profile every broker),
// --render FILE (print the Markdown of a saved results JSON again, running nothing).
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createProgress } from './bench/progress.mjs';
import { stats, machineInfo } from './bench/lib.mjs';
import * as produce from './bench/produce.mjs';
import * as consume from './bench/consume.mjs';
import * as latency from './bench/latency.mjs';
import * as rebalance from './bench/rebalance.mjs';
import * as groupsScale from './bench/scale-groups.mjs';
import * as bigGroup from './bench/big-group.mjs';
import * as partitionsScale from './bench/scale-partitions.mjs';
import * as records from './bench/records.mjs';
import * as raw from './bench/raw.mjs';
import { evaluateTargets, renderMarkdown } from './bench/report.mjs';
import { kafkaSectionOf } from './bench/kafka/report.mjs';

const MODULES = [raw, produce, consume, latency, rebalance, records, partitionsScale, groupsScale, bigGroup];

function parseArgs(argv) {
  const o = { runs: 3, quick: false, only: null, skip: [], match: null, json: 'bench-results.json', writeResults: null, list: false, render: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--runs') o.runs = Number(next());
    else if (a.startsWith('--runs=')) o.runs = Number(a.slice(7));
    else if (a === '--only') o.only = next().split(',').filter(Boolean);
    else if (a.startsWith('--only=')) o.only = a.slice(7).split(',').filter(Boolean);
    else if (a === '--skip') o.skip = next().split(',').filter(Boolean);
    else if (a.startsWith('--skip=')) o.skip = a.slice(7).split(',').filter(Boolean);
    else if (a === '--match') o.match = next();
    else if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = next();
    else if (a === '--write-results') o.writeResults = true;
    else if (a === '--no-write-results') o.writeResults = false;
    else if (a === '--list') o.list = true;
    else if (a === '--render') o.render = next();
    else if (a === '--cpu-prof') {
      // Profiles every broker the suite starts (one .cpuprofile per broker process).
      process.env.BENCH_BROKER_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${next()}`;
    }
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm run bench -- [--only ids] [--skip ids] [--match text] [--runs N] [--quick] [--json FILE] [--write-results | --no-write-results] [--cpu-prof DIR] [--render FILE] [--list]',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs must be a positive integer');
  return o;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`bench: ${e.message}`);
  process.exit(2);
}
if (opts.list) {
  for (const m of MODULES) console.log(`${m.id.padEnd(18)} ${m.title}`);
  process.exit(0);
}
if (opts.render) {
  // Prints the Markdown of a saved results file again (after a change to the report's layout).
  const doc = JSON.parse(await readFile(opts.render, 'utf8'));
  doc.targets = evaluateTargets(doc.sections);
  console.log(renderMarkdown(doc, MODULES));
  process.exit(0);
}
const ids = MODULES.map((m) => m.id);
for (const x of [...(opts.only ?? []), ...opts.skip]) {
  if (!ids.includes(x)) {
    console.error(`bench: unknown scenario "${x}"; one of ${ids.join(', ')}`);
    process.exit(2);
  }
}
const selected = MODULES.filter((m) => (!opts.only || opts.only.includes(m.id)) && !opts.skip.includes(m.id));
const full = selected.length === MODULES.length && !opts.quick && !opts.match;

const plan = selected
  .map((m) => ({ module: m, cells: m.cells({ quick: opts.quick }).filter((c) => !opts.match || c.key.includes(opts.match)) }))
  .filter((p) => p.cells.length > 0);
const totalRuns = plan.reduce((n, p) => n + p.cells.length * opts.runs, 0);
const progress = createProgress(totalRuns);
const started = performance.now();
const loadBefore = loadavg()[0];
const sections = {};

// A stray rejection in a scenario's clients must not kill the suite: log it and go on.
process.on('unhandledRejection', (e) => progress.log(`(unhandled rejection: ${e?.message ?? e})`));

for (const { module: m, cells } of plan) {
  const rows = [];
  for (const cell of cells) {
    const perRun = [];
    const runErrors = [];
    for (let run = 0; run < opts.runs; run++) {
      const label = `${m.id}: ${cell.label} [run ${run + 1}/${opts.runs}]`;
      progress.startRun(label);
      let figures = null;
      try {
        figures = await cell.run({ run, progress: (d, t, what) => progress.update(d, t, what), log: (l) => progress.log(l) });
        perRun.push(figures);
      } catch (e) {
        runErrors.push(e?.message ?? String(e));
      }
      progress.endRun(label, figures ? (m.summary?.(figures) ?? '') : `FAILED: ${runErrors[runErrors.length - 1]}`);
    }
    const names = new Set(perRun.flatMap((f) => Object.keys(f)));
    const figures = {};
    const notes = {};
    for (const n of names) {
      const vals = perRun.map((f) => f[n]);
      if (vals.some((v) => typeof v === 'number')) figures[n] = stats(vals.map((v) => (typeof v === 'number' ? v : NaN)));
      else {
        const uniq = [...new Set(vals.filter((v) => v !== undefined && v !== null).map(String))];
        if (uniq.length > 0) notes[n] = uniq.join('; ');
      }
    }
    rows.push({ key: cell.key, label: cell.label, params: cell.params, figures, notes, runs: perRun.length, errors: runErrors });
  }
  sections[m.id] = { title: m.title, rows };
}
progress.stop();

const machine = { ...machineInfo(), loadAverageBefore: loadBefore, loadAverageAfter: loadavg()[0] };
const elapsedSeconds = (performance.now() - started) / 1000;
const targets = evaluateTargets(sections);
const doc = { machine, runs: opts.runs, quick: opts.quick, elapsedSeconds, sections, targets };
const markdown = renderMarkdown(doc, MODULES);
console.log(markdown);
await writeFile(opts.json, JSON.stringify(doc, null, 2));
console.error(`wrote ${opts.json}`);
if (opts.writeResults ?? full) {
  const mdPath = fileURLToPath(new URL('./bench/RESULTS.md', import.meta.url));
  const jsonPath = fileURLToPath(new URL('./bench/results.json', import.meta.url));
  // the Kafka side-by-side section is bench:kafka's: kept as it was
  const kafkaSection = existsSync(mdPath) ? kafkaSectionOf(readFileSync(mdPath, 'utf8')) : '';
  await writeFile(mdPath, markdown.trimEnd() + '\n' + (kafkaSection ? `\n${kafkaSection}\n` : ''));
  await writeFile(jsonPath, JSON.stringify(doc, null, 2) + '\n');
  console.error(`wrote scripts/bench/RESULTS.md and scripts/bench/results.json`);
}
process.exit(0);
