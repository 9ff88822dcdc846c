/**
 * `brook migrate`: copies topics (partition counts, configs), their committed records (same
 * partition, key, value, headers, timestamp; aborted transactions left out) and the groups'
 * committed offsets from a Brook broker to a Kafka cluster, so an application switches from
 * `url:` to `brokers:` and carries on where it was.
 *
 * - Offsets change where the source skips some: its log start is not 0 (retention), or aborted
 *   and control records sit in the log. A group committed at source offset O resumes on the
 *   target at the number of copied records below O: the record it would have read next.
 * - Resumable and idempotent without a state file: topics are created by the migration, so a
 *   target partition's end offset is how many records were copied, even after the target's
 *   retention deleted some (partitionCopy.ts). Group
 *   offsets are written again on each run, but never moved backwards on the target (a consumer
 *   that already started there keeps its position).
 */
import { Brook } from '../brook.js';
import { openCluster } from '../context.js';
import type { Admin } from '../admin.js';
import type { Cluster } from '../transport/types.js';
import { checksumPartition, copyPartition, type PartitionCopyResult } from './partitionCopy.js';
import { describePlan, planMigration, type MigrationPlan } from './plan.js';
import { Progress } from './progress.js';

export interface MigrateOptions {
  /** The Brook broker: `new Brook({ url, ... })`'s options. */
  source: ConstructorParameters<typeof Brook>[0];
  /** The Kafka cluster: `new Brook({ brokers, ... })`'s options. */
  target: ConstructorParameters<typeof Brook>[0];
  topics?: string[];
  groups?: string[];
  dryRun?: boolean;
  verify?: boolean;
  /** Partitions copied at once. */
  concurrency?: number;
  topicConfig(topic: string): Promise<Record<string, string>>;
  /** Lines of the report (stdout in the CLI). */
  log(line: string): void;
  /** stderr when it is a TTY (the progress bar), else null. */
  tty: NodeJS.WriteStream | null;
}

export interface MigrationResult {
  plan: MigrationPlan;
  records: number;
  written: number;
  groupsMigrated: number;
  /** Set with `verify`: partitions whose count or checksum differ (empty = equal). */
  mismatches: string[] | null;
}

