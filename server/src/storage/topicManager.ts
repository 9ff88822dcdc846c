/**
 * Topics and their partition logs: create/delete, recovery at start-up, and background
 * maintenance (retention for cleanup.policy=delete, compaction for cleanup.policy=compact).
 */
import type { Logger } from 'pino';
import { BrookError, ErrorCode, decodeBatch, encodeBatch, utf8Decode, utf8Encode, validateName, type RecordInput } from '@brook/protocol';
import type { Storage } from './db.js';
import { BATCH, INDEX, NEXT_TOPIC_ID, PARTITION_META, TOPIC, decodeIndex, parseBatchKey, partitionPrefix, prefixEnd, topicKey } from './keys.js';
import { PartitionLog } from './partitionLog.js';
import { WriteQueue } from './writeQueue.js';
import { defaultTopicConfig, parseTopicConfig, type TopicConfig } from './topicConfig.js';

export type { TopicConfig } from './topicConfig.js';

export interface TopicInfo {
  name: string;
  id: number;
  numPartitions: number;
  config: TopicConfig;
  internal: boolean;
  createdAt: number;
  partitions: PartitionLog[];
}

export interface TopicManagerOptions {
  logger: Logger;
  defaults?: Partial<TopicConfig>;
  maxPartitionsPerTopic?: number;
  /** Retention and compaction interval (ms); 0 disables the timer (tests call runRetention/runCompaction). */
  maintenanceIntervalMs?: number;
}

type TopicEvent = { type: 'created' | 'deleted'; topic: string };

export class TopicManager {
  private readonly topics = new Map<string, TopicInfo>();
  private readonly listeners = new Set<(e: TopicEvent) => void>();
  readonly queue: WriteQueue;
  private nextTopicId = 1;
  private timer: ReturnType<typeof setInterval> | null = null;
  private maintenance: Promise<void> = Promise.resolve();
  private readonly defaults: TopicConfig;
  private readonly maxPartitions: number;

  private constructor(
    private readonly storage: Storage,
    private readonly logger: Logger,
    opts: TopicManagerOptions,
  ) {
    this.queue = new WriteQueue(storage.db);
    this.defaults = { ...defaultTopicConfig, ...opts.defaults };
    this.maxPartitions = opts.maxPartitionsPerTopic ?? 10_000;
  }

  static async open(storage: Storage, opts: TopicManagerOptions): Promise<TopicManager> {
    const tm = new TopicManager(storage, opts.logger, opts);
    await tm.recover();
    const every = opts.maintenanceIntervalMs ?? 30_000;
    if (every > 0) {
      tm.timer = setInterval(() => void tm.runMaintenance(), every);
      tm.timer.unref();
    }
    return tm;
  }

  private async recover(): Promise<void> {
    const db = this.storage.db;
    const idBytes = await db.get(Uint8Array.of(NEXT_TOPIC_ID));
    if (idBytes) this.nextTopicId = new DataView(idBytes.buffer, idBytes.byteOffset).getUint32(0);
    const byId = new Map<number, TopicInfo>();
    for await (const [, v] of db.iterator({ gte: Uint8Array.of(TOPIC), lt: Uint8Array.of(TOPIC + 1) })) {
      const m = JSON.parse(utf8Decode(v)) as Omit<TopicInfo, 'partitions'>;
      const t: TopicInfo = { ...m, config: { ...this.defaults, ...m.config }, partitions: [] };
      for (let p = 0; p < t.numPartitions; p++) t.partitions.push(new PartitionLog(t.name, t.id, p, db, this.queue));
      this.topics.set(t.name, t);
      byId.set(t.id, t);
    }
    const orphans = new Set<number>();
    for await (const [k, v] of db.iterator({ gte: Uint8Array.of(INDEX), lt: Uint8Array.of(INDEX + 1) })) {
      const { topicId, partition, baseOffset } = parseBatchKey(k);
      const log = byId.get(topicId)?.partitions[partition];
      if (log) log.restore(baseOffset, decodeIndex(v));
      else orphans.add(topicId);
    }
    const metas = new Map<string, { logStartOffset: number; logEndOffset: number }>();
    for await (const [k, v] of db.iterator({ gte: Uint8Array.of(PARTITION_META), lt: Uint8Array.of(PARTITION_META + 1) })) {
      const view = new DataView(k.buffer, k.byteOffset, k.byteLength);
      metas.set(`${view.getUint32(1)}:${view.getUint32(5)}`, JSON.parse(utf8Decode(v)) as { logStartOffset: number; logEndOffset: number });
    }
    for (const t of this.topics.values()) for (const log of t.partitions) log.finishRestore(metas.get(`${t.id}:${log.partition}`) ?? null);
    // A crash between deleting a topic's metadata and its data leaves orphans: finish the job.
    for (const id of orphans) await this.clearTopicData(id);
    this.logger.debug({ topics: this.topics.size }, 'topics recovered');
  }

  private async clearTopicData(id: number): Promise<void> {
    for (const kind of [BATCH, INDEX, PARTITION_META]) {
      const prefix = partitionPrefix(kind, id);
      await this.storage.db.clear({ gte: prefix, lt: prefixEnd(prefix) });
    }
  }

