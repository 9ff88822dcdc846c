// Helpers shared by the benchmark scenarios (scripts/bench/*.mjs): statistics, clients, a raw
// fetch loop, machine facts. Every scenario run starts its own broker (scripts/lib/broker.mjs).
import { cpus, totalmem } from 'node:os';
import { readFileSync, rmSync } from 'node:fs';
import { Brook, logLevel } from '../../client-sdk/dist/index.js';
import { Connection } from '../../client-sdk/dist/connection.js';
import { createLogger } from '../../client-sdk/dist/logger.js';
import { decodeBatches } from '../../protocol/dist/index.js';

import { startChildBroker as start } from '../lib/broker.mjs';
export { procCpuSeconds, procCpuTimes, procRssBytes } from '../lib/broker.mjs';

/**
 * A fresh broker in a child process. `--cpu-prof DIR` on the suite (env BENCH_BROKER_NODE_ARGS)
 * adds node flags to every broker it starts.
 */
export async function startChildBroker(prefix, args = [], opts = {}) {
  const extra = process.env.BENCH_BROKER_NODE_ARGS ? process.env.BENCH_BROKER_NODE_ARGS.split(' ').filter(Boolean) : [];
  const b = await start(prefix, args, { ...opts, nodeArgs: [...extra, ...(opts.nodeArgs ?? [])] });
  live.set(b.proc, b.dataDir);
  void b.exited.then(() => live.delete(b.proc));
  return b;
}

// Brokers still running when the bench process exits (a crash, Ctrl-C) are not left behind.
const live = new Map();
process.once('exit', () => {
  for (const [p, dir] of live) {
    p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Whether two assignments ([{ topic, partitions }]) name the same topic-partitions, in any order. */
export function sameAssignment(a, b) {
  const key = (parts) => parts.flatMap((x) => x.partitions.map((p) => `${x.topic}-${p}`)).sort().join(',');
  return key(a) === key(b);
}

/** The median (for an even count: the mean of the two middle values), min and max of a list. */
export function stats(xs) {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return { median: null, min: null, max: null, runs: xs };
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: xs };
}

/** The p-quantile (0..1) of an ascending list. */
export function quantile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export function client(url, clientId) {
  return new Brook({ url, clientId, logLevel: logLevel.NOTHING });
}

export function rawConnection(url, clientId) {
  return new Connection({ url, clientId, logger: createLogger(logLevel.NOTHING) });
}

/** `configs`: topic config overrides, e.g. { 'flush.ms': 1000 }. */
export async function createTopic(brook, topic, numPartitions, configs = {}) {
  const admin = brook.admin();
  await admin.connect();
  try {
    const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value: String(value) }));
    await admin.createTopics({ topics: [{ topic, numPartitions, configEntries }] });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads a topic back with Fetch requests over one raw connection (no consumer group) until
 * `expected` records came back; returns msg/s, MB/s (values) and the count.
 */
export async function fetchAll(url, topic, partitions, expected, { onProgress, timeoutMs = 120_000 } = {}) {
  const conn = rawConnection(url, 'bench-fetch');
  await conn.connect();
  const offsets = new Array(partitions).fill(0);
  let count = 0;
  let bytes = 0;
  const t0 = performance.now();
  try {
    while (count < expected) {
      if (performance.now() - t0 > timeoutMs) throw new Error(`fetchAll: ${count}/${expected} records after ${timeoutMs} ms`);
      const r = await conn.request('Fetch', {
        maxWaitMs: 100,
        minBytes: 1,
        maxBytes: 16 << 20,
        isolationLevel: 0,
        topics: [{ topic, partitions: offsets.map((fetchOffset, partition) => ({ partition, fetchOffset, partitionMaxBytes: 4 << 20 })) }],
      });
      for (const p of r.topics[0].partitions) {
        for (const b of decodeBatches(p.records)) {
          for (const rec of b.records) {
            if (rec.offset < offsets[p.partition]) continue;
            count++;
            bytes += rec.value ? rec.value.length : 0;
          }
          offsets[p.partition] = b.header.baseOffset + b.header.lastOffsetDelta + 1;
        }
      }
      onProgress?.(Math.min(count, expected), expected);
    }
  } finally {
    await conn.close();
  }
  const secs = (performance.now() - t0) / 1000;
  return { msgs: count / secs, mbs: bytes / secs / 1e6, count, seconds: secs };
}

/** CPU model, cores, RAM, Node version, date: for the results file. */
export function machineInfo() {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch {
    /* not Linux */
  }
  return {
    cpu: model,
    cores: cpus().length,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
}

/** Formats a rate: 1234567 -> "1.23M", 312345 -> "312k", 950 -> "950". */
export function fmtRate(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

/** Formats a number with a fixed number of decimals, or "-". */
export function fmt(n, digits = 1) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return n.toFixed(digits);
}

/** "median (min-max)" with a formatter. */
export function mmm(s, f = fmtRate) {
  if (!s || s.median === null) return '-';
  if (s.runs.length <= 1) return f(s.median);
  return `${f(s.median)} (${f(s.min)}-${f(s.max)})`;
}

/**
 * The q-quantile (0-1) of a Prometheus histogram between two scrapes of /metrics (text format),
 * interpolated linearly inside its bucket as Prometheus's histogram_quantile does. `labels`: the
 * series' labels as they appear, e.g. 'api="Produce",listener="ws"' ('' for none). Null if nothing
 * was observed in between.
 */
export function histogramQuantile(before, after, name, labels, q) {
  const buckets = (text) => {
    const m = new Map();
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}_bucket{`) || !line.includes(labels)) continue;
      const le = /le="([^"]+)"/.exec(line)[1];
      m.set(le === '+Inf' ? Infinity : Number(le), Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
    return m;
  };
  const b0 = buckets(before);
  const rows = [...buckets(after)].map(([le, n]) => [le, n - (b0.get(le) ?? 0)]).sort((a, b) => a[0] - b[0]);
  const total = rows.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevN = 0;
  for (const [le, n] of rows) {
    if (n >= rank) return le === Infinity ? prevLe : prevLe + ((le - prevLe) * (rank - prevN)) / Math.max(1, n - prevN);
    prevLe = le;
    prevN = n;
  }
  return prevLe;
}
