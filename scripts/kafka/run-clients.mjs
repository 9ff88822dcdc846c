#!/usr/bin/env node
// npm run test:kafka-clients: real Kafka clients (Apache Kafka's Java tools, kafka-python,
// confluent-kafka, KafkaJS, kcat) against a fresh Brook's Kafka port and against a real Apache
// Kafka 4.4 single node, the same scenarios on both. Installs what it needs into
// scripts/kafka/.cache (jars, venv) or from Debian (kcat). One PASS/FAIL/SKIP line per
// (target, client, scenario); summary in scripts/kafka/results/; exit 1 on any failure.
//
//   node scripts/kafka/run-clients.mjs [--target brook|kafka|both] [--client java,kcat,...] [--keep] [--serial]
import { mkdtempSync, mkdirSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBrookTarget } from './lib/brook-target.mjs';
import { bindClient, clientDefs, installJars } from './lib/clients.mjs';
import { createKafkaTarget } from './lib/kafka-target.mjs';
import { kafkaDir } from './lib/paths.mjs';
import { afterRestart, beforeRestart } from './lib/scenarios.mjs';
import { diffApiVersions, writeSummary } from './lib/summary.mjs';

const { values: opts } = parseArgs({
  options: {
    target: { type: 'string', default: 'both' },
    client: { type: 'string', default: Object.keys(clientDefs).join(',') },
    keep: { type: 'boolean', default: false },
    serial: { type: 'boolean', default: false },
  },
});
const targets = opts.target === 'both' ? ['kafka', 'brook'] : [opts.target];
const clients = opts.client.split(',').filter(Boolean);
for (const t of targets) if (!['kafka', 'brook'].includes(t)) throw new Error(`--target must be brook, kafka or both, got ${t}`);
for (const c of clients) if (!clientDefs[c]) throw new Error(`unknown --client ${c}; known: ${Object.keys(clientDefs).join(', ')}`);

const resultsDir = join(kafkaDir, 'results');
mkdirSync(resultsDir, { recursive: true });
const stepLog = join(resultsDir, 'steps.log');
writeFileSync(stepLog, '');
const results = [];
const observations = {}; // target -> { apiVersions }
const t0 = Date.now();

function report(target, client, scenario, status, detail, ms) {
  results.push({ target, client, scenario, status, detail, ms });
  const time = ms === undefined ? '' : ` (${(ms / 1000).toFixed(1)} s)`;
  console.log(`${status.padEnd(4)} ${target.padEnd(5)} ${client.padEnd(15)} ${scenario}${time}: ${detail.replace(/\s*\n\s*/g, ' | ')}`);
}

// Install first (once for both targets), so a client that cannot be had is skipped everywhere.
const available = [];
for (const name of clients) {
  const skip = await clientDefs[name].install();
  if (skip) for (const t of targets) report(t, name, '*', 'SKIP', skip);
  else available.push(name);
}

async function runScenario(target, client, s, died) {
  const start = Date.now();
  const gone = died();
  if (gone) return report(target, client.name, s.name, 'FAIL', `broker not running: ${gone}`, 0);
  try {
    const detail = await s.run();
    report(target, client.name, s.name, 'PASS', detail, Date.now() - start);
  } catch (e) {
    report(target, client.name, s.name, 'FAIL', e.message, Date.now() - start);
  }
}

/**
 * Runs each client's scenarios in order. The Java tools (a JVM per step, half the run) go in a
 * lane of their own beside the other clients, which take turns in a second lane; each client has
 * its own topics and groups, so the lanes do not meet. `--serial`: one lane.
 */
async function inLanes(bound, scenariosOf, target) {
  const lane = async (cs) => {
    for (const c of cs) for (const s of scenariosOf(c)) await runScenario(target.name, c, s, target.died);
  };
  if (opts.serial) return lane(bound);
  await Promise.all([lane(bound.filter((c) => c.name === 'java')), lane(bound.filter((c) => c.name !== 'java'))]);
}

for (const targetName of targets) {
  const work = mkdtempSync(join(tmpdir(), `kafka-clients-${targetName}-`));
  const began = Date.now();
  let target;
  try {
    if (targetName === 'kafka') {
      const noJars = await installJars();
      if (noJars) throw new Error(`cannot run Apache Kafka: ${noJars}`);
    }
    target = targetName === 'kafka' ? await createKafkaTarget(work) : await createBrookTarget(work);
    report(targetName, '-', `start broker at ${target.bootstrap}`, 'PASS', work, Date.now() - began);
  } catch (e) {
    report(targetName, '-', 'start broker', 'FAIL', e.message, Date.now() - began);
    continue;
  }
  const log = (text) => appendFileSync(stepLog, `[${targetName}] ${text}\n`);
  const bound = available.map((name) => bindClient(name, target.bootstrap, log));
  const observe = (what, value) => ((observations[targetName] ??= {})[what] = value);
  try {
    await inLanes(bound, (c) => beforeRestart(c, observe), target);
    const r0 = Date.now();
    try {
      await target.restart();
      report(targetName, '-', 'restart broker (same data dir and port)', 'PASS', target.bootstrap, Date.now() - r0);
      await inLanes(bound, afterRestart, target);
    } catch (e) {
      report(targetName, '-', 'restart broker (same data dir and port)', 'FAIL', e.message, Date.now() - r0);
    }
  } finally {
    await target.stop();
    writeFileSync(join(resultsDir, `${targetName}-broker.log`), target.logText());
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
    else console.log(`kept ${work}`);
  }
}

// Where Brook's ApiVersions answer differs from Kafka's (not a failure: the compatibility table)
const apiDiffs = diffApiVersions(observations.kafka?.apiVersions, observations.brook?.apiVersions);
if (apiDiffs.length) {
  console.log(`\nApiVersions, Kafka 4.4 vs Brook (${apiDiffs.length} differ):`);
  for (const d of apiDiffs) console.log(`  ${d.api.padEnd(36)} kafka ${d.kafka.padEnd(12)} brook ${d.brook}`);
}

const count = (s) => results.filter((r) => r.status === s).length;
writeSummary(resultsDir, results, { seconds: (Date.now() - t0) / 1000, apiDiffs, clients: ['-', ...clients] });
console.log(`\nsummary: ${join(resultsDir, 'summary.md')}, client output: ${stepLog}, broker logs: ${resultsDir}/*-broker.log`);
console.log(`kafka-clients: ${count('PASS')} passed, ${count('FAIL')} failed, ${count('SKIP')} skipped`);
process.exit(count('FAIL') ? 1 : 0);
