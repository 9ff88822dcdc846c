/**
 * Record-exact timestamp lookup inside one stored batch (ListOffsets by timestamp, the admin API's
 * reads and resets by time). A compressed batch must be decompressed for it, so callers that serve
 * clients pass a seek that keeps large ones off the event loop (services/batchChecks.ts).
 */
import { decodeBatch, type DecodeOptions, type WalkSteps } from '@brook/protocol';

/** A record's offset and timestamp. */
export interface RecordPosition {
  offset: number;
  timestamp: number;
}

/** Finds, in a stored batch, the first record at or past `fromOffset` whose timestamp is >= ts (null: none). */
export type RecordSeek = (batch: Uint8Array, ts: number, fromOffset: number, decoding: DecodeOptions) => RecordPosition | null | Promise<RecordPosition | null>;

/** The seek on the calling thread. `steps`: see decodeBatch. */
export function firstRecordAtOrAfter(batch: Uint8Array, ts: number, fromOffset: number, decoding: DecodeOptions, steps?: WalkSteps): RecordPosition | null {
  for (const r of decodeBatch(batch, 0, decoding, steps).records) {
    if (r.timestamp >= ts && r.offset >= fromOffset) return { offset: r.offset, timestamp: r.timestamp };
  }
  return null;
}
