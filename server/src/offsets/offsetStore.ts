/**
 * Committed offsets and group records (metadata, members, targets), kept as records in the internal compacted topic
 * `__consumer_offsets` (one partition) and served from an in-memory table rebuilt by replaying
 * that log at start-up. Commits are written with sync (the same group-commit path as produce
 * with acks 'all'), so an acknowledged commit survives kill -9. Compaction (the log layer's,
 * cleanup.policy=compact) keeps the log bounded by the number of live keys.
 */
import type { Logger } from 'pino';
import { CONSUMER_OFFSETS_TOPIC, decodeBatch, encodeBatch, type RecordInput } from '@brook/protocol';
import type { TopicManager } from '../log/topicManager.js';
import type { AtomicPart } from '../log/appendOp.js';
import type { PartitionLog } from '../log/partitionLog.js';
import {
  decodeOffsetsRecord,
  encodeClassicGroupKey,
  encodeGroupKey,
  encodeGroupValue,
  encodeOffsetKey,
  encodeOffsetValue,
  type CommittedOffset,
  type GroupRecordEntry,
} from './records.js';

export type { CommittedOffset } from './records.js';

export interface OffsetEntry {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

type GroupOffsets = Map<string, Map<number, CommittedOffset>>;

const entryKey = (e: { kind: string; memberId: string | null }) => `${e.kind}\0${e.memberId ?? ''}`;

export class OffsetStore {
  private readonly offsets = new Map<string, GroupOffsets>();
  /** group -> its live records (tombstoned ones removed), keyed by kind and member. */
  private readonly groupRecords = new Map<string, Map<string, GroupRecordEntry>>();
  /**
   * Commits being written, by offset key -> count. The table shows a commit only once it is written,
   * so expiry must not judge these partitions by the older value it still sees.
   */
  private readonly inFlight = new Map<string, number>();
  /** Classic groups' snapshots: their own record type, so a group id may switch kinds. */
  private readonly classicSnapshots = new Map<string, unknown>();
  private constructor(
    private readonly log: PartitionLog,
    private readonly logger: Logger,
  ) {}

  static async open(topics: TopicManager, logger: Logger): Promise<OffsetStore> {
    if (!topics.get(CONSUMER_OFFSETS_TOPIC)) {
      await topics.create(CONSUMER_OFFSETS_TOPIC, 1, { 'cleanup.policy': 'compact', 'retention.ms': '-1' }, { internal: true });
    }
    const store = new OffsetStore(topics.partition(CONSUMER_OFFSETS_TOPIC, 0)!, logger);
    const started = Date.now();
    let records = 0;
    for await (const batch of store.log.scan()) {
      for (const r of decodeBatch(batch).records) {
        if (r.key === null) continue;
        records++;
        store.apply(r.key, r.value);
      }
    }
    logger.info({ records, groups: store.groupIds().length, ms: Date.now() - started }, 'offsets loaded');
    return store;
  }

  private apply(key: Uint8Array, value: Uint8Array | null): void {
    const rec = decodeOffsetsRecord(key, value);
    if (!rec) return;
    if (rec.type === 'offset') {
      if (!rec.value) return this.forget(rec.group, rec.topic, rec.partition);
      const g = this.table(rec.group, true)!;
      let t = g.get(rec.topic);
      if (!t) g.set(rec.topic, (t = new Map()));
      t.set(rec.partition, rec.value);
    } else if (rec.type === 'classicGroup') {
      if (rec.snapshot === null) this.classicSnapshots.delete(rec.group);
      else this.classicSnapshots.set(rec.group, rec.snapshot);
    } else this.applyGroupRecord(rec.group, rec);
  }

  private applyGroupRecord(group: string, e: GroupRecordEntry): void {
    let g = this.groupRecords.get(group);
    if (e.value === null) {
      g?.delete(entryKey(e));
      if (g?.size === 0) this.groupRecords.delete(group);
      return;
    }
    if (!g) this.groupRecords.set(group, (g = new Map()));
    g.set(entryKey(e), { kind: e.kind, memberId: e.memberId, value: e.value });
  }

