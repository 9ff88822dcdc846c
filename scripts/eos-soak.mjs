#!/usr/bin/env node
// Exactly-once under SIGKILL, with real processes (`npm run soak:eos`):
//
// 1. Consume-transform-produce: scripts/examples/exactly-once-processor.mjs doubles numbers from
//    `in` into `out` in transactions (outputs + input offsets). While inputs keep arriving, the
//    processor is killed with SIGKILL at random moments and restarted; one round freezes it with
//    SIGSTOP, starts a successor (which fences it), then resumes the frozen zombie. At the end a
//    read_committed reader of `out` must see every input exactly once, and nothing of the aborted
//    transactions (which a read_uncommitted reader does see).
// 2. The idempotent sink: scripts/examples/idempotent-sink.mjs sums payments into LevelDB; a run
//    killed with SIGKILL again and again must end with the same database as a run never killed.
//
//   node scripts/eos-soak.mjs [kills=6] [inputs=3000] [seed=1]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Brook, logLevel } from '@brook/client';
import { startChildBroker } from './lib/broker.mjs';

const kills = Number(process.argv[2] ?? 6);
const inputs = Number(process.argv[3] ?? 3000);
let seed = Number(process.argv[4] ?? 1);
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const processorJs = fileURLToPath(new URL('./examples/exactly-once-processor.mjs', import.meta.url));
const sinkJs = fileURLToPath(new URL('./examples/idempotent-sink.mjs', import.meta.url));
const started = Date.now();
const deadline = started + 170_000;

