// The periodic passes over every topic: retention (delete policy: retention.ms / retention.bytes,
// and idle producer ids) and compaction (compact policy). TopicManager schedules them one at a time.
import { BrookError, ErrorCode } from '@brook/protocol';
import type { CleanerWork } from './batchRewrite.js';
import type { CompactionResult } from './cleaner.js';
import type { PartitionLog } from './partitionLog.js';
import type { TopicConfig } from './topicConfig.js';
import type { WriteQueue } from './writeQueue.js';

/** Idle producers' ids and sequences are forgotten after a day (Kafka: transactional.id.expiration.ms). */
export const PRODUCER_ID_EXPIRATION_MS = 24 * 3600 * 1000;

export interface RetentionResult {
  partitions: number;
  batchesRemoved: number;
}

interface MaintainedTopic {
  readonly config: TopicConfig;
  readonly partitions: readonly PartitionLog[];
}

/** Deletes batches past retention.ms / retention.bytes in topics with cleanup.policy=delete. */
export async function retentionPass(topics: Iterable<MaintainedTopic>, queue: WriteQueue, now: number): Promise<RetentionResult> {
  const result: RetentionResult = { partitions: 0, batchesRemoved: 0 };
  const writes: Promise<void>[] = [];
  for (const t of topics) {
    for (const log of t.partitions) log.expireProducers(now, PRODUCER_ID_EXPIRATION_MS);
    const c = t.config;
    if (c['cleanup.policy'] !== 'delete') continue;
    if (c['retention.ms'] < 0 && c['retention.bytes'] < 0) continue;
    for (const log of t.partitions) {
      const plan = log.planRetention(now, c['retention.ms'], c['retention.bytes']);
      if (!plan) continue;
      result.partitions++;
      result.batchesRemoved += plan.batches;
      // Enqueued together, so all partitions share a write.
      writes.push(queue.enqueue(plan.entry));
    }
  }
  const settled = await Promise.allSettled(writes);
  for (const s of settled) {
    if (s.status === 'rejected' && !isDeleted(s.reason)) throw s.reason;
  }
  return result;
}

/** Compacts topics with cleanup.policy=compact, partition by partition, until `stopped()`. */
export async function compactionPass(topics: readonly MaintainedTopic[], now: number, stopped: () => boolean, work?: CleanerWork): Promise<CompactionResult> {
  const total: CompactionResult = { batchesRemoved: 0, batchesRewritten: 0, recordsRemoved: 0 };
  for (const t of topics) {
    const c = t.config;
    if (c['cleanup.policy'] !== 'compact') continue;
    for (const log of t.partitions) {
      if (stopped()) return total;
      try {
        const r = await log.compact(
          now,
          { deleteRetentionMs: c['delete.retention.ms'], minCompactionLagMs: c['min.compaction.lag.ms'] },
          work,
        );
        total.batchesRemoved += r.batchesRemoved;
        total.batchesRewritten += r.batchesRewritten;
        total.recordsRemoved += r.recordsRemoved;
      } catch (err) {
        if (!isDeleted(err)) throw err;
      }
    }
  }
  return total;
}

/** The topic was deleted while the pass ran: not an error. */
export function isDeleted(err: unknown): boolean {
  return err instanceof BrookError && err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
}
