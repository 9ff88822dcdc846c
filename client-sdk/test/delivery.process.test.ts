// Delivery guarantees with real member processes: a frozen (SIGSTOP) "zombie" cannot move
// committed offsets backwards; at-least-once loses nothing across repeated SIGKILLs; at-most-once
// processes nothing twice. The broker runs in this process; members are child processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { client, rawConnection, testBroker, type TestBroker } from './helpers.js';
import type { Connection } from '../src/connection.js';

const worker = fileURLToPath(new URL('./fixtures/consumer-worker.mjs', import.meta.url));

interface Ev {
  ev: string;
  name: string;
  value?: string;
  partitions?: string[];
  memberId?: string;
}

class Member {
  readonly events: Ev[] = [];
  readonly proc: ChildProcess;
  readonly exited: Promise<void>;
  constructor(cfg: Record<string, unknown>) {
    this.proc = spawn(process.execPath, [worker, JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.proc.stdout! }).on('line', (l) => {
      try {
        this.events.push(JSON.parse(l) as Ev);
      } catch {
        /* ignore */
      }
    });
    this.exited = new Promise((r) => this.proc.on('exit', () => r()));
  }
  values(): string[] {
    return this.events.filter((e) => e.ev === 'msg').map((e) => e.value!);
  }
  partitions(): string[] {
    return [...this.events].reverse().find((e) => e.ev === 'assignment')?.partitions ?? [];
  }
  async kill(signal: NodeJS.Signals = 'SIGKILL') {
    this.proc.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') await this.exited;
  }
}

async function until(what: string, cond: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let tb: TestBroker;
let raw: Connection;
const members: Member[] = [];

beforeAll(async () => {
  tb = await testBroker({});
  // Short sessions keep these tests quick; the default minimum is Kafka's 6 s.
  await tb.broker.close();
  const { startBroker } = await import('@brook/server');
  tb.broker = await startBroker({ port: 0, dataDir: tb.dataDir, logLevel: 'silent', groupMinSessionTimeoutMs: 1000 });
  tb.url = tb.broker.url;
  raw = rawConnection(tb.url);
});

afterAll(async () => {
  for (const m of members) m.proc.kill('SIGKILL');
  await raw?.close();
  await tb?.stop();
});

async function produce(topic: string, partitions: number, n: number): Promise<string[]> {
  const brook = client(tb.url);
  const admin = brook.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
  const producer = brook.producer();
  await producer.connect();
  const values = Array.from({ length: n }, (_, i) => `${topic}-${i}`);
  for (let i = 0; i < n; i += 500) await producer.send({ topic, messages: values.slice(i, i + 500).map((value, j) => ({ value, partition: (i + j) % partitions })) });
  await producer.disconnect();
  return values;
}

function member(groupId: string, topic: string, name: string, extra: Record<string, unknown> = {}): Member {
  const m = new Member({ url: tb.url, groupId, topics: [topic], name, sessionTimeout: 1500, heartbeatInterval: 200, autoCommitInterval: 100, fromBeginning: true, ...extra });
  members.push(m);
  return m;
}

async function committed(groupId: string): Promise<Map<number, number>> {
  const r = await raw.request('OffsetFetch', { groupId, topics: null, requireStable: false });
  return new Map(r.topics.flatMap((t) => t.partitions.map((p) => [p.partition, p.offset] as [number, number])));
}

describe('delivery guarantees with member processes', () => {
  it('a frozen member is expelled, another takes over, and its late commits never move offsets backwards', async () => {
    const values = await produce('zombie', 2, 3000);
    const a = member('zg', 'zombie', 'a', { processingMs: 2 });
    await until('a owns both partitions and commits', () => a.partitions().length === 2 && a.events.some((e) => e.ev === 'commit'));
    const aId = a.events.find((e) => e.ev === 'ready')!.memberId!;

    let regressions = 0;
    const high = new Map<number, number>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        for (const [p, o] of await committed('zg')) {
          if (o < (high.get(p) ?? -1)) regressions++;
          high.set(p, Math.max(o, high.get(p) ?? -1));
        }
        await new Promise((r) => setTimeout(r, 30));
      }
    })();

    await a.kill('SIGSTOP');
    const b = member('zg', 'zombie', 'b');
    await until('b takes over both partitions', () => b.partitions().length === 2);
    await until('b commits', () => b.events.some((e) => e.ev === 'commit'));
    const describe = await raw.request('ConsumerGroupDescribe', { groupIds: ['zg'] });
    expect(describe.groups[0]!.members.map((m) => m.memberId)).not.toContain(aId);
    await a.kill('SIGCONT'); // the zombie wakes up with commits in flight
    await until('everything is consumed', () => new Set([...a.values(), ...b.values()]).size === values.length, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    polling = false;
    await poller;
    expect(regressions).toBe(0);
    const final = await committed('zg');
    expect([...final.values()].reduce((s, o) => s + o, 0)).toBe(values.length);
    await a.kill('SIGTERM');
    await b.kill('SIGTERM');
  }, 60_000);

  it('at-least-once: repeated member crashes lose nothing', async () => {
    const values = await produce('alo', 4, 3000);
    let live = [member('alo-g', 'alo', 'w0', { processingMs: 1 }), member('alo-g', 'alo', 'w1', { processingMs: 1 })];
    const all = [...live];
    for (let round = 0; round < 3; round++) {
      await new Promise((r) => setTimeout(r, 600));
      const victim = live[round % live.length]!;
      await victim.kill('SIGKILL');
      const fresh = member('alo-g', 'alo', `w${round + 2}`, { processingMs: 1 });
      all.push(fresh);
      live = [...live.filter((m) => m !== victim), fresh];
    }
    const seen = () => new Set(all.flatMap((m) => m.values()));
    await until('every message processed at least once', () => seen().size === values.length, 40_000);
    expect([...seen()].sort()).toEqual([...values].sort());
    for (const m of live) await m.kill('SIGTERM');
  }, 70_000);

  it('at-most-once: repeated member crashes process nothing twice', async () => {
    await produce('amo', 4, 3000);
    let live = [member('amo-g', 'amo', 'v0', { deliveryGuarantee: 'at-most-once', processingMs: 1 }), member('amo-g', 'amo', 'v1', { deliveryGuarantee: 'at-most-once', processingMs: 1 })];
    const all = [...live];
    for (let round = 0; round < 3; round++) {
      await new Promise((r) => setTimeout(r, 600));
      const victim = live[round % live.length]!;
      await victim.kill('SIGKILL');
      const fresh = member('amo-g', 'amo', `v${round + 2}`, { deliveryGuarantee: 'at-most-once', processingMs: 1 });
      all.push(fresh);
      live = [...live.filter((m) => m !== victim), fresh];
    }
    // Let the survivors drain what is left.
    await until('the group reaches the end of the log', () => {
      const n = all.reduce((s, m) => s + m.values().length, 0);
      return n > 0 && live.every((m) => m.partitions().length > 0 || live.length > 4);
    }, 20_000);
    await new Promise((r) => setTimeout(r, 3000));
    const processed = all.flatMap((m) => m.values());
    expect(processed.length).toBeGreaterThan(0);
    expect(new Set(processed).size).toBe(processed.length);
    for (const m of live) await m.kill('SIGTERM');
  }, 70_000);
});
