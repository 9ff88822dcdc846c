#!/usr/bin/env node
// `npm run test:conformance`: the scenarios that define Brook's guarantees
// (client-sdk/test/conformance/*.conformance.test.ts, written once with the SDK) against each
// target in turn: Brook over WebSocket, Brook over its Kafka port, and a 3-node Apache Kafka 4.4
// cluster from the Maven Central jars (scripts/kafka/lib/kafka-cluster.mjs; needs java and mvn,
// skipped with a line saying so otherwise).
//
//   node scripts/conformance.mjs [--target websocket,kafka-port,kafka-cluster]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ALL = ['websocket', 'kafka-port', 'kafka-cluster'];
const i = process.argv.indexOf('--target');
const targets = i > 0 ? process.argv[i + 1].split(',') : ALL;
for (const t of targets) if (!ALL.includes(t)) throw new Error(`unknown target ${t} (${ALL.join(', ')})`);

function vitest(target, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.suite.config.ts', ...(target === 'kafka-cluster' ? ['--no-file-parallelism'] : [])], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, BROOK_SUITE: 'conformance', BROOK_CONFORMANCE_TARGET: target, ...env },
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

async function onCluster() {
  if (!has('java') || !has('mvn')) return { skip: 'needs java and mvn on PATH' };
  const { installJars } = await import('./kafka/lib/clients.mjs');
  const { createKafkaCluster } = await import('./kafka/lib/kafka-cluster.mjs');
  const noJars = await installJars();
  if (noJars) return { skip: noJars };
  const dir = mkdtempSync(join(tmpdir(), 'brook-conformance-cluster-'));
  const t0 = Date.now();
  const cluster = await createKafkaCluster(dir);
  console.log(`conformance: 3-node Kafka cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${cluster.bootstrap}`);
  try {
    return { code: await vitest('kafka-cluster', { BROOK_CONFORMANCE_BROKERS: cluster.bootstrap }) };
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const target of targets) {
  console.log(`\n=== conformance: ${target} ===`);
  const t0 = Date.now();
  const r = target === 'kafka-cluster' ? await onCluster() : { code: await vitest(target) };
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  const line = r.skip ? `SKIP ${target}: ${r.skip}` : `${r.code === 0 ? 'PASS' : 'FAIL'} ${target} (${secs} s)`;
  results.push({ target, ...r, line });
}
console.log('\nconformance:');
for (const r of results) console.log(`  ${r.line}`);
process.exit(results.some((r) => r.code !== undefined && r.code !== 0) ? 1 : 0);