  onChange(listener: (e: TopicEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(name: string): TopicInfo | undefined {
    return this.topics.get(name);
  }

  list(): TopicInfo[] {
    return [...this.topics.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  partition(name: string, p: number): PartitionLog | undefined {
    return this.topics.get(name)?.partitions[p];
  }

  async create(
    name: string,
    numPartitions: number,
    configs: Record<string, string>,
    opts: { internal?: boolean; validateOnly?: boolean } = {},
  ): Promise<TopicInfo> {
    const bad = validateName('topic', name);
    if (bad) throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, bad);
    if (name.startsWith('__') && !opts.internal) {
      throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'topic names starting with "__" are reserved for internal topics');
    }
    if (!Number.isInteger(numPartitions) || numPartitions < 1 || numPartitions > this.maxPartitions) {
      throw new BrookError(ErrorCode.INVALID_PARTITIONS, `partitions must be between 1 and ${this.maxPartitions}, got ${numPartitions}`);
    }
    const config = parseTopicConfig(configs, this.defaults);
    if (this.topics.has(name)) throw new BrookError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${name} already exists`);
    const meta = { name, id: this.nextTopicId, numPartitions, config, internal: opts.internal === true, createdAt: Date.now() };
    if (opts.validateOnly) return { ...meta, partitions: [] };
    this.nextTopicId++;
    const t: TopicInfo = { ...meta, partitions: [] };
    for (let p = 0; p < numPartitions; p++) t.partitions.push(new PartitionLog(name, t.id, p, this.storage.db, this.queue));
    // Reserve the name at once so a concurrent create of the same name fails.
    this.topics.set(name, t);
    const idBytes = new Uint8Array(4);
    new DataView(idBytes.buffer).setUint32(0, this.nextTopicId);
    try {
      await this.queue.enqueue({
        sync: true,
        prepare: (b) => {
          b.put(topicKey(name), utf8Encode(JSON.stringify(meta)));
          b.put(Uint8Array.of(NEXT_TOPIC_ID), idBytes);
        },
        commit: () => {},
        rollback: () => {},
      });
    } catch (e) {
      this.topics.delete(name);
      throw e;
    }
    this.emit({ type: 'created', topic: name });
    return t;
  }

  async delete(name: string): Promise<void> {
    const t = this.topics.get(name);
    if (!t) throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${name}`);
    if (t.internal) throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, `${name} is internal and cannot be deleted`);
    this.topics.delete(name);
    await this.queue.enqueue({ sync: true, prepare: (b) => b.del(topicKey(name)), commit: () => {}, rollback: () => this.topics.set(name, t) });
    this.emit({ type: 'deleted', topic: name });
    await this.clearTopicData(t.id);
  }

  private emit(e: TopicEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.logger.error({ err }, 'topic listener failed');
      }
    }
  }

  private runMaintenance(now = Date.now()): Promise<void> {
    this.maintenance = this.maintenance
      .then(async () => {
        await this.retention(now);
        await this.compaction(now);
      })
      .catch((err: unknown) => this.logger.error({ err }, 'log maintenance failed'));
    return this.maintenance;
  }

  /** Retention now (tests); also runs on the maintenance timer. */
  async runRetention(now = Date.now()): Promise<number> {
    let n = 0;
    await (this.maintenance = this.maintenance.then(async () => {
      n = await this.retention(now);
    }));
    return n;
  }

  /** Compaction now (tests); also runs on the maintenance timer. */
  async runCompaction(now = Date.now()): Promise<number> {
    let n = 0;
    await (this.maintenance = this.maintenance.then(async () => {
      n = await this.compaction(now);
    }));
    return n;
  }

  private async retention(now: number): Promise<number> {
    let deleted = 0;
    for (const t of this.topics.values()) {
      if (t.config['cleanup.policy'] !== 'delete') continue;
      for (const log of t.partitions) deleted += await log.applyRetention(now, t.config['retention.ms'], t.config['retention.bytes']);
    }
    if (deleted) this.logger.info({ batches: deleted }, 'retention deleted batches');
    return deleted;
  }

  /**
   * Compaction keeps the latest record per key (records without a key stay), drops tombstones
   * older than delete.retention.ms, never reorders or renumbers, and leaves the active (last)
   * batch alone. Returns the records removed.
   */
  private async compaction(now: number): Promise<number> {
    let removed = 0;
    for (const t of this.topics.values()) {
      if (t.config['cleanup.policy'] !== 'compact' || !this.topics.has(t.name)) continue;
      for (const log of t.partitions) {
        const candidates = log.compactable(now, t.config['min.compaction.lag.ms']);
        if (candidates.length === 0) continue;
        const latest = new Map<string, number>();
        for await (const batch of log.scan()) {
          for (const r of decodeBatch(batch).records) if (r.key) latest.set(keyString(r.key), r.offset);
        }
        const changes = new Map<number, Uint8Array | null>();
        for (const base of candidates) {
          const data = await log.readBatch(base);
          if (!data) continue;
          const { header, records } = decodeBatch(data);
          const kept: RecordInput[] = [];
          for (const r of records) {
            const live = r.key === null || latest.get(keyString(r.key)) === r.offset;
            const expiredTombstone = r.value === null && r.timestamp < now - t.config['delete.retention.ms'];
            if (live && !expiredTombstone) kept.push({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offset - base });
          }
          if (kept.length === records.length) continue;
          removed += records.length - kept.length;
          changes.set(
            base,
            kept.length === 0
              ? null
              : encodeBatch({
                  records: kept,
                  baseOffset: base,
                  lastOffsetDelta: header.lastOffsetDelta,
                  producerId: header.producerId,
                  producerEpoch: header.producerEpoch,
                  baseSequence: header.baseSequence,
                  transactional: (header.attributes & 0x10) !== 0,
                  control: (header.attributes & 0x20) !== 0,
                }),
          );
        }
        await log.rewrite(changes);
      }
    }
    if (removed) this.logger.debug({ records: removed }, 'compaction removed records');
    return removed;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.maintenance;
    await this.queue.drain();
  }
}

function keyString(k: Uint8Array): string {
  let s = '';
  for (let i = 0; i < k.length; i++) s += String.fromCharCode(k[i]!);
  return s;
}