  private table(group: string, create: boolean): GroupOffsets | undefined {
    let g = this.offsets.get(group);
    if (!g && create) this.offsets.set(group, (g = new Map()));
    return g;
  }

  private forget(group: string, topic: string, partition: number): void {
    const g = this.offsets.get(group);
    const t = g?.get(topic);
    if (!g || !t) return;
    t.delete(partition);
    if (t.size === 0) g.delete(topic);
    if (g.size === 0) this.offsets.delete(group);
  }

  /** Appends the records as one batch, then applies them to the tables (`applied` instead, when the caller has them decoded). */
  private async write(records: RecordInput[], sync: boolean, applied?: () => void): Promise<void> {
    if (records.length === 0) return;
    await this.log.append([encodeBatch({ records })], { sync });
    if (applied) applied();
    else for (const r of records) this.apply(r.key!, r.value);
  }

  /** Writes the commits (one batch, fsynced) and then makes them visible to fetches. */
  async commit(group: string, entries: OffsetEntry[], now = Date.now()): Promise<void> {
    const keys = entries.map((e) => inFlightKey(group, e.topic, e.partition));
    for (const k of keys) this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + 1);
    try {
      await this.write(commitRecords(group, entries, now), true, () => this.applyCommits(group, entries, now));
    } finally {
      for (const k of keys) {
        const n = this.inFlight.get(k)! - 1;
        if (n === 0) this.inFlight.delete(k);
        else this.inFlight.set(k, n);
      }
    }
  }

  /**
   * A transaction's commits as a part for PartitionLog.appendAtomic (written with the
   * transaction's markers), and the step that makes them visible once written.
   */
  transactionalCommit(group: string, entries: OffsetEntry[], now = Date.now()): { part: AtomicPart; apply: () => void } {
    const records = commitRecords(group, entries, now);
    return {
      part: { log: this.log, batches: [encodeBatch({ records })] },
      apply: () => this.applyCommits(group, entries, now),
    };
  }

  /** What `apply` makes of commitRecords' records, from the entries (not decoded back from the records). */
  private applyCommits(group: string, entries: OffsetEntry[], now: number): void {
    const g = this.table(group, true)!;
    for (const e of entries) {
      let t = g.get(e.topic);
      if (!t) g.set(e.topic, (t = new Map()));
      t.set(e.partition, { offset: e.offset, metadata: e.metadata, commitTimestamp: now });
    }
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(group)?.get(topic)?.get(partition);
  }

