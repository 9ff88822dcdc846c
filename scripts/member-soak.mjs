#!/usr/bin/env node
// Consumer-group members crashing under load (`npm run soak:members`), with real processes: a
// broker child process, a topic with 6 partitions, a producer sending numbered messages the whole
// time, and a group of 3 members, each its own Node process (scripts/lib/soak-member.mjs) that
// appends every message it processes to its own file with a synchronous write. Each round either
// kills a member with SIGKILL and starts a replacement, or freezes one with SIGSTOP until the broker
// expels it (session timeout 1.5 s), then lets it run again with SIGCONT: a zombie that must be
// fenced (drop its partitions without committing, rejoin). Meanwhile the group's committed offsets
// are polled: they must never go backwards. Then production stops, the group drains, and the files
// are checked against what the producer had acknowledged:
//   at-least-once: every produced message processed at least once (duplicates allowed, counted);
//   at-most-once:  no message processed twice (losses allowed, counted).
// One summary line per mode; exit status 1 if a promise was broken.
//
//   node scripts/member-soak.mjs [rounds=12] [modes=at-least-once,at-most-once] [seed=1]
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Brook, logLevel } from '@brook/client';
import { startChildBroker } from './lib/broker.mjs';

const rounds = Number(process.argv[2] ?? 12);
const modes = (process.argv[3] ?? 'at-least-once,at-most-once').split(',');
let seed = Number(process.argv[4] ?? 1);
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const memberJs = fileURLToPath(new URL('./lib/soak-member.mjs', import.meta.url));
const PARTITIONS = 6;
const MEMBERS = 3;
const SESSION_MS = 1500;
const deadline = Date.now() + 60_000 + rounds * 8_000 * modes.length;
const tty = process.stderr.isTTY;
const status = (s) => tty && process.stderr.write(`\r${s}`.padEnd(100));

for (const m of modes) {
  if (m !== 'at-least-once' && m !== 'at-most-once') {
    console.error(`member-soak: unknown mode "${m}" (at-least-once, at-most-once)`);
    process.exit(2);
  }
}

// Never leave processes behind, whatever happens to this one.
const children = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const broker = await startChildBroker('brook-member-soak-', ['--group-min-session-timeout', '1000', '--group-heartbeat-interval', '300']);
children.push(broker.proc);
const dir = await mkdtemp(join(tmpdir(), 'brook-member-soak-files-'));
const brook = new Brook({ url: broker.url, clientId: 'member-soak', logLevel: logLevel.NOTHING, retry: { retries: 20 } });
const admin = brook.admin();
await admin.connect();
let failed = false;

