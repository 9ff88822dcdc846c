/** Prometheus metrics (prom-client), one registry per broker so tests can run brokers side by side. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { HotHistogram, type HotHistogramChild } from './hotHistogram.js';
import type { WriteTiming } from './log/writeQueue.js';

/** Sub-millisecond steps: an fsync takes 0.2-0.5 ms on a quiet disk, and the tail is what matters. */
const LOG_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5];

/** What the scrape-time gauges read from the broker (kept narrow so metrics stay decoupled). */
export interface MetricsSource {
  dataDir: string;
  /** Per group protocol, as Kafka's group-count metric: KIP-848 consumer groups and classic ones. */
  groups(): Record<GroupProtocol, GroupStats>;
  transactions(): { open: number; committed: number; aborted: number };
  /** Per group: rows of committed offset and lag per partition (lag null when nothing committed). */
  lag(): Array<{ group: string; topic: string; partition: number; lag: number }>;
  partitions(): Array<{ topic: string; partition: number; endOffset: number; startOffset: number }>;
}

export type GroupProtocol = 'consumer' | 'classic';
export interface GroupStats {
  groups: number;
  members: number;
  rebalances: number;
}

/** The two doors: Brook's WebSocket protocol and Kafka's protocol over TCP. */
export type Listener = 'ws' | 'kafka';

