// Fetch: long poll (read_committed stops at the last stable offset and lists the aborted
// transactions in range, which the client skips, as Kafka's consumer does). Read every requested partition; if fewer than minBytes came back, wait for an
// append on any of them (or maxWaitMs, or the client/broker going away) and read again.
import { BrookError, ErrorCode, RecordSet, batchSpans, readBatchHeader, recordPieces, type RecordBytes } from '@brook/protocol';
import type { FetchResponse } from '@brook/protocol';
import type { BrokerContext, Handler } from './types.js';
import { toErrorCode } from './errors.js';
import { allowed } from './acl.js';
import { turnTaker } from './turns.js';
import type { ConnectionInfo } from './types.js';
import type { PartitionLog } from '../log/partitionLog.js';
import type { AbortedTxn } from '../log/producerState.js';

type PartitionResult = FetchResponse['topics'][number]['partitions'][number];
const EMPTY: Uint8Array = new Uint8Array(0);

export function fetch(ctx: BrokerContext): Handler<'Fetch'> {
  return async (req, conn) => {
    if (req.maxBytes < 0 || req.minBytes < 0) throw new BrookError(ErrorCode.INVALID_FETCH_SIZE, 'maxBytes and minBytes must be >= 0');
    const deadline = Date.now() + Math.min(Math.max(req.maxWaitMs, 0), ctx.options.maxFetchWaitMs);
    for (let round = 0; ; round++) {
      const { response, bytes, logs, errors } = await readOnce(ctx, req, conn);
      const now = Date.now();
      if (bytes >= Math.max(req.minBytes, 1) || errors || now >= deadline || conn.signal.aborted || ctx.shutdown.aborted) {
        for (const t of response.topics) {
          let n = 0;
          let records = 0;
          for (const p of t.partitions) {
            n += p.records.length;
            for (const piece of recordPieces(p.records)) for (const span of batchSpans(piece)) records += readBatchHeader(piece, span.at).recordCount;
          }
          if (n > 0) {
            ctx.metrics.bytesOut.inc({ topic: t.topic }, n);
            ctx.metrics.recordsOut.inc({ topic: t.topic }, records);
          }
        }
        return response;
      }
      await waitForAppend(logs, deadline - now, [conn.signal, ctx.shutdown]);
    }
  };
}

async function readOnce(ctx: BrokerContext, req: Parameters<Handler<'Fetch'>>[0], conn: ConnectionInfo) {
  let bytes = 0;
  let errors = false;
  const logs: PartitionLog[] = [];
  const topics: FetchResponse['topics'] = [];
  const readCommitted = req.isolationLevel === 1;
  // What to read, in request order: a result now (errors, nothing new) or a partition to read.
  const reads: Array<{ slot: PartitionResult[]; index: number; topic: string; log: PartitionLog; fetchOffset: number; partitionMaxBytes: number }> = [];
  let wanted = 0;
  // Many partitions are planned over several turns of the event loop (a read needs no hold).
  const turn = turnTaker();
  for (const t of req.topics) {
    const partitions: PartitionResult[] = [];
    const permitted = allowed(ctx, conn, 'topic', t.topic, 'consume');
    for (const p of t.partitions) {
      const next = turn();
      if (next) await next;
      if (!permitted) {
        errors = true;
        partitions.push(result(p.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED, `not allowed to consume ${t.topic}`, null));
        continue;
      }
      const log = ctx.topics.partition(t.topic, p.partition);
      if (!log) {
        errors = true;
        partitions.push(result(p.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic-partition ${t.topic}-${p.partition}`, null));
        continue;
      }
      logs.push(log);
      if (p.fetchOffset === (readCommitted ? log.lastStableOffset : log.highWatermark)) {
        partitions.push(result(p.partition, 0, null, log));
        continue;
      }
      reads.push({ slot: partitions, index: partitions.length, topic: t.topic, log, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes });
      partitions.push(result(p.partition, 0, null, log)); // replaced by the read
      wanted += Math.max(p.partitionMaxBytes, 0);
    }
    topics.push({ topic: t.topic, partitions });
  }
  const readOne = async (r: (typeof reads)[number], maxBytes: number): Promise<number> => {
    const partition = r.slot[r.index]!.partition;
    try {
      // The batches are answered as read, not joined into one more copy (RecordSet).
      const got = await r.log.readBatches(r.fetchOffset, maxBytes, readCommitted);
      const records = RecordSet.of(got.batches);
      // read_committed: the aborted transactions within what is returned, for the client to skip.
      const aborted = readCommitted && records.length > 0 ? r.log.abortedTransactions(r.fetchOffset, got.lastOffset + 1) : [];
      r.slot[r.index] = result(partition, 0, null, r.log, records, aborted);
      return records.length;
    } catch (e) {
      errors = true;
      const { errorCode, errorMessage } = toErrorCode(e, ctx.logger);
      if (errorCode === ErrorCode.CORRUPT_MESSAGE) ctx.logger.error({ topic: r.topic, partition, err: errorMessage }, 'corrupt data on disk');
      r.slot[r.index] = result(partition, errorCode, errorMessage, r.log);
      return 0;
    }
  };
  if (reads.length === 0) return { response: { topics }, bytes, logs, errors };
  // Smaller while clients that stopped reading hold many answers; reserved while it is read (at
  // most what these partitions may give), so concurrent fetches share what is left
  // (services/answerMemory.ts).
  const reservation = ctx.answers.reserveFetch(Math.min(req.maxBytes, wanted));
  let budget = reservation.limit;
  try {
    if (wanted <= budget) {
      // Every partition's limit fits in maxBytes: read them all at once (LevelDB reads run on the
      // thread pool, so a fetch over many partitions waits for the slowest, not for their sum).
      for (const n of await Promise.all(reads.map((r) => readOne(r, r.partitionMaxBytes)))) bytes += n;
    } else {
      // Otherwise in order, each within what maxBytes has left (as Kafka fills a fetch).
      for (const r of reads) {
        if (budget <= 0) break;
        const n = await readOne(r, Math.min(r.partitionMaxBytes, budget));
        budget -= n;
        bytes += n;
      }
    }
  } finally {
    reservation.release();
  }
  return { response: { topics }, bytes, logs, errors };
}

function result(
  partition: number,
  errorCode: number,
  errorMessage: string | null,
  log: PartitionLog | null,
  records: RecordBytes = EMPTY,
  aborted: AbortedTxn[] = [],
): PartitionResult {
  return {
    partition,
    errorCode,
    errorMessage,
    highWatermark: log ? log.highWatermark : -1,
    lastStableOffset: log ? log.lastStableOffset : -1,
    logStartOffset: log ? log.logStartOffset : -1,
    abortedTransactions: aborted.map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset })),
    records,
  };
}
function waitForAppend(logs: PartitionLog[], ms: number, signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    const offs: Array<() => void> = [];
    const done = () => {
      clearTimeout(timer);
      for (const off of offs) off();
      for (const s of signals) s.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const log of logs) offs.push(log.onAppend(done));
    for (const s of signals) s.addEventListener('abort', done, { once: true });
  });
}
