/** The log cleaner (Kafka's LogCleaner): compaction of one partition, including removal of aborted transactions' batches. */
import { ATTR_CONTROL, ATTR_TRANSACTIONAL } from '@brook/protocol';
import { inlineCleanerWork, type CleanerWork } from './batchRewrite.js';
import { decodeOptions } from './compression.js';
import { IN_LOG_DB, KIND_BATCH, KIND_INDEX, encodeIndexValue, encodePartMeta, offsetKey, type IndexEntry } from './keys.js';
import type { PartitionLog } from './partitionLog.js';
import type { WriteEntry } from './writeQueue.js';

export interface CompactionSettings {
  deleteRetentionMs: number;
  minCompactionLagMs: number;
}

export interface CompactionResult {
  batchesRemoved: number;
  batchesRewritten: number;
  recordsRemoved: number;
}

/** One stored batch compaction changed. */
export interface BatchChange {
  base: number;
  last: number;
  /** null: the batch is removed. */
  data: Uint8Array | null;
  maxTs: number;
  count: number;
  producer: Pick<IndexEntry, 'producerId' | 'producerEpoch' | 'baseSequence' | 'attributes' | 'controlType'>;
  /** Where the batch was stored (its index entry's storeSeq). */
  oldSeq: number;
  /** Where the rewritten batch is stored: set when its write is prepared. */
  storeSeq: number;
}

/** Compaction writes its changes in LevelDB batches of about this size. */
const COMPACTION_CHUNK_BYTES = 4 * 1024 * 1024;
const NO_PRODUCER = { producerId: -1, producerEpoch: -1, baseSequence: -1, attributes: 0, controlType: -1 };

/** Compacts one partition; remembers (in memory only) how far it got, to skip runs with nothing new. */
export class LogCleaner {
  /** The end of the last compacted range and when a kept tombstone expires. */
  private compactedUpTo = -1;
  private nextTombstoneExpiry = Infinity;

  constructor(private readonly log: PartitionLog) {}

