/** Retention (cleanup.policy=delete): which whole batches to delete from the front of a partition, and the write that deletes them. */
import { IN_LOG_DB, KIND_BATCH, KIND_INDEX, encodePartMeta, offsetKey } from './keys.js';
import type { PartitionLog } from './partitionLog.js';
import type { WriteEntry } from './writeQueue.js';

export interface RetentionPlan {
  entry: WriteEntry;
  /** Batches the entry deletes. */
  batches: number;
}

/**
 * Plans deletion of whole batches from the front: while a batch's maxTimestamp < now - retentionMs,
 * or while the bytes left after removing it are still >= retentionBytes (-1 disables either).
 * Returns the write entry, or null if nothing is due.
 */
export function planRetention(log: PartitionLog, now: number, retentionMs: number, retentionBytes: number): RetentionPlan | null {
  if (log.isClosed) return null;
  const index = log.index;
  const n = index.length;
  let bytes = index.totalBytes;
  let k = 0;
  // As Kafka, only below the high watermark: what readers have not seen yet is not retention's.
  while (k < n && index.lastOf(k) < log.highWatermark) {
    const size = index.sizeOf(k);
    const byTime = retentionMs >= 0 && index.maxTimestampOf(k) < now - retentionMs;
    const bySize = retentionBytes >= 0 && bytes - size >= retentionBytes;
    if (!byTime && !bySize) break;
    bytes -= size;
    k++;
  }
  if (k === 0) return null;
  return frontDeletion(log, k, Math.max(log.logStartOffset, index.lastOf(k - 1) + 1));
}

/**
 * Kafka's DeleteRecords: the log start moves to `offset` (at most the high watermark); the
 * batches wholly below it are deleted, and a batch it falls inside stays, its earlier records
 * hidden by the new log start. Null if the log already starts at or after `offset`.
 */
export function planDeleteBefore(log: PartitionLog, offset: number): RetentionPlan | null {
  if (log.isClosed || offset <= log.logStartOffset) return null;
  const index = log.index;
  let k = 0;
  while (k < index.length && index.lastOf(k) < offset) k++;
  return frontDeletion(log, k, offset);
}

/** The write that deletes the first `k` batches and moves the log start to `newStart`. */
function frontDeletion(log: PartitionLog, k: number, newStart: number): RetentionPlan {
  const index = log.index;
  const bases: number[] = new Array(k);
  const seqs: number[] = new Array(k);
  for (let j = 0; j < k; j++) {
    bases[j] = index.baseOf(j);
    seqs[j] = index.seqOf(j);
  }
  const floor = Math.max(log.endOffsetFloor, newStart);
  const entry: WriteEntry = {
    sync: false,
    prepare: (b) => {
      log.checkOpen();
      for (let j = 0; j < k; j++) {
        b.del(offsetKey(KIND_INDEX, log.topicId, log.partition, bases[j]!));
        if (seqs[j] === IN_LOG_DB) b.del(offsetKey(KIND_BATCH, log.topicId, log.partition, bases[j]!));
        else b.delBatch(seqs[j]!, log.topicId, log.partition);
      }
      b.put(log.metaKey, encodePartMeta(newStart, floor));
    },
    // Maintenance is serialized, so the front is still what was planned.
    commit: () => log.advanceLogStart(newStart, floor),
  };
  return { entry, batches: k };
}
