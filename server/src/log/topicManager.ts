/**
 * Topics and their partition logs: creation, deletion, recovery at start-up, and background
 * retention and compaction. All writes go through the storage's single write queue.
 */
import { BrookError, ErrorCode, utf8Decode, utf8Encode, validateName } from '@brook/protocol';
import type { Logger } from 'pino';
import type { CleanerWork } from './batchRewrite.js';
import type { CompactionResult } from './cleaner.js';
import { CacheBudget } from './hotCache.js';
import { KIND_DELETED_TOPIC, KIND_TOPIC, NEXT_TOPIC_ID_KEY, decodeU32, encodeU32, idPrefix, kindPrefix, prefixRange, topicKey } from './keys.js';
import { PartitionLog } from './partitionLog.js';
import type { Storage } from './storage.js';
import { DEFAULT_TOPIC_CONFIG, flushPolicyOf, parseTopicConfig, type TopicConfig } from './topicConfig.js';
import { planDeleteBefore } from './retention.js';
import { compactionPass, isDeleted, retentionPass, type RetentionResult } from './maintenance.js';
import { replayLogIndex } from './recovery.js';
import { clearTopicData, deletedTopicIds } from './topicData.js';

export { PRODUCER_ID_EXPIRATION_MS, type RetentionResult } from './maintenance.js';

/** Kafka's POLICY_VIOLATION (DeleteRecords on a compacted topic). */
const POLICY_VIOLATION = 44;

export interface TopicInfo {
  readonly name: string;
  readonly id: number;
  readonly numPartitions: number;
  /** The effective config (broker defaults under the topic's overrides); frozen. */
  readonly config: Readonly<TopicConfig>;
  readonly internal: boolean;
  readonly createdAt: number;
  /** Frozen. */
  readonly partitions: readonly PartitionLog[];
}

export interface TopicChange {
  /** altered: more partitions, or other config overrides. */
  type: 'created' | 'deleted' | 'altered';
  topic: string;
}

export interface CreateTopicOptions {
  internal?: boolean;
  validateOnly?: boolean;
}

export interface TopicManagerOptions {
  logger: Logger;
  /** Broker-wide defaults under the per-topic overrides. */
  defaults?: Partial<TopicConfig>;
  /** Default 10000. */
  maxPartitionsPerTopic?: number;
  /** Retention and compaction timer; default 30 s, 0 disables it. */
  maintenanceIntervalMs?: number;
  /** Where the cleaner decodes and re-encodes batches (default: inline). */
  cleanerWork?: CleanerWork;
  /** Hot cache of recent batches: all partitions together (default 64 MiB) and per partition (1 MiB). */
  cacheBytes?: number;
  cacheBytesPerPartition?: number;
}

/** Topic metadata as stored under 0x01|name (JSON; written only on create). */
interface StoredTopic {
  v: 1;
  id: number;
  name: string;
  numPartitions: number;
  /** Only the overrides, so broker defaults apply to settings the topic did not set (as in Kafka). */
  configs: Partial<TopicConfig>;
  internal: boolean;
  createdAt: number;
}

