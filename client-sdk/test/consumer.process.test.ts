// Group members in separate processes (fixtures/consumer-worker.mjs, on the BUILT SDK): 3 members
// on 6 partitions get 2 each, 7 leave one idle, a SIGKILLed member's partitions move within its
// session timeout with no message lost, a static member restarted in time gets its partitions back
// and nobody else moves. Throughout, the broker's view is polled every ~50 ms and must never show
// a partition with two owners.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '@brook/server';
import { Brook, logLevel, type Admin, type Producer } from '../src/index.js';

const WORKER = fileURLToPath(new URL('./fixtures/consumer-worker.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const SESSION_MS = 3000;

let broker: Broker;
let dataDir: string;
let admin: Admin;
let producer: Producer;
const workers: Worker[] = [];

interface Worker {
  name: string;
  proc: ChildProcess;
  partitions: string[];
  history: Array<{ at: number; partitions: string[] }>;
  msgs: Array<{ partition: number; offset: number }>;
  ready: boolean;
  errors: string[];
  exited: Promise<number | null>;
}

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error(`build the SDK first (npx tsc -b client-sdk): ${DIST} is missing`);
  dataDir = await mkdtemp(join(tmpdir(), 'brook-consumer-proc-'));
  broker = await startBroker({ port: 0, dataDir, logLevel: 'silent', groupMinSessionTimeoutMs: 1000, groupHeartbeatIntervalMs: 500 });
  const brook = new Brook({ url: broker.url, clientId: 'proc-test', logLevel: logLevel.NOTHING });
  admin = brook.admin();
  await admin.connect();
  producer = brook.producer();
  await producer.connect();
});

afterEach(async () => {
  for (const w of workers.splice(0)) w.proc.kill('SIGKILL');
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await broker?.close();
  await rm(dataDir, { recursive: true, force: true });
});

function spawnWorker(name: string, cfg: Record<string, unknown>): Worker {
  const proc = spawn(process.execPath, [WORKER, JSON.stringify({ url: broker.url, name, sessionTimeout: SESSION_MS, heartbeatInterval: 500, ...cfg })], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const w: Worker = {
    name,
    proc,
    partitions: [],
    history: [],
    msgs: [],
    ready: false,
    errors: [],
    exited: new Promise((r) => proc.once('exit', (code) => r(code))),
  };
  let buf = '';
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      let ev: { ev: string; partitions?: string[]; partition?: number; offset?: string; message?: string };
      try {
        ev = JSON.parse(line);
      } catch {
        continue;
      }
      if (ev.ev === 'assignment') {
        w.partitions = ev.partitions!;
        w.history.push({ at: Date.now(), partitions: ev.partitions! });
      } else if (ev.ev === 'msg') w.msgs.push({ partition: ev.partition!, offset: Number(ev.offset) });
      else if (ev.ev === 'ready') w.ready = true;
      else if (ev.ev === 'error') w.errors.push(ev.message!);
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => w.errors.push(d));
  workers.push(w);
  return w;
}

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface GroupView {
  state: string;
  members: Array<{ memberId: string; instanceId: string | null; clientId: string; assignment: Array<{ topic: string; partitions: number[] }> }>;
  offsets?: Array<{ topic: string; partition: number; committedOffset: string | null }>;
}

async function view(group: string): Promise<GroupView> {
  const res = await fetch(`${broker.httpUrl}/api/groups/${encodeURIComponent(group)}`);
  if (!res.ok) return { state: 'none', members: [] };
  return (await res.json()) as GroupView;
}

/** Polls the group every ~50 ms and records any moment a partition had two owners, or a committed offset went backwards. */
function ownershipWatch(group: string) {
  const violations: string[] = [];
  const committed = new Map<string, number>();
  let polls = 0;
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      try {
        const v = await view(group);
        polls++;
        const owner = new Map<string, string>();
        for (const m of v.members) {
          for (const a of m.assignment) {
            for (const p of a.partitions) {
              const k = `${a.topic}:${p}`;
              const prev = owner.get(k);
              if (prev !== undefined && prev !== m.memberId) violations.push(`${k} owned by ${prev} and ${m.memberId}`);
              owner.set(k, m.memberId);
            }
          }
        }
        for (const o of v.offsets ?? []) {
          if (o.committedOffset === null) continue;
          const k = `${o.topic}:${o.partition}`;
          const c = Number(o.committedOffset);
          if (c < (committed.get(k) ?? -1)) violations.push(`${k} committed offset went back from ${committed.get(k)} to ${c}`);
          committed.set(k, Math.max(c, committed.get(k) ?? -1));
        }
      } catch {
        /* broker busy; next poll */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    violations,
    committed,
    polls: () => polls,
    async stop() {
      stop = true;
      await loop;
    },
  };
}

