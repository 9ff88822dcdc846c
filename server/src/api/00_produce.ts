// Produce: validate every batch of a partition (CRC, record walk) before writing any; the log
// checks max.message.bytes for all of them before it writes, so a partition's data is all-or-nothing; then append through the group-commit queue.
// Transactional batches join their producer's transaction first (the coordinator checks the epoch);
// control batches are the broker's own and refused from clients.
// acks 0 gets no response, acks 1 waits for the LevelDB write, acks -1 (all) for the fsync.
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BrookError,
  ErrorCode,
  ProtocolError,
  UnsupportedCompressionError,
  validateBatch,
  type BatchHeader,
  type DecodeOptions,
  type ValidatedBatch,
} from '@brook/protocol';
import { decodeOptions } from '../log/compression.js';
import type { BrokerContext, Handler } from './types.js';
import { toErrorCode } from './errors.js';
import { authorize } from './acl.js';

export function produce(ctx: BrokerContext): Handler<'Produce'> {
  return async (req, conn) => {
    if (req.acks !== 0 && req.acks !== 1 && req.acks !== -1) {
      throw new BrookError(ErrorCode.INVALID_REQUEST, `acks must be 0, 1 or -1 (all), got ${req.acks}`);
    }
    const sync = req.acks === -1;
    const topics = await Promise.all(
      req.topics.map(async (t) => ({
        topic: t.topic,
        partitions: await Promise.all(
          t.partitions.map(async (p) => {
            try {
              authorize(ctx, conn, 'topic', t.topic, 'produce');
              const log = ctx.topics.partition(t.topic, p.partition);
              if (!log) throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic-partition ${t.topic}-${p.partition}`);
              const topic = ctx.topics.get(t.topic)!;
              if (topic.internal) throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, `${t.topic} is internal and not writable by clients`);
              const { batches, records, txn } = splitBatches(p.records, decodeOptions(log.maxBatchBytes));
              // A transactional batch joins its producer's transaction (the coordinator checks the
              // epoch), if this principal may write for the producer's transactional id.
              let release: (() => void) | null = null;
              if (txn) {
                const tid = ctx.txns.transactionalIdOf(txn.producerId);
                if (tid !== null) authorize(ctx, conn, 'transactionalId', tid, 'write');
                release = ctx.txns.beginAppend(txn.producerId, txn.producerEpoch, log);
              }
              let r;
              try {
                r = await log.append(batches, { sync });
              } finally {
                release?.();
              }
              ctx.metrics.bytesIn.inc({ topic: t.topic }, p.records.length);
              ctx.metrics.recordsIn.inc({ topic: t.topic }, records);
              return { partition: p.partition, errorCode: 0, errorMessage: null, baseOffset: r.baseOffset, logStartOffset: r.logStartOffset };
            } catch (e) {
              return { partition: p.partition, ...toErrorCode(e, ctx.logger), baseOffset: -1, logStartOffset: -1 };
            }
          }),
        ),
      })),
    );
    return req.acks === 0 ? null : { topics };
  };
}

/**
 * Validates and copies each batch out of the request frame; throws before anything is written.
 * Also says whose transaction the batches belong to (null: not transactional), from the headers
 * read for validation. Compressed batches are decompressed (within `decoding`'s bound) to walk
 * their records, and stored as sent: an unknown codec is UNSUPPORTED_COMPRESSION_TYPE, a payload
 * that does not decompress or parse CORRUPT_MESSAGE.
 */
export function splitBatches(buf: Uint8Array, decoding: DecodeOptions = {}): { batches: Uint8Array[]; records: number; txn: BatchHeader | null } {
  const batches: Uint8Array[] = [];
  let records = 0;
  let txn: BatchHeader | null = null;
  let at = 0;
  if (buf.length === 0) throw new BrookError(ErrorCode.INVALID_RECORD, 'no record batch in the request');
  while (at < buf.length) {
    let v: ValidatedBatch;
    try {
      v = validateBatch(buf, at, buf.length, decoding);
    } catch (e) {
      if (e instanceof UnsupportedCompressionError) throw new BrookError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, e.message);
      if (e instanceof ProtocolError) throw new BrookError(ErrorCode.CORRUPT_MESSAGE, `invalid record batch: ${e.message}`);
      throw e;
    }
    const h = v.header;
    if (h.attributes & ATTR_CONTROL) throw new BrookError(ErrorCode.INVALID_RECORD, 'control batches are written by the broker, not by clients');
    const transactional = (h.attributes & ATTR_TRANSACTIONAL) !== 0;
    if (batches.length > 0 && transactional !== (txn !== null)) {
      throw new BrookError(ErrorCode.INVALID_RECORD, 'transactional and non-transactional batches mixed in one request');
    }
    if (transactional) {
      if (txn && (txn.producerId !== h.producerId || txn.producerEpoch !== h.producerEpoch)) {
        throw new BrookError(ErrorCode.INVALID_RECORD, 'batches of different producers in one request');
      }
      txn = h;
    }
    records += h.recordCount;
    batches.push(buf.slice(at, at + v.size));
    at += v.size;
  }
  return { batches, records, txn };
}
