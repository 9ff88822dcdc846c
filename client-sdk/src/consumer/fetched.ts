/**
 * Turns one partition's fetched bytes into messages: whole batches that may start before the
 * requested offset (records below it are skipped), control batches skipped, and with
 * read_committed the records of aborted transactions dropped (Kafka's Fetcher algorithm).
 */
import { ATTR_CONTROL, ATTR_TRANSACTIONAL, CONTROL_ABORT, controlTypeOfKey, decodeBatches, joinRecords, type DecodedRecord, type RecordBytes } from '@brook/protocol';
import { fromRecordHeaders } from '../encoding.js';
import { asBuffer } from '../socket.js';
import type { KafkaMessage } from './types.js';

export interface FetchedMessage {
  /** Numeric offset (int64 offsets stay below 2^53 in practice). */
  offset: number;
  message: KafkaMessage;
}

export interface DecodedFetch {
  messages: FetchedMessage[];
  /** The offset to fetch next: past every batch seen (control batches and aborted data included). */
  nextOffset: number;
}

export function decodeFetched(
  records: RecordBytes,
  fetchOffset: number,
  readCommitted: boolean,
  abortedTransactions: ReadonlyArray<{ producerId: number; firstOffset: number }>,
): DecodedFetch {
  const out: FetchedMessage[] = [];
  let next = fetchOffset;
  if (records.length === 0) return { messages: out, nextOffset: next };
  // Decoded from a Buffer view in Node, so keys and values are Buffer views already (no wrapping per message).
  // (a decoded answer is one array: joinRecords only joins what was never on the wire)
  const batches = decodeBatches(asBuffer(joinRecords(records)));
  const aborted = readCommitted ? [...abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset) : [];
  const abortedProducers = new Set<number>();
  for (const b of batches) {
    const h = b.header;
    const last = h.baseOffset + h.lastOffsetDelta;
    while (aborted.length > 0 && aborted[0]!.firstOffset <= last) abortedProducers.add(aborted.shift()!.producerId);
    if (last + 1 > next) next = last + 1;
    if ((h.attributes & ATTR_CONTROL) !== 0) {
      if (readCommitted && abortedProducers.has(h.producerId) && controlTypeOfKey(b.records[0]?.key ?? null) === CONTROL_ABORT) {
        abortedProducers.delete(h.producerId);
      }
      continue;
    }
    if (readCommitted && (h.attributes & ATTR_TRANSACTIONAL) !== 0 && abortedProducers.has(h.producerId)) continue;
    for (const r of b.records) {
      if (r.offset < fetchOffset) continue;
      out.push({ offset: r.offset, message: toMessage(r) });
    }
  }
  return { messages: out, nextOffset: next };
}

function toMessage(r: DecodedRecord): KafkaMessage {
  let size = (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers) size += h.key.length + (h.value?.length ?? 0);
  return {
    key: r.key,
    value: r.value,
    headers: fromRecordHeaders(r.headers, same),
    offset: String(r.offset),
    timestamp: String(r.timestamp),
    size,
    attributes: 0,
  };
}

const same = (b: Uint8Array): Uint8Array => b;