/** A Brook client that also hands out raw clusters (fetch with read_committed, per partition). */
class MigrationClient extends Brook {
  cluster(): Cluster {
    return openCluster(this.ctx);
  }
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

export async function migrate(o: MigrateOptions): Promise<MigrationResult> {
  const source = new MigrationClient(o.source);
  const target = new MigrationClient(o.target);
  const sourceAdmin = source.admin();
  const targetAdmin = target.admin();
  const sourceCluster = source.cluster();
  const targetCluster = target.cluster();
  const producer = target.producer({ idempotent: true });
  const closers: Array<() => Promise<void>> = [];
  try {
    for (const c of [sourceAdmin, targetAdmin]) {
      await c.connect();
      closers.push(() => c.disconnect());
    }
    const plan = await planMigration({ source: sourceAdmin, target: targetAdmin, topics: o.topics, groups: o.groups, topicConfig: o.topicConfig });
    for (const line of describePlan(plan)) o.log(`${o.dryRun ? 'plan: ' : ''}${line}`);
    if (o.dryRun) return { plan, records: 0, written: 0, groupsMigrated: 0, mismatches: null };

    for (const c of [sourceCluster, targetCluster]) {
      await c.connect();
      closers.push(() => c.close());
    }
    await producer.connect();
    closers.push(() => producer.disconnect());
    await createTopics(targetAdmin, plan);

    const jobs = plan.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, ...p })));
    const progress = new Progress(o.tty, jobs.reduce((s, j) => s + (j.end - j.start), 0));
    const results = new Map<string, PartitionCopyResult>();
    await pool(jobs, o.concurrency ?? 8, async (job) => {
      const groupOffsets = new Map<string, number>();
      for (const g of plan.groups) {
        const offset = g.offsets.get(job.topic)?.get(job.partition);
        if (offset !== undefined) groupOffsets.set(g.groupId, offset);
      }
      const r = await copyPartition({ source: sourceCluster, producer, src: job, copied: job.copied, hashFrom: job.targetStart, groupOffsets, onProgress: (n) => progress.add(n) });
      results.set(`${job.topic}/${job.partition}`, r);
      if (r.stoppedAt !== null) o.log(`warning: ${job.topic}-${job.partition}: an open transaction on the source stopped the copy at offset ${r.stoppedAt} (of ${job.end}); run again once it ended`);
    });
    progress.done();
    const records = [...results.values()].reduce((s, r) => s + r.records, 0);
    const written = [...results.values()].reduce((s, r) => s + r.written, 0);
    o.log(`records: ${records} committed records on the source, ${written} written now, ${records - written} already on the target`);

    const groupsMigrated = await migrateGroups(targetAdmin, plan, results, o.log);
    let mismatches: string[] | null = null;
    if (o.verify) {
      mismatches = [];
      // The target partition from its log start to its end (a record too many is a difference too),
      // against the source's records from the same position on.
      const targetEnds = new Map<string, number>();
      for (const t of plan.topics) for (const o of await targetAdmin.fetchTopicOffsets(t.topic)) targetEnds.set(`${t.topic}/${o.partition}`, Number(o.high));
      for (const job of jobs) {
        const want = results.get(`${job.topic}/${job.partition}`)!;
        const got = await checksumPartition(targetCluster, job.topic, job.partition, job.targetStart, targetEnds.get(`${job.topic}/${job.partition}`) ?? 0);
        const from = job.targetStart > 0 ? ` from record ${job.targetStart}` : '';
        const line = `${job.topic}-${job.partition}${from}: source ${want.hashed} records ${want.checksum.slice(0, 16)}, target ${got.records} records ${got.checksum.slice(0, 16)}`;
        const ok = got.records === want.hashed && got.checksum === want.checksum;
        o.log(`verify ${ok ? 'OK  ' : 'DIFF'} ${line}`);
        if (!ok) mismatches.push(line);
      }
      o.log(mismatches.length === 0 ? `verify: ${jobs.length} partitions equal (counts and sha256)` : `verify: ${mismatches.length} of ${jobs.length} partitions differ`);
    }
    return { plan, records, written, groupsMigrated, mismatches };
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}

async function createTopics(admin: Admin, plan: MigrationPlan): Promise<void> {
  const missing = plan.topics.filter((t) => !t.exists);
  if (missing.length === 0) return;
  await admin.createTopics({
    topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions.length, configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })) })),
  });
}

/** Commits each group's translated offsets on the target, never moving one backwards. */
async function migrateGroups(admin: Admin, plan: MigrationPlan, results: Map<string, PartitionCopyResult>, log: (line: string) => void): Promise<number> {
  for (const g of plan.groups) {
    const parts: string[] = [];
    for (const [topic, offsets] of g.offsets) {
      const there = new Map((await admin.fetchOffsets({ groupId: g.groupId, topics: [topic] }))[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
      const set = [...offsets.keys()].flatMap((partition) => {
        const offset = results.get(`${topic}/${partition}`)?.translated.get(g.groupId);
        if (offset === undefined || (there.get(partition) ?? -1) >= offset) return [];
        return [{ partition, offset: String(offset) }];
      });
      for (const [partition, offset] of offsets) parts.push(`${topic}-${partition} ${offset}→${results.get(`${topic}/${partition}`)?.translated.get(g.groupId)}`);
      if (set.length > 0) await admin.setOffsets({ groupId: g.groupId, topic, partitions: set });
    }
    log(`group ${g.groupId}: ${parts.join(', ')}`);
  }
  return plan.groups.length;
}

/**
 * A Brook topic's config as Kafka takes it: values as strings, without `flush.messages` and
 * `flush.ms` at -1. That is Brook's "unset" (fsync before a record is visible), for which Kafka has
 * no value: it refuses -1, and its own default (never fsync, rely on replication) applies.
 */
export function kafkaTopicConfig(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config)
      .filter(([k, v]) => !((k === 'flush.messages' || k === 'flush.ms') && String(v) === '-1'))
      .map(([k, v]) => [k, String(v)]),
  );
}
