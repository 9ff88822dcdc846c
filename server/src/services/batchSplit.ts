/**
 * Produce's check of a partition's records: every batch validated (sizes, magic, CRC, a walk over
 * every record; compressed batches decompressed for the walk) before any is written, and what the
 * append needs from their headers. Pure, so the worker thread of batchChecks.ts runs it too.
 */
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BrookError,
  COMPRESSION_MASK,
  ErrorCode,
  LOG_OVERHEAD,
  ProtocolError,
  UnsupportedCompressionError,
  validateBatch,
  type BatchHeader,
  type DecodeOptions,
  type ValidatedBatch,
} from '@brook/protocol';

/** The batches of a partition's records, checked: where each lies, and whose transaction they join. */
export interface CheckedSpans {
  /** [start, size] of each batch within the records. */
  spans: Array<[number, number]>;
  records: number;
  /** The header of the transactional batches (null: not transactional). */
  txn: BatchHeader | null;
}

export interface SplitBatches {
  /** Each batch copied out of the request frame. */
  batches: Uint8Array[];
  records: number;
  txn: BatchHeader | null;
}

/**
 * Validates every batch; throws a BrookError before anything is written: an unknown codec is
 * UNSUPPORTED_COMPRESSION_TYPE, a batch that does not decompress or parse CORRUPT_MESSAGE,
 * control batches and mixed producers INVALID_RECORD.
 */
export function checkBatches(buf: Uint8Array, decoding: DecodeOptions = {}): CheckedSpans {
  const spans: Array<[number, number]> = [];
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

/** The checked batches, each copied out of `buf` (the request frame). */
export function sliceBatches(buf: Uint8Array, checked: CheckedSpans): SplitBatches {
  return { batches: checked.spans.map(([at, size]) => buf.slice(at, at + size)), records: checked.records, txn: checked.txn };
}

/** checkBatches, then the batches copied out of the request frame. */
export function splitBatches(buf: Uint8Array, decoding: DecodeOptions = {}): SplitBatches {
  return sliceBatches(buf, checkBatches(buf, decoding));
}

const ATTRIBUTES_AT = 21;
const BATCH_LENGTH_AT = 8;

/**
 * Whether any batch in `buf` says it is compressed (the headers only, no CRC: a lie costs the
 * sender a worker turn). Stops at the first header that does not fit; the check proper refuses it.
 */
export function anyCompressed(buf: Uint8Array): boolean {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let at = 0; at + ATTRIBUTES_AT + 2 <= buf.length; ) {
    if (view.getInt16(at + ATTRIBUTES_AT) & COMPRESSION_MASK) return true;
    const size = view.getInt32(at + BATCH_LENGTH_AT) + LOG_OVERHEAD;
    if (size <= LOG_OVERHEAD) return false;
    at += size;
  }
  return false;
}
