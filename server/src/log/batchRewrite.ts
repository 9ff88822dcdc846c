/**
 * The cleaner's work on one stored batch, apart from its decisions: what records a batch holds
 * (their offsets, keys and whether each is a tombstone), and the batch again with only some of
 * them. Both decode the batch (a compressed one inflates up to its bound) and the second encodes
 * it again, so the broker runs large ones on its worker thread (services/batchChecks.ts); pure,
 * for that.
 */
import { ATTR_TRANSACTIONAL, decodeBatch, encodeBatch, type BatchHeader, type DecodeOptions, type DecodedRecord, type WalkSteps } from '@brook/protocol';
import { recompressionCodec } from './compression.js';

/** A stored batch's header and, per record, what compaction decides by. */
export interface BatchSummary {
  header: BatchHeader;
  offsets: number[];
  /** Keys as latin1 strings (each byte one char: exact, and cheap to compare); null: no key. */
  keys: Array<string | null>;
  timestamps: number[];
  /** 1 where the record's value is null (a tombstone). */
  tombstones: Uint8Array;
  /** The records, when summarized on this thread: a rewrite then need not decode them again. */
  decoded?: DecodedRecord[];
}

/** A batch rewritten with the records kept. */
export interface RewrittenBatch {
  data: Uint8Array;
  maxTimestamp: number;
  count: number;
}

/**
 * The cleaner's two steps on a batch: inline by default; the broker keeps large ones off its
 * event loop. Each may answer now or later.
 */
export interface CleanerWork {
  summarize(batch: Uint8Array, decoding: DecodeOptions): BatchSummary | Promise<BatchSummary>;
  /** `keep`: the offsets to keep, ascending; at least one. `summary`: the batch's, from `summarize`. */
  rewrite(batch: Uint8Array, keep: readonly number[], decoding: DecodeOptions, summary: BatchSummary): RewrittenBatch | Promise<RewrittenBatch>;
}

/** `steps`: see decodeBatch. */
export function summarizeBatch(batch: Uint8Array, decoding: DecodeOptions, steps?: WalkSteps): BatchSummary {
  const d = decodeBatch(batch, 0, decoding, steps);
  const n = d.records.length;
  const s: BatchSummary = {
    header: d.header,
    offsets: new Array<number>(n),
    keys: new Array<string | null>(n),
    timestamps: new Array<number>(n),
    tombstones: new Uint8Array(n),
    decoded: d.records,
  };
  for (let i = 0; i < n; i++) {
    const r = d.records[i]!;
    s.offsets[i] = r.offset;
    s.keys[i] = r.key ? keyString(r.key) : null;
    s.timestamps[i] = r.timestamp;
    s.tombstones[i] = r.value === null ? 1 : 0;
  }
  return s;
}

/**
 * The batch with only the records at `keep`: same base offset, last offset delta and producer
 * fields, each record its own offset delta (offsets never change), and the batch's codec where a
 * compressor for it is registered.
 */
export function rewriteBatch(batch: Uint8Array, keep: readonly number[], decoding: DecodeOptions, summary?: BatchSummary, steps?: WalkSteps): RewrittenBatch {
  const { header: h, records } = summary?.decoded ? { header: summary.header, records: summary.decoded } : decodeBatch(batch, 0, decoding, steps);
  const kept = [];
  let maxTimestamp = -1;
  for (let i = 0, k = 0; i < records.length && k < keep.length; i++) {
    const r = records[i]!;
    if (r.offset !== keep[k]) continue;
    k++;
    kept.push({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offset - h.baseOffset });
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  }
  const data = encodeBatch({
    baseOffset: h.baseOffset,
    lastOffsetDelta: h.lastOffsetDelta,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    transactional: (h.attributes & ATTR_TRANSACTIONAL) !== 0,
    compression: recompressionCodec(h.attributes),
    records: kept,
  });
  return { data, maxTimestamp, count: kept.length };
}

/** Both steps on the calling thread. */
export const inlineCleanerWork: CleanerWork = { summarize: summarizeBatch, rewrite: rewriteBatch };

function keyString(k: Uint8Array): string {
  return Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString('latin1');
}
