/**
 * Part of a stored batch's records, for the admin API's record pages and tail: decoding a batch
 * may be costly (a compressed one inflates up to its bound), so the broker runs large ones on its
 * worker thread (services/batchChecks.ts), and only the records asked for come back from there.
 */
import { decodeBatch, type DecodeOptions, type DecodedBatch } from '@brook/protocol';

/** Which records: from an offset, at most so many, and none more once their keys and values pass maxBytes. */
export interface RecordPick {
  from: number;
  maxRecords: number;
  maxBytes: number;
}

/** Everything from `from` on. */
export const FROM = (from: number): RecordPick => ({ from, maxRecords: Infinity, maxBytes: Infinity });

/** The batch's header and the records `pick` takes (the first one at or past `from` always, whatever its size). */
export function decodePicked(batch: Uint8Array, decoding: DecodeOptions, pick: RecordPick): DecodedBatch {
  const { header, records } = decodeBatch(batch, 0, decoding);
  const picked = [];
  let bytes = 0;
  for (const r of records) {
    if (r.offset < pick.from) continue;
    if (picked.length >= pick.maxRecords || (picked.length > 0 && bytes >= pick.maxBytes)) break;
    picked.push(r);
    bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
  }
  return { header, records: picked };
}