async function produce(topic: string, partitions: number, n: number, tag: string): Promise<void> {
  for (let p = 0; p < partitions; p++) {
    await producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ partition: p, value: `${tag}-${p}-${i}` })) });
  }
}

/** Every offset below the log end of every partition was received by some worker. */
async function assertNothingLost(topic: string, partitions: number, ws: Worker[]): Promise<void> {
  const offsets = await admin.fetchTopicOffsets(topic);
  for (let p = 0; p < partitions; p++) {
    const end = Number(offsets.find((o) => o.partition === p)!.high);
    const got = new Set(ws.flatMap((w) => w.msgs.filter((m) => m.partition === p).map((m) => m.offset)));
    const missing = Array.from({ length: end }, (_, i) => i).filter((o) => !got.has(o));
    expect(missing, `partition ${p} missing offsets`).toEqual([]);
  }
}

const sizes = (ws: Worker[]) => ws.map((w) => w.partitions.length).sort((a, b) => a - b);

describe('consumer groups across processes', () => {
  it('3 members on 6 partitions get 2 each; 7 leave one idle; a SIGKILLed member is replaced within its session timeout, losing nothing', async () => {
    const topic = `proc-${Date.now().toString(36)}`;
    const group = `pg-${topic}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    await produce(topic, 6, 20, 'a');
    const watch = ownershipWatch(group);
    try {
      const first = [0, 1, 2].map((i) => spawnWorker(`w${i}`, { groupId: group, topics: [topic] }));
      await until(() => first.every((w) => w.ready), 15_000, '3 workers ready');
      await until(() => sizes(first).join() === '2,2,2', 10_000, '2/2/2 split');
      await until(async () => (await view(group)).members.filter((m) => m.assignment.flatMap((a) => a.partitions).length === 2).length === 3, 5000, 'broker view 2/2/2');

      const more = [3, 4, 5, 6].map((i) => spawnWorker(`w${i}`, { groupId: group, topics: [topic] }));
      const all = [...first, ...more];
      await until(() => all.every((w) => w.ready), 15_000, '7 workers ready');
      await until(() => sizes(all).join() === '0,1,1,1,1,1,1', 10_000, 'one idle of 7');
      const v7 = await view(group);
      expect(v7.members).toHaveLength(7);
      expect(v7.members.filter((m) => m.assignment.flatMap((a) => a.partitions).length === 0)).toHaveLength(1);

      // The 4 extra members leave cleanly; back to 2/2/2.
      for (const w of more) w.proc.kill('SIGTERM');
      await Promise.all(more.map((w) => w.exited));
      await until(() => sizes(first).join() === '2,2,2', 10_000, 'back to 2/2/2');

      // SIGKILL one member while messages flow: its partitions move within the session timeout.
      await until(() => first.reduce((n, w) => n + w.msgs.length, 0) >= 120, 10_000, 'first 120 consumed');
      const victim = first[1]!;
      const victimParts = [...victim.partitions];
      const producing = produce(topic, 6, 20, 'b');
      victim.proc.kill('SIGKILL');
      const killedAt = Date.now();
      await victim.exited;
      const survivors = [first[0]!, first[2]!];
      await until(() => sizes(survivors).join() === '3,3', SESSION_MS + 3000, 'victim partitions reassigned');
      const movedIn = Date.now() - killedAt;
      expect(movedIn).toBeLessThan(SESSION_MS + 2000);
      for (const p of victimParts) expect(survivors.some((w) => w.partitions.includes(p))).toBe(true);
      await producing;
      await produce(topic, 6, 10, 'c');
      await until(() => {
        const got = new Set(first.flatMap((w) => w.msgs.map((m) => `${m.partition}/${m.offset}`)));
        return got.size === 6 * 50;
      }, 15_000, 'every message consumed');
      await assertNothingLost(topic, 6, first);
      expect(first.flatMap((w) => w.errors)).toEqual([]);
    } finally {
      await watch.stop();
    }
    expect(watch.polls()).toBeGreaterThan(20);
    expect(watch.violations).toEqual([]);
  }, 80_000);

  it('a static member SIGKILLed and restarted within its session timeout gets the same partitions; nobody else moves', async () => {
    const topic = `static-${Date.now().toString(36)}`;
    const group = `sg-${topic}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
    await produce(topic, 6, 10, 's');
    const watch = ownershipWatch(group);
    try {
      const cfg = (i: number) => ({ groupId: group, topics: [topic], groupInstanceId: `inst-${i}`, sessionTimeout: 10_000 });
      const ws = [0, 1, 2].map((i) => spawnWorker(`s${i}`, cfg(i)));
      await until(() => ws.every((w) => w.ready), 15_000, 'static workers ready');
      await until(() => sizes(ws).join() === '2,2,2', 10_000, '2/2/2');
      await until(() => ws.reduce((n, w) => n + w.msgs.length, 0) >= 60, 10_000, 'all consumed');
      const before = ws.map((w) => [...w.partitions]);
      const historyLen = ws.map((w) => w.history.length);

      ws[1]!.proc.kill('SIGKILL');
      await ws[1]!.exited;
      const restarted = spawnWorker('s1-restarted', cfg(1));
      await until(() => restarted.ready, 15_000, 'restarted ready');
      await until(() => restarted.partitions.length === 2, 5000, 'restarted got partitions');
      expect(restarted.partitions).toEqual(before[1]);
      // Well before the 10 s session timeout would have expired.
      await new Promise((r) => setTimeout(r, 500));
      expect(ws[0]!.history.length).toBe(historyLen[0]);
      expect(ws[2]!.history.length).toBe(historyLen[2]);
      expect(ws[0]!.partitions).toEqual(before[0]);
      expect(ws[2]!.partitions).toEqual(before[2]);
      const v = await view(group);
      expect(v.members.map((m) => m.instanceId).sort()).toEqual(['inst-0', 'inst-1', 'inst-2']);

      // Messages produced now reach the same owners; nothing is lost across the restart.
      await produce(topic, 6, 5, 't');
      const live = [ws[0]!, ws[2]!, restarted];
      await until(() => {
        const got = new Set([...live, ws[1]!].flatMap((w) => w.msgs.map((m) => `${m.partition}/${m.offset}`)));
        return got.size === 6 * 15;
      }, 10_000, 'all consumed after restart');
      await assertNothingLost(topic, 6, [...live, ws[1]!]);
    } finally {
      await watch.stop();
    }
    expect(watch.violations).toEqual([]);
  }, 60_000);

  it('a member frozen with SIGSTOP is expelled; another takes over from the last commit; after SIGCONT its commits are refused and no offset goes backwards', async () => {
    const topic = `freeze-${Date.now().toString(36)}`;
    const group = `fg-${topic}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await produce(topic, 2, 20, 'f');
    const watch = ownershipWatch(group);
    try {
      const a = spawnWorker('frozen', { groupId: group, topics: [topic], autoCommitInterval: 100 });
      await until(() => a.ready && a.partitions.length === 2, 15_000, 'a owns both');
      const b = spawnWorker('other', { groupId: group, topics: [topic], autoCommitInterval: 100 });
      await until(() => b.ready && a.partitions.length === 1 && b.partitions.length === 1, 10_000, '1/1');
      await until(() => a.msgs.length + b.msgs.length >= 40, 10_000, 'all consumed');
      await until(() => [...watch.committed.values()].reduce((x, y) => x + y, 0) === 40, 5000, 'all committed');

      a.proc.kill('SIGSTOP');
      await produce(topic, 2, 10, 'g'); // a's partition now has work only b can do once a is expelled
      await until(() => b.partitions.length === 2, SESSION_MS + 4000, 'b takes over after the session timeout');
      await until(() => new Set([...a.msgs, ...b.msgs].map((m) => `${m.partition}/${m.offset}`)).size === 60, 10_000, 'b consumed everything').catch(async (e) => {
        console.log(JSON.stringify({ a: a.msgs, b: b.msgs, ap: a.partitions, bp: b.partitions, bh: b.history, be: b.errors, view: await view(group) }));
        throw e;
      });
      const beforeResume = new Map(watch.committed);

      a.proc.kill('SIGCONT');
      // The zombie learns it was fenced, drops its partitions without committing, and rejoins.
      await until(() => a.partitions.length === 1 && b.partitions.length === 1, 10_000, 'rejoined 1/1');
      await produce(topic, 2, 5, 'h');
      await until(() => new Set([...a.msgs, ...b.msgs].map((m) => `${m.partition}/${m.offset}`)).size === 70, 10_000, 'all 70 consumed');
      for (const [k, c] of beforeResume) expect(watch.committed.get(k)!).toBeGreaterThanOrEqual(c);
      await assertNothingLost(topic, 2, [a, b]);
    } finally {
      await watch.stop();
    }
    expect(watch.violations).toEqual([]);
  }, 45_000);
});