  /**
   * Keeps the latest record per key in the compactable range (all batches but the last, none
   * newer than minCompactionLagMs, and none at or past the last stable offset), drops tombstones
   * older than deleteRetentionMs, keeps records without a key and control batches. Kept records
   * keep their offsets; a batch left empty is deleted. logStartOffset does not move (Kafka's
   * rule); a fetch that lands in a gap gets the next batch.
   *
   * Transactions, as Kafka's log cleaner: batches of aborted transactions are removed and never
   * count as a key's latest value (else an aborted write would evict the committed one and
   * read_committed readers would see neither), and nothing of an open transaction is compacted
   * (it may still abort).
   *
   * Decoding and re-encoding batches is `work`'s (the broker's keeps large ones off its event loop).
   */
  async compact(now: number, cfg: CompactionSettings, work: CleanerWork = inlineCleanerWork): Promise<CompactionResult> {
    const log = this.log;
    const index = log.index;
    const result: CompactionResult = { batchesRemoved: 0, batchesRewritten: 0, recordsRemoved: 0 };
    if (log.isClosed) return result;
    const n = index.length - 1; // the last batch is the active head
    const lagCutoff = now - cfg.minCompactionLagMs;
    const lso = log.lastStableOffset;
    let end = 0;
    while (end < n && index.maxTimestampOf(end) <= lagCutoff && index.lastOf(end) < lso) end++;
    if (end === 0) return result;
    const endBase = index.baseOf(end);
    if (endBase === this.compactedUpTo && now < this.nextTombstoneExpiry) return result;

    // Pass 1: the latest offset of every key in the range.
    const latest = new Map<string, number>();
    const decoding = decodeOptions(log.maxBatchBytes);
    for await (const buf of log.scanStored(0, endBase)) {
      const s = await work.summarize(buf, decoding);
      if (s.header.attributes & ATTR_CONTROL || this.isAborted(s.header)) continue;
      for (let i = 0; i < s.keys.length; i++) {
        const key = s.keys[i];
        if (typeof key === 'string') latest.set(key, s.offsets[i]!);
      }
    }

    // Pass 2: rewrite what changed, in chunks written through the queue.
    const tombstoneCutoff = now - cfg.deleteRetentionMs;
    let tombstoneExpiry = Infinity;
    let chunk: BatchChange[] = [];
    let chunkBytes = 0;
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const c = chunk;
      chunk = [];
      chunkBytes = 0;
      await log.queue.enqueue(this.compactionEntry(c));
    };
    for await (const buf of log.scanStored(0, endBase)) {
      const s = await work.summarize(buf, decoding);
      const h = s.header;
      if (h.attributes & ATTR_CONTROL) continue;
      const aborted = this.isAborted(h);
      const keep: number[] = [];
      for (let i = 0; i < s.offsets.length && !aborted; i++) {
        const key = s.keys[i];
        if (typeof key === 'string') {
          if (latest.get(key) !== s.offsets[i]) continue;
          if (s.tombstones[i]) {
            if (s.timestamps[i]! < tombstoneCutoff) continue;
            tombstoneExpiry = Math.min(tombstoneExpiry, s.timestamps[i]! + cfg.deleteRetentionMs);
          }
        }
        keep.push(s.offsets[i]!);
      }
      if (keep.length === s.offsets.length) continue;
      result.recordsRemoved += s.offsets.length - keep.length;
      const last = h.baseOffset + h.lastOffsetDelta;
      // Maintenance is serialized and appends only add beyond the range: the entry is still there.
      const oldSeq = index.seqOf(index.positionOf(h.baseOffset));
      if (keep.length === 0) {
        result.batchesRemoved++;
        chunk.push({ base: h.baseOffset, last, data: null, maxTs: 0, count: 0, producer: NO_PRODUCER, oldSeq, storeSeq: -1 });
      } else {
        result.batchesRewritten++;
        const { data, maxTimestamp, count } = await work.rewrite(buf, keep, decoding, s);
        const producer = {
          producerId: h.producerId,
          producerEpoch: h.producerEpoch,
          baseSequence: h.baseSequence,
          attributes: h.attributes & 0xff,
          controlType: -1,
        };
        chunk.push({ base: h.baseOffset, last, data, maxTs: maxTimestamp, count, producer, oldSeq, storeSeq: -1 });
        chunkBytes += data.byteLength;
      }
      if (chunkBytes >= COMPACTION_CHUNK_BYTES || chunk.length >= 4096) await flush();
    }
    await flush();
    this.compactedUpTo = endBase;
    this.nextTombstoneExpiry = tombstoneExpiry;
    return result;
  }

  /** A data batch of a transaction that was aborted (its ABORT marker is in the log). */
  private isAborted(h: { attributes: number; producerId: number; baseOffset: number }): boolean {
    if ((h.attributes & ATTR_TRANSACTIONAL) === 0) return false;
    return this.log
      .abortedTransactions(h.baseOffset, h.baseOffset + 1)
      .some((a) => a.producerId === h.producerId && a.firstOffset <= h.baseOffset);
  }

  private compactionEntry(changes: BatchChange[]): WriteEntry {
    const log = this.log;
    let floor = log.endOffsetFloor;
    for (const c of changes) if (c.data === null) floor = Math.max(floor, c.last + 1);
    return {
      sync: false,
      prepare: (b) => {
        log.checkOpen();
        for (const c of changes) {
          const ik = offsetKey(KIND_INDEX, log.topicId, log.partition, c.base);
          // A rewritten batch goes to the head of the batch store (its keys only grow), and the old one is deleted.
          if (c.data === null) b.del(ik);
          else {
            c.storeSeq = b.putBatch(c.data, log.topicId, log.partition);
            b.put(ik, encodeIndexValue({ ...c.producer, lastOffset: c.last, maxTimestamp: c.maxTs, size: c.data.byteLength, records: c.count, storeSeq: c.storeSeq }));
          }
          if (c.oldSeq === IN_LOG_DB) b.del(offsetKey(KIND_BATCH, log.topicId, log.partition, c.base));
          else b.delBatch(c.oldSeq, log.topicId, log.partition);
        }
        if (floor > log.endOffsetFloor) b.put(log.metaKey, encodePartMeta(log.logStartOffset, floor));
      },
      commit: () => log.applyCompaction(changes, floor),
    };
  }
}
