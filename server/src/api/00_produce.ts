// Produce: validate every batch of a partition (CRC, record walk: services/batchSplit.ts) before writing any; the log
// checks max.message.bytes for all of them before it writes, so a partition's data is all-or-nothing; then append through the group-commit queue.
// Transactional batches join their producer's transaction first (the coordinator checks the epoch);
// control batches are the broker's own and refused from clients.
// acks 0 gets no response, acks 1 waits for the LevelDB write, acks -1 (all) for the fsync.
import { BrookError, ErrorCode } from '@brook/protocol';
import { decodeOptions } from '../log/compression.js';
import { refuseOversized } from '../services/batchSplit.js';
import type { BrokerContext, Handler } from './types.js';
import { toErrorCode } from './errors.js';
import { authorize } from './acl.js';
import { startInTurns } from './turns.js';

export function produce(ctx: BrokerContext): Handler<'Produce'> {
  return async (req, conn) => {
    if (req.acks !== 0 && req.acks !== 1 && req.acks !== -1) {
      throw new BrookError(ErrorCode.INVALID_REQUEST, `acks must be 0, 1 or -1 (all), got ${req.acks}`);
    }
    const sync = req.acks === -1;
    // Many partitions start over several turns of the event loop (api/turns.ts).
    const results = await startInTurns(conn, req.topics, async (t, p) => {
      try {
        authorize(ctx, conn, 'topic', t.topic, 'produce');
        const log = ctx.topics.partition(t.topic, p.partition);
        // Answered without an exception: a BrookError's stack trace cost ~30 us a partition.
        if (!log) {
          return { partition: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic-partition ${t.topic}-${p.partition}`, baseOffset: -1, logStartOffset: -1 };
        }
        const topic = ctx.topics.get(t.topic)!;
        if (topic.internal) throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, `${t.topic} is internal and not writable by clients`);
        // Checked (on a worker thread if compressed: services/batchChecks.ts), then appended
        // in the order the partition's requests came.
        refuseOversized(p.records, log.maxBatchBytes, t.topic);
        let records = 0;
        const r = await ctx.batchChecks.run(log, p.records, decodeOptions(log.maxBatchBytes), (split) => {
          records = split.records;
          // A transactional batch joins its producer's transaction (the coordinator checks
          // the epoch), if this principal may write for the producer's transactional id.
          const { txn } = split;
          if (!txn) return log.append(split.batches, { sync });
          const tid = ctx.txns.transactionalIdOf(txn.producerId);
          if (tid !== null) authorize(ctx, conn, 'transactionalId', tid, 'write');
          const release = ctx.txns.beginAppend(txn.producerId, txn.producerEpoch, log);
          return log.append(split.batches, { sync }).finally(release);
        });
        ctx.metrics.bytesIn.inc({ topic: t.topic }, p.records.length);
        ctx.metrics.recordsIn.inc({ topic: t.topic }, records);
        return { partition: p.partition, errorCode: 0, errorMessage: null, baseOffset: r.baseOffset, logStartOffset: r.logStartOffset };
      } catch (e) {
        return { partition: p.partition, ...toErrorCode(e, ctx.logger), baseOffset: -1, logStartOffset: -1 };
      }
    });
    return req.acks === 0 ? null : { topics: req.topics.map((t, i) => ({ topic: t.topic, partitions: results[i]! })) };
  };
}