const broker = await startChildBroker('brook-eos-', ['--group-min-session-timeout', '1000']);
const brook = new Brook({ url: broker.url, clientId: 'eos-soak', logLevel: logLevel.NOTHING, retry: { retries: 20 } });
const tmp = await mkdtemp(join(tmpdir(), 'brook-eos-sink-'));
let failed = false;
try {
  const admin = brook.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'in', numPartitions: 4 }, { topic: 'out', numPartitions: 4 }] });

  // ---- 1. consume-transform-produce
  // workMs: time spent inside each transaction; the zombie-to-be works slowly, so that it is
  // frozen in the middle of a transaction and tries to finish it when it wakes up.
  const spawnProcessor = (workMs = 20) => {
    const p = spawn(process.execPath, [processorJs, '--url', broker.url, '--in', 'in', '--out', 'out', '--session-timeout', '1500', '--work-ms', String(workMs), '--max-batch-bytes', '4096'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    p.exitInfo = new Promise((r) => p.on('exit', (code, signal) => r({ code, signal })));
    p.stderr.setEncoding('utf8');
    p.log = '';
    p.stderr.on('data', (d) => (p.log += d));
    return p;
  };
  const producer = brook.producer();
  await producer.connect();
  let produced = 0;
  const feeding = (async () => {
    while (produced < inputs && Date.now() < deadline) {
      const n = Math.min(inputs - produced, Math.ceil(inputs / (10 * Math.max(kills, 2))));
      await producer.send({ topic: 'in', messages: Array.from({ length: n }, (_, i) => ({ key: String(produced + i), value: String(produced + i) })) });
      produced += n;
      await sleep(150);
    }
  })();
  let zombiesFenced = 0;
  for (let k = 0; k < kills && Date.now() < deadline; k++) {
    const p = spawnProcessor(k === 1 ? 300 : 20);
    if (k === 1) {
      // Freeze it while it is working: running, and some of its outputs committed.
      for (let i = 0; i < 100 && !p.log.includes('processor running'); i++) await sleep(50);
      await sleep(800);
    } else await sleep(300 + rand() * 1200);
    if (k === 1) {
      // The zombie round: freeze it, let a successor fence it, then let it run again.
      p.kill('SIGSTOP');
      const successor = spawnProcessor();
      await sleep(2500);
      p.kill('SIGCONT');
      const r = await Promise.race([p.exitInfo, sleep(12_000).then(() => null)]);
      if (r && r.code === 3) zombiesFenced++;
      else console.error(`the zombie did not report being fenced (${JSON.stringify(r)}): ${p.log.trim().split('\n').slice(-3).join(' | ')}`);
      p.kill('SIGKILL');
      await sleep(rand() * 800);
      successor.kill('SIGKILL');
      await successor.exitInfo;
    } else {
      p.kill('SIGKILL');
    }
    await p.exitInfo;
  }
  await feeding;
  const last = spawnProcessor();

  // A read_committed reader and a read_uncommitted reader of `out`.
  const read = async (groupId, isolationLevel, until) => {
    const values = [];
    const c = brook.consumer({ groupId, isolationLevel });
    await c.connect();
    await c.subscribe({ topics: ['out'], fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void values.push(Number(message.value.toString())) });
    let stableSince = Date.now();
    let n = -1;
    while (Date.now() < deadline) {
      if (values.length !== n) {
        n = values.length;
        stableSince = Date.now();
      }
      if (until(values) && Date.now() - stableSince > 1500) break;
      await sleep(100);
    }
    await c.disconnect();
    return values;
  };
  const committed = await read('verify-committed', 'read_committed', (v) => v.length >= produced);
  last.kill('SIGKILL');
  await last.exitInfo;
  const uncommitted = await read('verify-uncommitted', 'read_uncommitted', (v) => v.length >= committed.length);

  const counts = new Map();
  for (const v of committed) counts.set(v, (counts.get(v) ?? 0) + 1);
  let missing = 0;
  let duplicated = 0;
  for (let i = 0; i < produced; i++) {
    const c = counts.get(2 * i) ?? 0;
    if (c === 0) missing++;
    if (c > 1) duplicated += c - 1;
  }
  const foreign = committed.filter((v) => v % 2 !== 0 || v < 0 || v >= 2 * produced).length;
  const abortedRecords = uncommitted.length - committed.length;
  console.log(
    `eos: kills ${kills}, inputs ${produced}, read_committed outputs ${committed.length}, missing ${missing}, duplicated ${duplicated}, foreign ${foreign}, aborted records (read_uncommitted only) ${abortedRecords}, zombies fenced ${zombiesFenced}`,
  );
  if (missing || duplicated || foreign || committed.length !== produced) failed = true;

  // ---- 2. the idempotent sink
  const sinkRun = (db, group, extra = []) => {
    const p = spawn(process.execPath, [sinkJs, '--url', broker.url, '--topic', 'payments', '--group', group, '--db', db, '--session-timeout', '1500', '--work-ms', '5', '--max-batch-bytes', '2048', '--progress', ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let progress = 0;
    p.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d) => {
      const m = /progress (\d+)\s*$/.exec(d);
      if (m) progress = Number(m[1]);
    });
    return { proc: p, progress: () => progress, done: new Promise((r) => p.on('exit', (code, signal) => r({ code, signal, out }))) };
  };
  const payments = Math.max(200, inputs);
  const clean = await sinkRun(join(tmp, 'clean'), 'sink-clean', ['--seed', String(payments), '--until', String(payments)]).done;
  let sinkKills = 0;
  for (let k = 0; k < kills && Date.now() < deadline; k++) {
    // Kill each run mid-stream: once the database holds a random share of the payments.
    const target = Math.floor((payments * (k + rand())) / (kills + 1));
    const run = sinkRun(join(tmp, 'killed'), 'sink-killed', ['--until', String(payments)]);
    const exited = run.done.then(() => true);
    while (run.progress() < target && !(await Promise.race([exited, sleep(5).then(() => false)])));
    run.proc.kill('SIGKILL');
    const r = await run.done;
    if (r.signal === 'SIGKILL') sinkKills++;
    else console.error(`sink run ended before the kill (target ${target}, progress ${run.progress()}): ${r.code}`);
  }
  const finalRun = await sinkRun(join(tmp, 'killed'), 'sink-killed', ['--until', String(payments)]).done;
  const same = clean.out.trim() !== '' && clean.out.trim() === finalRun.out.trim();
  console.log(`sink: payments ${payments}, kills ${sinkKills}, final state equals the uncrashed run's: ${same}`);
  if (!same) {
    console.log(`clean: ${clean.out.trim()}\nkilled: ${finalRun.out.trim()}`);
    failed = true;
  }
  await admin.disconnect();
  await producer.disconnect();
} finally {
  await broker.stop();
  await rm(tmp, { recursive: true, force: true });
}
console.log(`eos-soak: ${failed ? 'FAILED' : 'ok'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