  /** Every committed offset of a group, sorted by topic and partition. */
  list(group: string): Array<CommittedOffset & { topic: string; partition: number }> {
    const out: Array<CommittedOffset & { topic: string; partition: number }> = [];
    for (const [topic, parts] of this.offsets.get(group) ?? []) {
      for (const [partition, c] of parts) out.push({ topic, partition, ...c });
    }
    return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  groupIds(): string[] {
    return [...new Set([...this.offsets.keys(), ...this.groupRecords.keys()])];
  }

  hasGroup(group: string): boolean {
    return this.offsets.has(group) || this.groupRecords.has(group);
  }

  /** Whether the group has committed offsets, or commits being written (group records alone do not count). */
  hasOffsets(group: string): boolean {
    if (this.offsets.has(group)) return true;
    for (const k of this.inFlight.keys()) if (k.startsWith(`${group}\0`)) return true;
    return false;
  }

  /** Tombstones for the given partitions' offsets (also those with a commit being written: it lands first). */
  async deleteOffsets(group: string, entries: Array<{ topic: string; partition: number }>): Promise<void> {
    const present = entries.filter((e) => this.get(group, e.topic, e.partition) !== undefined || this.inFlight.has(inFlightKey(group, e.topic, e.partition)));
    await this.write(present.map((e) => ({ key: encodeOffsetKey(group, e.topic, e.partition), value: null })), true);
  }

  /** Tombstones for every offset of the group (written or being written) and every group record. */
  async deleteGroup(group: string): Promise<void> {
    const keys = new Set(this.list(group).map((o) => inFlightKey(group, o.topic, o.partition)));
    for (const k of this.inFlight.keys()) if (k.startsWith(`${group}\0`)) keys.add(k);
    const records: RecordInput[] = [...keys].map((k) => {
      const [, topic, partition] = k.split('\0');
      return { key: encodeOffsetKey(group, topic!, Number(partition)), value: null };
    });
    for (const e of this.groupRecords.get(group)?.values() ?? []) records.push({ key: encodeGroupKey(group, e.kind, e.memberId), value: null });
    await this.write(records, true);
  }

  /** Kafka deletes a topic's committed offsets with the topic. */
  async deleteTopic(topic: string): Promise<void> {
    const records: RecordInput[] = [];
    for (const [group, g] of this.offsets) {
      for (const partition of g.get(topic)?.keys() ?? []) records.push({ key: encodeOffsetKey(group, topic, partition), value: null });
    }
    await this.write(records, true);
  }

  /**
   * Writes records of a group in one batch; null: tombstones for all of them (the group is gone).
   * A batch with the group's metadata record replaces a whole-group snapshot (the format before
   * per-member records), which gets its tombstone in the same batch. Group records are not
   * fsynced: losing them to a power cut only makes members rejoin.
   */
  async saveGroup(group: string, records: readonly GroupRecordEntry[] | null): Promise<void> {
    const stored = this.groupRecords.get(group);
    const entries =
      records === null
        ? [...(stored?.values() ?? [])].map((e) => ({ ...e, value: null }))
        : records.filter((e) => e.value !== null || stored?.has(entryKey(e)));
    if (records?.some((e) => e.kind === 'metadata' && e.value !== null) && stored?.has(entryKey({ kind: 'snapshot', memberId: null }))) {
      entries.push({ kind: 'snapshot', memberId: null, value: null });
    }
    const batch = entries.map((e) => ({ key: encodeGroupKey(group, e.kind, e.memberId), value: e.value === null ? null : encodeGroupValue(e.value) }));
    await this.write(batch, false, () => {
      for (const e of entries) this.applyGroupRecord(group, e);
    });
  }

  /** Every group's records, as replayed at start-up (for the group coordinator to restore). */
  storedGroups(): Array<{ groupId: string; records: GroupRecordEntry[] }> {
    return [...this.groupRecords].map(([groupId, g]) => ({ groupId, records: [...g.values()] }));
  }

  async saveClassicGroup(group: string, snapshot: unknown | null): Promise<void> {
    if (snapshot === null && !this.classicSnapshots.has(group)) return;
    await this.write([{ key: encodeClassicGroupKey(group), value: snapshot === null ? null : encodeGroupValue(snapshot) }], false);
  }

  classicGroupSnapshots(): Array<[string, unknown]> {
    return [...this.classicSnapshots];
  }

  /**
   * Offset expiry (Kafka's offsets.retention.minutes, KIP-848 rule): while a group has no members,
   * each offset expires `retentionMs` after its commit, except where a commit for the partition is
   * being written (newer than what the table shows) or `isPending` says a transaction holds a newer
   * one (Kafka keeps those). Returns how many were deleted.
   */
  async expire(
    now: number,
    retentionMs: number,
    isEmpty: (group: string) => boolean,
    isPending: (group: string, topic: string, partition: number) => boolean = () => false,
  ): Promise<number> {
    const expired: RecordInput[] = [];
    for (const [group] of this.offsets) {
      if (!isEmpty(group)) continue;
      for (const o of this.list(group)) {
        if (o.commitTimestamp + retentionMs < now && !this.inFlight.has(inFlightKey(group, o.topic, o.partition)) && !isPending(group, o.topic, o.partition)) {
          expired.push({ key: encodeOffsetKey(group, o.topic, o.partition), value: null });
        }
      }
    }
    await this.write(expired, true);
    if (expired.length) this.logger.info({ count: expired.length }, 'expired committed offsets');
    return expired.length;
  }
}

const inFlightKey = (group: string, topic: string, partition: number) => `${group}\0${topic}\0${partition}`;

function commitRecords(group: string, entries: OffsetEntry[], now: number): RecordInput[] {
  return entries.map((e) => ({
    key: encodeOffsetKey(group, e.topic, e.partition),
    value: encodeOffsetValue({ offset: e.offset, metadata: e.metadata, commitTimestamp: now }),
    timestamp: now,
  }));
}
