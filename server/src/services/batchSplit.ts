/**
 * Produce's check of a partition's records: every batch validated (sizes, magic, CRC, a walk over
 * every record; compressed batches decompressed for the walk) before any is written, and what the
 * append needs from their headers. Pure, so the worker thread of batchChecks.ts runs it too.
 */
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  ATTRIBUTES_AT,
  BATCH_HEADER_SIZE,
  BrookError,
  COMPRESSION_MASK,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  DecompressedTooLargeError,
  ErrorCode,
  ProtocolError,
  UnsupportedCompressionError,
  WalkStepsSpent,
  batchSpans,
  declaredRecordsSize,
  validateBatch,
  type BatchHeader,
  type DecodeOptions,
  type ValidatedBatch,
  type WalkSteps,
} from '@brook/protocol';
import { batchTooLarge } from '../log/appendOp.js';

/** The batches of a partition's records, checked: where each lies, and whose transaction they join. */
export interface CheckedSpans {
  /** [start, size] of each batch within the records. */
  spans: Array<[number, number]>;
  records: number;
  /** The header of the transactional batches (null: not transactional). */
  txn: BatchHeader | null;
}

/** The same, with each batch copied out of the request frame. */
export type SplitBatches = Omit<CheckedSpans, 'spans'> & { batches: Uint8Array[] };

/** What a check may still spend on the event loop. */
export interface InlineBudget {
  /** Decompressed bytes: each compressed batch's are taken off. */
  bytes: number;
  /** Records, headers and 256-byte blocks walked, of every batch (small records cost by count, not by bytes). */
  steps: WalkSteps;
}

/** The check stopped: the next batch would pass the inline budget (what it passed is left at 0). */
export class InlineBudgetSpent extends Error {}

/**
 * Validates every batch; throws a BrookError before anything is written: an unknown codec is
 * UNSUPPORTED_COMPRESSION_TYPE, a batch that does not decompress or parse CORRUPT_MESSAGE,
 * control batches and mixed producers INVALID_RECORD. With a `budget`, InlineBudgetSpent once a
 * compressed batch would inflate past it or a batch's walk would take more steps than are left (the
 * check is then to be done again without one).
 */
export function checkBatches(buf: Uint8Array, decoding: DecodeOptions = {}, budget?: InlineBudget): CheckedSpans {
  const bound = decoding.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const spans: Array<[number, number]> = [];
  let records = 0;
  let txn: BatchHeader | null = null;
  let at = 0;
  if (buf.length === 0) throw new BrookError(ErrorCode.INVALID_RECORD, 'no record batch in the request');
  while (at < buf.length) {
    let v: ValidatedBatch;
    const limit = budget ? Math.max(0, Math.min(bound, budget.bytes)) : bound;
    try {
      v = validateBatch(buf, at, buf.length, { maxDecompressedBytes: limit }, budget?.steps);
    } catch (e) {
      if (e instanceof WalkStepsSpent) throw new InlineBudgetSpent();
      if (e instanceof DecompressedTooLargeError && limit < bound) {
        budget!.bytes = 0;
        throw new InlineBudgetSpent();
      }
      if (e instanceof UnsupportedCompressionError) throw new BrookError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, e.message);
      if (e instanceof ProtocolError) throw new BrookError(ErrorCode.CORRUPT_MESSAGE, `invalid record batch: ${e.message}`);
      throw e;
    }
    const h = v.header;
    if (budget && h.attributes & COMPRESSION_MASK) budget.bytes -= v.recordsBytes;
    if (h.attributes & ATTR_CONTROL) throw new BrookError(ErrorCode.INVALID_RECORD, 'control batches are written by the broker, not by clients');
    const transactional = (h.attributes & ATTR_TRANSACTIONAL) !== 0;
    if (spans.length > 0 && transactional !== (txn !== null)) {
      throw new BrookError(ErrorCode.INVALID_RECORD, 'transactional and non-transactional batches mixed in one request');
    }
    if (transactional) {
      if (txn && (txn.producerId !== h.producerId || txn.producerEpoch !== h.producerEpoch)) {
        throw new BrookError(ErrorCode.INVALID_RECORD, 'batches of different producers in one request');
      }
      txn = h;
    }
    records += h.recordCount;
    spans.push([at, v.size]);
    at += v.size;
  }
  return { spans, records, txn };
}

/**
 * MESSAGE_TOO_LARGE for a batch over the topic's max.message.bytes, read from the headers alone:
 * as Kafka, before the CRC and the walk, which such a batch would cost for nothing (the append
 * checks the stored batches again).
 */
export function refuseOversized(buf: Uint8Array, maxBatchBytes: number, topic: string): void {
  for (const { size } of batchSpans(buf)) if (size > maxBatchBytes) throw batchTooLarge(size, maxBatchBytes, topic);
}

/** The checked batches, each copied out of `buf` (the request frame). */
export function sliceBatches(buf: Uint8Array, checked: CheckedSpans): SplitBatches {
  return { batches: checked.spans.map(([at, size]) => buf.slice(at, at + size)), records: checked.records, txn: checked.txn };
}

/** A guess for compressed records that do not say what they inflate to. */
const UNDECLARED_RATIO = 4;

/**
 * What the compressed batches in `buf` say they inflate to (their framing, unchecked: it plans
 * where the check runs, the check itself enforces the bound), or null if no batch says it is
 * compressed. Stops at the first header that does not fit; the check proper refuses it.
 */
export function declaredInflation(buf: Uint8Array): number | null {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let total: number | null = null;
  for (const { at, size } of batchSpans(buf)) {
    const codec = view.getInt16(at + ATTRIBUTES_AT) & COMPRESSION_MASK;
    if (codec === 0) continue;
    const payload = buf.subarray(at + BATCH_HEADER_SIZE, at + size);
    total = (total ?? 0) + (declaredRecordsSize(codec, payload) ?? payload.length * UNDECLARED_RATIO);
  }
  return total;
}