export class TopicManager {
  /** Frozen, so get() and list() hand them out without copying. */
  private readonly topics = new Map<string, TopicInfo>();
  /** Each topic's own settings (the stored overrides), beside the effective config. */
  private readonly overridesOf = new Map<string, Readonly<Partial<TopicConfig>>>();
  /** Names being created or deleted right now. */
  private readonly busy = new Set<string>();
  private readonly changeListeners = new Set<(e: TopicChange) => void>();
  private readonly background = new Set<Promise<void>>();
  private readonly defaults: TopicConfig;
  private readonly maxPartitions: number;
  private readonly budget: CacheBudget;
  private readonly logger: Logger;
  private readonly cleanerWork: CleanerWork | undefined;
  private nextTopicId = 1;
  private timer: NodeJS.Timeout | undefined;
  private maintenance: Promise<unknown> = Promise.resolve();
  /** Topic alterations (partitions, configs), one at a time. */
  private alterations: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly storage: Storage,
    opts: TopicManagerOptions,
  ) {
    this.logger = opts.logger;
    this.cleanerWork = opts.cleanerWork;
    this.defaults = { ...DEFAULT_TOPIC_CONFIG, ...(opts.defaults ?? {}) };
    this.maxPartitions = opts.maxPartitionsPerTopic ?? 10000;
    this.budget = new CacheBudget(opts.cacheBytes ?? 64 * 1024 * 1024, opts.cacheBytesPerPartition ?? 1024 * 1024);
  }

  static async open(storage: Storage, opts: TopicManagerOptions): Promise<TopicManager> {
    const tm = new TopicManager(storage, opts);
    await tm.recover();
    const interval = opts.maintenanceIntervalMs ?? 30_000;
    if (interval > 0) {
      tm.timer = setInterval(() => void tm.runMaintenance(), interval);
      tm.timer.unref();
    }
    return tm;
  }

  // ---- recovery ----

  private async recover(): Promise<void> {
    const started = Date.now();
    const db = this.storage.db;
    const stored = await db.get(NEXT_TOPIC_ID_KEY);
    let nextId = stored ? decodeU32(stored) : 1;

    // Finish deletions a crash interrupted.
    const deleted = await deletedTopicIds(db);
    for (const id of deleted) await clearTopicData(this.storage, id);

    const byId = new Map<number, TopicInfo>();
    for await (const v of db.values(prefixRange(kindPrefix(KIND_TOPIC)))) {
      const meta = JSON.parse(utf8Decode(v)) as StoredTopic;
      const entry = this.makeEntry(meta);
      this.topics.set(entry.name, entry);
      byId.set(entry.id, entry);
      if (entry.id >= nextId) nextId = entry.id + 1;
    }

    const orphans = new Set<number>();
    const logOf = (id: number, p: number): PartitionLog | undefined => {
      const t = byId.get(id);
      if (!t) {
        orphans.add(id);
        return undefined;
      }
      return t.partitions[p];
    };

    const unclean = this.storage.uncleanStart;
    const { batches, dangling, unindexed, reindexed, deletesFinished, nextSeq } = await replayLogIndex(db, this.storage.store, logOf, unclean);
    this.storage.queue.nextSeq = nextSeq;
    this.storage.recovered = true;

    // Data of topic ids no topic claims (should not happen; a crash between steps at worst).
    for (const id of orphans) {
      if (id >= nextId) nextId = id + 1;
      await clearTopicData(this.storage, id);
    }
    for (const t of this.topics.values()) for (const log of t.partitions) log.finishRecovery();
    this.nextTopicId = Math.max(nextId, ...deleted.map((id) => id + 1));
    this.logger.info(
      { topics: this.topics.size, batches, deletedTopicsCleared: deleted.length, orphans: orphans.size, dangling, unindexed, reindexed, deletesFinished, unclean, ms: Date.now() - started },
      'log recovered',
    );
  }

  /** The topic's logs: `existing` kept, new ones up to meta.numPartitions; the config applied to all. */
  private makeEntry(meta: StoredTopic, existing: readonly PartitionLog[] = []): TopicInfo {
    this.overridesOf.set(meta.name, Object.freeze({ ...meta.configs }));
    const config = this.effectiveConfig(meta);
    const partitions: PartitionLog[] = new Array(meta.numPartitions);
    for (let p = 0; p < meta.numPartitions; p++) {
      const log = existing[p] ?? new PartitionLog(this.storage.db, this.storage.store, this.storage.queue, this.budget, meta.name, meta.id, p);
      log.maxBatchBytes = config['max.message.bytes'];
      log.flushPolicy = flushPolicyOf(config);
      partitions[p] = log;
    }
    return topicInfo(meta, config, partitions);
  }

  /** Broker defaults under the topic's overrides. */
  private effectiveConfig(meta: StoredTopic): TopicConfig {
    return { ...this.defaults, ...meta.configs };
  }

  // ---- topics ----

  async create(
    name: string,
    numPartitions: number,
    configs: Record<string, string> = {},
    opts: CreateTopicOptions = {},
  ): Promise<TopicInfo> {
    this.checkOpen();
    const bad = validateName('topic', name);
    if (bad) throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, bad);
    if (name.startsWith('__') && !opts.internal) {
      throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, `topic names starting with "__" are reserved for internal topics`);
    }
    if (this.topics.has(name) || this.busy.has(name)) {
      throw new BrookError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${name} already exists`);
    }
    if (!Number.isInteger(numPartitions) || numPartitions < 1 || numPartitions > this.maxPartitions) {
      throw new BrookError(ErrorCode.INVALID_PARTITIONS, `number of partitions must be between 1 and ${this.maxPartitions}, got ${numPartitions}`);
    }
    const overrides = parseTopicConfig(configs);
    const meta: StoredTopic = {
      v: 1,
      id: opts.validateOnly ? -1 : this.nextTopicId++,
      name,
      numPartitions,
      configs: overrides,
      internal: opts.internal === true,
      createdAt: Date.now(),
    };
    if (opts.validateOnly) {
      return topicInfo(meta, this.effectiveConfig(meta), []);
    }
    const entry = this.makeEntry(meta);
    this.busy.add(name);
    try {
      await this.storage.queue.enqueue({
        sync: true,
        prepare: (b) => {
          b.put(topicKey(name), utf8Encode(JSON.stringify(meta)));
          // The counter as of this flush: ids are never reused, even after a failed create.
          b.put(NEXT_TOPIC_ID_KEY, encodeU32(this.nextTopicId));
        },
      });
    } finally {
      this.busy.delete(name);
    }
    this.topics.set(name, entry);
    this.logger.info({ topic: name, id: meta.id, partitions: numPartitions, internal: meta.internal }, 'topic created');
    this.emit({ type: 'created', topic: name });
    return entry;
  }

  /**
   * Deletes a topic: the metadata goes and a 0x06 marker is written in one synced batch (after
   * which the topic is gone, even after a crash), then its data is cleared in the background
   * and the marker removed. Start-up finishes any clearing a crash interrupted.
   */
  async delete(name: string): Promise<void> {
    this.checkOpen();
    const t = this.topics.get(name);
    if (!t || this.busy.has(name)) throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${name}`);
    if (t.internal) throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, `internal topic ${name} cannot be deleted`);
    this.busy.add(name);
    try {
      await this.storage.queue.enqueue({
        sync: true,
        prepare: (b) => {
          b.del(topicKey(name));
          b.put(idPrefix(KIND_DELETED_TOPIC, t.id), utf8Encode(name));
          // Entries after this one in the queue must not write to the topic any more.
          for (const log of t.partitions) log.markClosed();
        },
        commit: () => {
          for (const log of t.partitions) log.dispose();
        },
        abort: () => {
          for (const log of t.partitions) log.reopen();
        },
      });
      this.topics.delete(name);
      this.overridesOf.delete(name);
    } finally {
      this.busy.delete(name);
    }
    this.logger.info({ topic: name, id: t.id }, 'topic deleted');
    this.emit({ type: 'deleted', topic: name });
    this.track(clearTopicData(this.storage, t.id));
  }

  /** Kafka's CreatePartitions: grows a topic to `count` partitions (a topic never shrinks). */
  createPartitions(name: string, count: number, opts: { validateOnly?: boolean } = {}): Promise<TopicInfo> {
    return this.alter(name, opts.validateOnly === true, (t, stored) => {
      if (!Number.isInteger(count) || count <= t.numPartitions || count > this.maxPartitions) {
        throw new BrookError(ErrorCode.INVALID_PARTITIONS, `topic ${name} has ${t.numPartitions} partitions; the new count must be more, and at most ${this.maxPartitions} (got ${count})`);
      }
      return { ...stored, numPartitions: count };
    });
  }

  /**
   * Changes a topic's config overrides (Kafka's IncrementalAlterConfigs): a string sets a setting,
   * null removes the override so the broker default applies again. Checked as a whole first.
   */
  alterConfigs(name: string, changes: Record<string, string | null>, opts: { validateOnly?: boolean } = {}): Promise<TopicInfo> {
    return this.alter(name, opts.validateOnly === true, (_t, stored) => {
      const next: Record<string, string> = Object.fromEntries(Object.entries(stored.configs).map(([k, v]) => [k, String(v)]));
      for (const [k, v] of Object.entries(changes)) {
        if (v !== null) next[k] = v;
        else if (k in DEFAULT_TOPIC_CONFIG) delete next[k];
        else throw new BrookError(ErrorCode.INVALID_CONFIG, `unknown topic config "${k}"`);
      }
      return { ...stored, configs: parseTopicConfig(next) };
    });
  }

  /** The settings a topic set itself (Kafka's TOPIC_CONFIG source); the rest are broker defaults. */
  configOverrides(name: string): Readonly<Partial<TopicConfig>> {
    return this.overridesOf.get(name) ?? {};
  }

  /**
   * Kafka's DeleteRecords: the partition's log start moves up to `offset` (-1: the high
   * watermark). Returns the new log start offset (Kafka's low watermark).
   */
  deleteRecords(name: string, partition: number, offset: number): Promise<number> {
    const t = this.mustGet(name);
    const log = t.partitions[partition];
    if (!log) throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic-partition ${name}-${partition}`);
    if (t.config['cleanup.policy'] === 'compact') throw new BrookError(POLICY_VIOLATION, `records of the compacted topic ${name} cannot be deleted`);
    // Serialized with retention and compaction, which also move the front of the log.
    return this.serialize(async () => {
      const target = offset === -1 ? log.highWatermark : offset;
      if (target < 0 || target > log.highWatermark) {
        throw new BrookError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${offset} is outside ${name}-${partition}'s 0..${log.highWatermark}`);
      }
      const plan = planDeleteBefore(log, target);
      if (plan) await this.storage.queue.enqueue(plan.entry);
      return log.logStartOffset;
    });
  }

  private mustGet(name: string): TopicInfo {
    this.checkOpen();
    const t = this.topics.get(name);
    if (!t || this.busy.has(name)) throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${name}`);
    if (t.internal) throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, `internal topic ${name} cannot be changed`);
    return t;
  }

  /**
   * Stores a topic's changed metadata (synced) and swaps its entry, keeping its logs. Changes run
   * one at a time, each on the topic as the previous one left it.
   */
  private alter(name: string, validateOnly: boolean, change: (t: TopicInfo, stored: StoredTopic) => StoredTopic): Promise<TopicInfo> {
    const run = this.alterations.then(async () => {
      const t = this.mustGet(name);
      const meta = change(t, { v: 1, id: t.id, name, numPartitions: t.numPartitions, configs: { ...this.configOverrides(name) }, internal: t.internal, createdAt: t.createdAt });
      if (validateOnly) return topicInfo(meta, this.effectiveConfig(meta), []);
      // Busy while written, so a concurrent delete cannot slip between and be undone by this write.
      this.busy.add(name);
      try {
        await this.storage.queue.enqueue({ sync: true, prepare: (batch) => batch.put(topicKey(name), utf8Encode(JSON.stringify(meta))) });
      } finally {
        this.busy.delete(name);
      }
      const entry = this.makeEntry(meta, t.partitions);
      this.topics.set(name, entry);
      this.logger.info({ topic: name, partitions: meta.numPartitions, configs: meta.configs }, 'topic altered');
      this.emit({ type: 'altered', topic: name });
      return entry;
    });
    this.alterations = run.catch(() => undefined);
    return run;
  }

  private track(p: Promise<void>): void {
    const q = p.catch((err: unknown) => this.logger.error({ err }, 'clearing a deleted topic failed; start-up will retry'));
    this.background.add(q);
    void q.finally(() => this.background.delete(q));
  }

  get(name: string): TopicInfo | undefined {
    return this.topics.get(name);
  }

  list(): TopicInfo[] {
    return [...this.topics.values()];
  }

  partition(name: string, p: number): PartitionLog | undefined {
    return this.topics.get(name)?.partitions[p];
  }

  onChange(listener: (e: TopicChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => {
      this.changeListeners.delete(listener);
    };
  }

  private emit(e: TopicChange): void {
    for (const l of [...this.changeListeners]) {
      try {
        l(e);
      } catch (err) {
        this.logger.error({ err, event: e }, 'topic change listener failed');
      }
    }
  }

  /** LevelDB batch writes so far (group commit makes this much smaller than the number of appends). */
  get writeCount(): number {
    return this.storage.queue.writes;
  }

  // ---- maintenance ----

  /** Runs maintenance jobs one at a time (timer and explicit calls alike). */
  private serialize<T>(job: () => Promise<T>): Promise<T> {
    const p = this.maintenance.then(job);
    this.maintenance = p.catch(() => undefined);
    return p;
  }

  private runMaintenance(): Promise<void> {
    return this.serialize(async () => {
      if (this.closed) return;
      const now = Date.now();
      try {
        const r = await this.retentionNow(now);
        if (r.batchesRemoved > 0) this.logger.info(r, 'retention removed batches');
        const c = await this.compactionNow(now);
        if (c.batchesRemoved + c.batchesRewritten > 0) this.logger.info(c, 'compaction done');
      } catch (err) {
        this.logger.error({ err }, 'log maintenance failed');
      }
    });
  }

  /** Deletes batches past retention.ms / retention.bytes in topics with cleanup.policy=delete. */
  runRetention(now = Date.now()): Promise<RetentionResult> {
    return this.serialize(() => this.retentionNow(now));
  }

  /** Compacts topics with cleanup.policy=compact. */
  runCompaction(now = Date.now()): Promise<CompactionResult> {
    return this.serialize(() => this.compactionNow(now));
  }

  private retentionNow(now: number): Promise<RetentionResult> {
    return retentionPass(this.topics.values(), this.storage.queue, now);
  }

  private compactionNow(now: number): Promise<CompactionResult> {
    return compactionPass([...this.topics.values()], now, () => this.closed, this.cleanerWork);
  }

  // ---- shutdown ----

  /** Stops the timer, lets running maintenance finish, waits for in-flight writes. Does not close Storage. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.maintenance;
    await Promise.all([...this.background]);
    await this.storage.queue.drain();
  }

  private checkOpen(): void {
    if (this.closed) throw new BrookError(ErrorCode.BROKER_SHUTTING_DOWN, 'the topic manager is closed');
  }
}

/** Exactly the public fields, frozen (the overrides alone stay in the stored metadata). */
function topicInfo(meta: StoredTopic, config: TopicConfig, partitions: PartitionLog[]): TopicInfo {
  return Object.freeze({
    name: meta.name,
    id: meta.id,
    numPartitions: meta.numPartitions,
    config: Object.freeze(config),
    internal: meta.internal,
    createdAt: meta.createdAt,
    partitions: Object.freeze(partitions),
  });
}

