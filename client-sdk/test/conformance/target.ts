// The conformance suite's target, chosen by BROOK_CONFORMANCE_TARGET (scripts/conformance.mjs
// sets it): Brook over WebSocket (`url:`), Brook over its Kafka port (`brokers:`), or an Apache
// Kafka cluster whose bootstrap servers are in BROOK_CONFORMANCE_BROKERS. The scenarios run the
// same SDK code on each; only the address differs.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker, type Broker } from '@brook/server';
import { afterAll, beforeAll } from 'vitest';
import { Brook, logLevel, type Admin, type BrookConfig, type Consumer, type ConsumerConfig, type Producer } from '../../src/index.js';

export type TargetName = 'websocket' | 'kafka-port' | 'kafka-cluster';
const NAMES: TargetName[] = ['websocket', 'kafka-port', 'kafka-cluster'];

export interface Target {
  readonly name: TargetName;
  /** `{ url }` or `{ brokers }`: what an application would pass to `new Brook`. */
  readonly address: { url: string } | { brokers: string[] };
  /** A fresh name per run: the cluster outlives one test file, Brook brokers do not. */
  unique(base: string): string;
  client(extra?: Partial<BrookConfig>): Brook;
  stop(): Promise<void>;
}

export function targetName(): TargetName {
  const name = (process.env.BROOK_CONFORMANCE_TARGET ?? 'websocket') as TargetName;
  if (!NAMES.includes(name)) throw new Error(`BROOK_CONFORMANCE_TARGET must be one of ${NAMES.join(', ')}, not ${name}`);
  return name;
}

/** Group timings every target serves: the cluster's brokers allow 2 s sessions and 250 ms heartbeats. */
export const SESSION_MS = 6000;

export async function startTarget(): Promise<Target> {
  const name = targetName();
  const run = randomBytes(3).toString('hex');
  let broker: Broker | null = null;
  let dataDir: string | null = null;
  let address: Target['address'];
  if (name === 'kafka-cluster') {
    const brokers = (process.env.BROOK_CONFORMANCE_BROKERS ?? '').split(',').filter(Boolean);
    if (brokers.length === 0) throw new Error('BROOK_CONFORMANCE_BROKERS names no broker (scripts/conformance.mjs starts the cluster)');
    address = { brokers };
  } else {
    dataDir = await mkdtemp(join(tmpdir(), 'brook-conformance-'));
    // Over Kafka's protocol a member heartbeats on the broker's interval (no push) and has the
    // broker's session timeout, as on the Kafka cluster (scripts/kafka/lib/kafka-cluster.mjs).
    broker = await startBroker({ port: 0, kafkaPort: 0, dataDir, logLevel: 'silent', groupMinSessionTimeoutMs: 1000, groupHeartbeatIntervalMs: 250, groupSessionTimeoutMs: SESSION_MS });
    address = name === 'kafka-port' ? { brokers: [broker.kafkaAddress!] } : { url: broker.url };
  }
  return {
    name,
    address,
    unique: (base) => `${base}-${run}`,
    client: (extra = {}) => new Brook({ ...address, clientId: `conformance-${name}`, logLevel: logLevel.NOTHING, ...extra }),
    async stop() {
      await broker?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));

const WORKER = fileURLToPath(new URL('../fixtures/consumer-worker.mjs', import.meta.url));

/** A group member in its own process (the built SDK), so a test can SIGKILL it. */
export interface Member {
  readonly proc: ChildProcess;
  partitions: string[];
  ready: boolean;
  readonly msgs: Array<{ partition: number; offset: string; value: string | null }>;
  readonly errors: string[];
  readonly exited: Promise<number | null>;
}

export function spawnMember(target: Target, cfg: Record<string, unknown>): Member {
  const proc = spawn(process.execPath, [WORKER, JSON.stringify({ ...target.address, sessionTimeout: SESSION_MS, heartbeatInterval: 250, ...cfg })], { stdio: ['pipe', 'pipe', 'inherit'] });
  const m: Member = { proc, partitions: [], ready: false, msgs: [], errors: [], exited: new Promise((r) => proc.once('exit', (code) => r(code))) };
  let buf = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let ev: { ev?: string; partitions?: string[]; partition?: number; offset?: string; value?: string | null; message?: string };
      try {
        ev = JSON.parse(line);
      } catch {
        continue;
      }
      if (ev.ev === 'assignment') m.partitions = ev.partitions!;
      else if (ev.ev === 'ready') m.ready = true;
      else if (ev.ev === 'msg') m.msgs.push({ partition: ev.partition!, offset: ev.offset!, value: ev.value ?? null });
      else if (ev.ev === 'error') m.errors.push(ev.message!);
    }
  });
  return m;
}

/**
 * What each suite file shares: a started target with a connected admin and producer, consumers
 * with the suite's session timeout (disconnected at close), and topics with unique names.
 * Call inside a describe: it registers the beforeAll/afterAll hooks itself.
 */
export interface Suite {
  readonly target: Target;
  readonly brook: Brook;
  readonly admin: Admin;
  readonly producer: Producer;
  consumer(groupId: string, extra?: Partial<ConsumerConfig>): Consumer;
  topic(base: string, numPartitions: number): Promise<string>;
  /** Run at close, before the clients disconnect (e.g. killing member processes). */
  onClose(fn: () => void): void;
  /** A client made by the test itself, disconnected at close. */
  track<C extends { disconnect(): Promise<void> }>(client: C): C;
}

export function useSuite(): Suite {
  const open: Array<{ disconnect(): Promise<void> }> = [];
  const closers: Array<() => void> = [];
  const s = {} as { -readonly [K in keyof Suite]: Suite[K] };
  beforeAll(async () => {
    s.target = await startTarget();
    s.brook = s.target.client();
    s.admin = s.brook.admin();
    await s.admin.connect();
    s.producer = s.brook.producer();
    await s.producer.connect();
  });
  afterAll(async () => {
    for (const fn of closers) fn();
    await Promise.allSettled(open.map((c) => c.disconnect()));
    await s.producer?.disconnect();
    await s.admin?.disconnect();
    await s.target?.stop();
  });
  s.consumer = (groupId, extra = {}) => {
    const c = s.brook.consumer({ groupId, sessionTimeout: SESSION_MS, heartbeatInterval: 250, ...extra });
    open.push(c);
    return c;
  };
  s.topic = async (base, numPartitions) => {
    const name = s.target.unique(base);
    await s.admin.createTopics({ topics: [{ topic: name, numPartitions }], waitForLeaders: true });
    return name;
  };
  s.onClose = (fn) => void closers.push(fn);
  s.track = (client) => {
    open.push(client);
    return client;
  };
  return s;
}