export class BrokerMetrics {
  readonly registry = new Registry();
  /** Observed for every request: a HotHistogram (prom-client's hashes the labels on every call). */
  readonly requestLatency = new HotHistogram<'api' | 'listener'>({
    name: 'brook_request_duration_seconds',
    help: 'Time to answer a request, per API and listener (ws or kafka)',
    labelNames: ['api', 'listener'],
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5, 30],
    registry: this.registry,
  });

  private readonly latencyByApi: Record<Listener, Map<string, HotHistogramChild>> = { ws: new Map(), kafka: new Map() };

  /** The request-latency histogram of one API on one listener (looked up without building a key). */
  latencyOf(api: string, listener: Listener = 'ws'): HotHistogramChild {
    const children = this.latencyByApi[listener];
    let child = children.get(api);
    if (!child) children.set(api, (child = this.requestLatency.labels(api, listener)));
    return child;
  }

  readonly requestErrors = new Counter({
    name: 'brook_request_errors_total',
    help: 'Requests answered with a frame-level error (or refused), per API and listener',
    labelNames: ['api', 'listener'],
    registers: [this.registry],
  });
  readonly bytesIn = new Counter({
    name: 'brook_topic_bytes_in_total',
    help: 'Record bytes appended, per topic',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly recordsIn = new Counter({
    name: 'brook_topic_records_in_total',
    help: 'Records appended, per topic',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly compressedDecodes = new Counter({
    name: 'brook_compressed_decodes_total',
    help: "Compressed record batches decompressed for Produce's checks and timestamp lookups, by where: inline (on the event loop, within its per-turn budget) or worker (a worker thread)",
    labelNames: ['where'],
    registers: [this.registry],
  });
  readonly plainChecksOnWorker = new Counter({
    name: 'brook_plain_batch_checks_on_worker_total',
    help: "Uncompressed record batches checked or decoded on a worker thread: too many records, headers or bytes for one turn of the event loop (Produce's checks, timestamp lookups, record pages, the cleaner)",
    registers: [this.registry],
  });
  readonly bytesOut = new Counter({
    name: 'brook_topic_bytes_out_total',
    help: 'Record bytes served by fetches, per topic',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly recordsOut = new Counter({
    name: 'brook_topic_records_out_total',
    help: 'Records in the batches served by fetches, per topic',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  readonly connections = new Gauge({
    name: 'brook_connections',
    help: 'Open client connections, per listener (ws: WebSocket, kafka: Kafka protocol over TCP)',
    labelNames: ['listener'],
    registers: [this.registry],
  });

  /** Kafka's LogFlushRateAndTimeMs, with Brook's group commit: one LevelDB write per group of requests. */
  readonly logWrite = new HotHistogram<'synced'>({
    name: 'brook_log_write_duration_seconds',
    help: 'LevelDB writes of the log layer (one per group of requests), with their fsync where synced="true"',
    labelNames: ['synced'],
    buckets: LOG_BUCKETS,
    registry: this.registry,
  });
  readonly logWriteWait = new HotHistogram({
    name: 'brook_log_write_wait_seconds',
    help: 'Time a write (a produce, a commit, ...) waited in the log write queue for the write before it',
    buckets: LOG_BUCKETS,
    registry: this.registry,
  });

  /** Observes one write of the log write queue. */
  observeLogWrite(t: WriteTiming): void {
    (t.synced ? this.logWriteSynced : this.logWriteUnsynced).observe(t.writeMs / 1000);
    for (const w of t.waitsMs) this.logWriteWait.observe(w / 1000);
  }
  private readonly logWriteSynced = this.logWrite.labels('true');
  private readonly logWriteUnsynced = this.logWrite.labels('false');

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'brook_process_' });
  }

  /** Gauges computed at scrape time, named like the common Kafka lag exporters. */
  bind(src: MetricsSource): void {
    const r = [this.registry];
    new Gauge({
      name: 'brook_consumergroup_lag',
      help: 'Log end offset minus committed offset, per group, topic and partition',
      labelNames: ['group', 'topic', 'partition'],
      registers: r,
      collect() {
        this.reset();
        for (const row of src.lag()) this.set({ group: row.group, topic: row.topic, partition: String(row.partition) }, row.lag);
      },
    });
    new Gauge({
      name: 'brook_consumergroup_lag_sum',
      help: 'Sum of lag over all partitions of a group',
      labelNames: ['group'],
      registers: r,
      collect() {
        this.reset();
        const sums = new Map<string, number>();
        for (const row of src.lag()) sums.set(row.group, (sums.get(row.group) ?? 0) + row.lag);
        for (const [group, v] of sums) this.set({ group }, v);
      },
    });
    new Gauge({
      name: 'brook_consumergroup_lag_max',
      help: 'Largest partition lag of a group',
      labelNames: ['group'],
      registers: r,
      collect() {
        this.reset();
        const max = new Map<string, number>();
        for (const row of src.lag()) max.set(row.group, Math.max(max.get(row.group) ?? 0, row.lag));
        for (const [group, v] of max) this.set({ group }, v);
      },
    });
    new Gauge({
      name: 'brook_groups',
      help: 'Consumer groups known to the coordinators, per group protocol (consumer: KIP-848; classic: JoinGroup/SyncGroup)',
      labelNames: ['protocol'],
      registers: r,
      collect() {
        for (const [protocol, stats] of Object.entries(src.groups())) this.set({ protocol }, stats.groups);
      },
    });
    new Gauge({
      name: 'brook_group_members',
      help: 'Members over all consumer groups, per group protocol',
      labelNames: ['protocol'],
      registers: r,
      collect() {
        for (const [protocol, stats] of Object.entries(src.groups())) this.set({ protocol }, stats.members);
      },
    });
    new Gauge({
      name: 'brook_rebalances_total',
      help: 'Rebalances since start, per group protocol (consumer: group epoch bumps; classic: generations)',
      labelNames: ['protocol'],
      registers: r,
      collect() {
        for (const [protocol, stats] of Object.entries(src.groups())) this.set({ protocol }, stats.rebalances);
      },
    });
    new Gauge({
      name: 'brook_transactions_open',
      help: 'Transactions open now',
      registers: r,
      collect() {
        this.set(src.transactions().open);
      },
    });
    new Gauge({
      name: 'brook_transactions_total',
      help: 'Transactions ended since start, by result (aborted includes timeouts and start-up aborts)',
      labelNames: ['result'],
      registers: r,
      collect() {
        const t = src.transactions();
        this.set({ result: 'committed' }, t.committed);
        this.set({ result: 'aborted' }, t.aborted);
      },
    });
    new Gauge({
      name: 'brook_partition_end_offset',
      help: 'Log end offset per partition',
      labelNames: ['topic', 'partition'],
      registers: r,
      collect() {
        this.reset();
        for (const p of src.partitions()) this.set({ topic: p.topic, partition: String(p.partition) }, p.endOffset);
      },
    });
    new Gauge({
      name: 'brook_leveldb_size_bytes',
      help: 'Bytes on disk of the LevelDB directories (the log database and the batch store)',
      registers: r,
      async collect() {
        let total = 0;
        for (const name of ['log', 'batches']) {
          const dir = join(src.dataDir, name);
          for (const f of await readdir(dir).catch(() => [] as string[])) total += (await stat(join(dir, f)).catch(() => ({ size: 0 }))).size;
        }
        this.set(total);
      },
    });
  }
}
