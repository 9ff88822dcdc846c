/**
 * One partition of a migration: reads the source partition from its log start with
 * read_committed (aborted transactions' records and control records left out), writes the records
 * the target does not have yet, and on the way counts what each group's committed offset
 * becomes on the target, and a checksum of everything read.
 *
 * Resuming needs no state of its own: the target partition is created by the migration, so its
 * end offset is the number of records already copied. A second run reads the source again,
 * skips that many, and writes the rest; nothing is written twice.
 */
import { createHash, type Hash } from 'node:crypto';
import { BrookError, ErrorCode, errorInfo } from '@brook/protocol';
import { decodeFetched, type FetchedMessage } from '../consumer/fetched.js';
import type { Producer } from '../producer/producer.js';
import type { Cluster } from '../transport/types.js';

/** Bytes per fetch: a few thousand small records, and a send the target takes in one request. */
const FETCH_BYTES = 1024 * 1024;

export interface PartitionSource {
  topic: string;
  partition: number;
  /** The source's log start and end (high watermark) when the migration was planned. */
  start: number;
  end: number;
}

export interface PartitionCopyResult {
  /** Records read from the source (committed ones only). */
  records: number;
  /** Records written to the target in this run. */
  written: number;
  /** sha256 over the records read from the `hashFrom`-th on (timestamp, key, value, headers), in order. */
  checksum: string;
  /** How many records the checksum covers. */
  hashed: number;
  /** Group id → the offset on the target where that group resumes. */
  translated: Map<string, number>;
  /** Set when an open transaction on the source stopped the read before `end`. */
  stoppedAt: number | null;
}

/** Adds one record to a running checksum; the same bytes on both sides give the same sum. */
export function hashRecord(h: Hash, m: FetchedMessage['message']): void {
  const field = (b: Uint8Array | null) => {
    const len = Buffer.alloc(4);
    len.writeInt32BE(b === null ? -1 : b.length);
    h.update(len);
    if (b) h.update(b);
  };
  h.update(`${m.timestamp}\n`);
  field(m.key);
  field(m.value);
  for (const [k, v] of Object.entries(m.headers)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      h.update(`${k}\n`);
      field(item ?? null);
    }
  }
}

/**
 * Reads [from, end) of a partition with read_committed, calling `onBatch` per fetch. Returns the
 * offset it stopped at (below `end` only when an open transaction holds the stable offset back).
 */
export async function readCommitted(cluster: Cluster, topic: string, partition: number, from: number, end: number, onBatch: (msgs: FetchedMessage[]) => Promise<void>): Promise<number> {
  let next = from;
  while (next < end) {
    const res = await cluster.request('Fetch', {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: FETCH_BYTES,
      isolationLevel: 1,
      topics: [{ topic, partitions: [{ partition, fetchOffset: next, partitionMaxBytes: FETCH_BYTES }] }],
    });
    const p = res.topics.find((t) => t.topic === topic)?.partitions.find((x) => x.partition === partition);
    if (!p) throw new BrookError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${topic}-${partition}`);
    if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && next < p.logStartOffset) {
      next = p.logStartOffset; // retention moved the log start since the plan
      continue;
    }
    if (p.errorCode !== 0) throw new BrookError(p.errorCode, `${topic}-${partition} at ${next}: ${p.errorMessage ?? errorInfo(p.errorCode).name}`);
    const fetched = decodeFetched(p.records, next, true, p.abortedTransactions);
    const inRange = fetched.messages.filter((m) => m.offset < end);
    if (inRange.length > 0) await onBatch(inRange);
    if (fetched.nextOffset <= next) return next; // nothing past an open transaction (last stable offset)
    next = fetched.nextOffset;
  }
  return end;
}

/**
 * Copies one partition. `copied` is the target partition's end offset (records already there);
 * `groupOffsets` the committed source offsets of this partition by group.
 */
export async function copyPartition(opts: {
  source: Cluster;
  producer: Producer | null;
  src: PartitionSource;
  copied: number;
  /** The first record (by count) the checksum covers: the target's log start, as retention there may have deleted the ones before. */
  hashFrom: number;
  groupOffsets: Map<string, number>;
  onProgress: (records: number) => void;
}): Promise<PartitionCopyResult> {
  const { src, copied, producer } = opts;
  const h = createHash('sha256');
  // Groups in offset order: a group at source offset O resumes at the count of records below O.
  const pending = [...opts.groupOffsets].sort((a, b) => a[1] - b[1]);
  const translated = new Map<string, number>();
  let n = 0;
  let written = 0;
  const stop = await readCommitted(opts.source, src.topic, src.partition, src.start, src.end, async (msgs) => {
    const toWrite = [];
    for (const { offset, message } of msgs) {
      while (pending.length > 0 && pending[0]![1] <= offset) translated.set(pending.shift()![0], n);
      if (n >= opts.hashFrom) hashRecord(h, message);
      if (n >= copied) toWrite.push({ partition: src.partition, key: message.key, value: message.value, headers: message.headers, timestamp: message.timestamp });
      n++;
    }
    if (toWrite.length > 0 && producer) {
      await producer.send({ topic: src.topic, acks: -1, messages: toWrite });
      written += toWrite.length;
    }
    opts.onProgress(msgs.length);
  });
  for (const [group] of pending) translated.set(group, n);
  if (copied > n) {
    throw new BrookError(ErrorCode.INVALID_REQUEST, `${src.topic}-${src.partition} on the target has ${copied} records, the source ${n}: the target topic was not created by this migration (delete it or leave it out)`);
  }
  return { records: n, written, checksum: h.digest('hex'), hashed: Math.max(0, n - opts.hashFrom), translated, stoppedAt: stop < src.end ? stop : null };
}

/** Count and checksum of a partition as it is now (the target, for --verify). */
export async function checksumPartition(cluster: Cluster, topic: string, partition: number, start: number, end: number): Promise<{ records: number; checksum: string }> {
  const h = createHash('sha256');
  let records = 0;
  await readCommitted(cluster, topic, partition, start, end, async (msgs) => {
    for (const { message } of msgs) hashRecord(h, message);
    records += msgs.length;
  });
  return { records, checksum: h.digest('hex') };
}
