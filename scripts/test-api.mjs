#!/usr/bin/env node
// npm run test:api: schemathesis (PyPI) generates requests from the broker's own /openapi.json and
// checks every answer against it (`--checks all`: status codes, schemas, content types, headers,
// negative cases must be refused...). A fresh broker on a free port, in a temp data dir. Any
// failure of any kind fails the run. Settings a schema cannot carry: scripts/schemathesis.toml. schemathesis is installed once into a venv under the cache
// dir ($XDG_CACHE_HOME or ~/.cache)/brook/schemathesis-venv; BROOK_SCHEMATHESIS overrides the binary.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildBroker } from './lib/broker.mjs';

const SCHEMATHESIS_VERSION = '4.32.*';
const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'brook');
const venv = join(cacheDir, 'schemathesis-venv');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

function schemathesisBinary() {
  if (process.env.BROOK_SCHEMATHESIS) return process.env.BROOK_SCHEMATHESIS;
  const bin = join(venv, 'bin', 'schemathesis');
  if (!existsSync(bin)) {
    console.log(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${venv}`);
    run('python3', ['-m', 'venv', venv]);
    run(join(venv, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`]);
  }
  return bin;
}

mkdirSync(cacheDir, { recursive: true });
const bin = schemathesisBinary();
const broker = await startChildBroker('brook-api-test-');
let code = 1;
try {
  const args = [
    '--config-file',
    fileURLToPath(new URL('schemathesis.toml', import.meta.url)),
    'run',
    `${broker.httpUrl}/openapi.json`,
    '--checks',
    'all',
    '--max-examples',
    process.env.BROOK_API_MAX_EXAMPLES ?? '30',
    '--workers',
    '1',
    // Same inputs each run, so a failure seen once is seen again; BROOK_API_SEED=N explores other inputs.
    ...(process.env.BROOK_API_SEED ? ['--seed', process.env.BROOK_API_SEED] : ['--generation-deterministic']),
    '--generation-database',
    'none',
  ];
  // Run from the cache dir: schemathesis keeps its state (.schemathesis/) in the working directory, not in the repo.
  const child = spawn(bin, args, { stdio: 'inherit', cwd: cacheDir });
  code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
} finally {
  await broker.stop();
}
if (code !== 0) console.error(`npm run test:api: schemathesis reported failures (exit ${code})`);
process.exit(code);