class Member {
  constructor(mode, topic, groupId, n) {
    this.file = join(dir, `${mode}-member-${n}.log`);
    this.events = [];
    this.proc = spawn(
      process.execPath,
      [memberJs, JSON.stringify({ url: broker.url, groupId, topic, mode, file: this.file, sessionTimeout: SESSION_MS, heartbeatInterval: 300, workMs: 1 })],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(this.proc);
    createInterface({ input: this.proc.stdout }).on('line', (l) => {
      try {
        this.events.push(JSON.parse(l));
      } catch {
        /* not an event */
      }
    });
    this.exited = new Promise((r) => this.proc.on('exit', () => r()));
  }
  owns() {
    return [...this.events].reverse().find((e) => e.ev === 'owned')?.partitions ?? 0;
  }
  count(ev) {
    return this.events.filter((e) => e.ev === ev).length;
  }
  async waitFor(ev, n, ms) {
    for (const end = Date.now() + ms; this.count(ev) < n && Date.now() < end; ) await sleep(25);
    return this.count(ev) >= n;
  }
  async stop() {
    this.proc.kill('SIGTERM');
    if (await Promise.race([this.exited.then(() => true), sleep(10_000).then(() => false)])) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }
}

async function soak(mode) {
  const topic = `members-${mode}`;
  const groupId = `members-${mode}-group`;
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });

  // The producer: numbered messages, 25 every ~20 ms, until the rounds are over.
  const producer = brook.producer();
  await producer.connect();
  const produced = new Set();
  let next = 0;
  let producing = true;
  let produceErrors = 0;
  const feeding = (async () => {
    while (producing && Date.now() < deadline) {
      const values = Array.from({ length: 25 }, () => `${mode}-${next++}`);
      try {
        await producer.send({ topic, messages: values.map((value) => ({ value })) });
        for (const v of values) produced.add(v);
      } catch {
        produceErrors++; // not acknowledged: not counted as produced
      }
      await sleep(20);
    }
  })();

  // Committed offsets must never go backwards, whoever commits (zombies included).
  const high = new Map();
  let regressions = 0;
  let watching = true;
  const committed = async () => {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((t?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  };
  const watcher = (async () => {
    while (watching) {
      try {
        for (const [p, o] of await committed()) {
          if (o < (high.get(p) ?? -1)) regressions++;
          high.set(p, Math.max(o, high.get(p) ?? -1));
        }
      } catch {
        /* the next poll */
      }
      await sleep(50);
    }
  })();

  let n = 0;
  const all = [];
  const spawnMember = () => {
    const m = new Member(mode, topic, groupId, n++);
    all.push(m);
    return m;
  };
  let live = Array.from({ length: MEMBERS }, spawnMember);
  for (const m of live) if (!(await m.waitFor('ready', 1, 20_000))) throw new Error(`a ${mode} member did not start`);
  await sleep(1000);

  let kills = 0;
  let zombies = 0;
  let zombiesFenced = 0;
  let done = 0;
  for (let round = 0; round < rounds && Date.now() < deadline; round++, done++) {
    status(`${mode}: round ${round + 1}/${rounds}, produced ${produced.size}`);
    let victim = live[Math.floor(random() * live.length)];
    if (round % 3 === 1) {
      // A zombie: frozen past its session timeout (expelled, partitions moved), then resumed. It
      // must own partitions when frozen, or there is nothing to fence.
      for (let i = 0; i < 100 && victim.owns() === 0; i++) {
        await sleep(50);
        victim = live.find((m) => m.owns() > 0) ?? victim;
      }
      const fencedBefore = victim.count('fenced');
      victim.proc.kill('SIGSTOP');
      zombies++;
      await sleep(SESSION_MS + 1000 + random() * 500);
      victim.proc.kill('SIGCONT');
      if (await victim.waitFor('fenced', fencedBefore + 1, 5000)) zombiesFenced++;
      await sleep(500);
    } else {
      victim.proc.kill('SIGKILL');
      await victim.exited;
      kills++;
      live = live.filter((m) => m !== victim);
      live.push(spawnMember());
      await sleep(800 + random() * 1200);
    }
  }
  producing = false;
  await feeding;
  await producer.disconnect();

  // Drain: every partition's committed offset reaches its end offset (bounded in time).
  status(`${mode}: draining ${produced.size} messages`);
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  for (const end = Math.min(Date.now() + 30_000, deadline + 30_000); Date.now() < end; ) {
    const c = await committed().catch(() => new Map());
    if ([...ends].every(([p, e]) => (c.get(p) ?? -1) >= e)) break;
    await sleep(200);
  }
  await sleep(500); // handlers still running on their last messages
  await Promise.all(live.map((m) => m.stop()));
  watching = false;
  await watcher;

  // What was processed, from the members' files (a line is written whole by one write).
  const counts = new Map();
  let processed = 0;
  for (const m of all) {
    const text = await readFile(m.file, 'utf8').catch(() => '');
    for (const v of text.split('\n')) {
      if (!v) continue;
      processed++;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
  }
  let lost = 0;
  for (const v of produced) if (!counts.has(v)) lost++;
  let duplicated = 0;
  for (const c of counts.values()) duplicated += c - 1;
  const crashed = all.filter((m) => m.count('error') > 0).length;

  const ok =
    regressions === 0 &&
    zombiesFenced === zombies &&
    crashed === 0 &&
    produced.size > 0 &&
    (mode === 'at-least-once' ? lost === 0 : duplicated === 0 && processed > 0);
  if (!ok) failed = true;
  if (tty) process.stderr.write('\n');
  console.log(
    `member-soak ${mode}: rounds ${done} (kills ${kills}, zombies ${zombies}, fenced ${zombiesFenced}), produced ${produced.size}, processed ${processed}, lost ${lost}, duplicated ${duplicated}, commit regressions ${regressions}, member errors ${crashed}${produceErrors ? `, unacknowledged sends ${produceErrors}` : ''} ${ok ? 'OK' : 'FAILED'}`,
  );
  if (crashed) for (const m of all) for (const e of m.events.filter((x) => x.ev === 'error')) console.error(`  member error: ${e.message}`);
}

try {
  for (const mode of modes) await soak(mode);
} catch (e) {
  console.error(`member-soak: ${e?.stack ?? e}`);
  failed = true;
} finally {
  await admin.disconnect().catch(() => {});
  await broker.stop();
  await rm(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
