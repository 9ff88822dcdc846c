/**
 * The partitions this member owns and what it keeps about each: position, resolved and committed
 * offsets, and the buffer of fetched messages waiting for the handler. `OwnedPartitions` also
 * counts the bytes buffered over all partitions (the fetch loop stops fetching above maxBytes).
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import { groupByTopic } from '../util/collections.js';
import type { FetchedMessage } from './fetched.js';
import type { TopicPartition } from './types.js';

export type PartitionKey = string;
export const keyOf = (topic: string, partition: number): PartitionKey => `${topic}\0${partition}`;
export const parseKey = (k: PartitionKey): TopicPartition => {
  const i = k.lastIndexOf('\0');
  return { topic: k.slice(0, i), partition: Number(k.slice(i + 1)) };
};

/** Everything the consumer keeps about one owned partition. */
export interface PartitionState {
  topic: string;
  partition: number;
  key: PartitionKey;
  /** Position known and not being given up: fetchable. */
  ready: boolean;
  /** Being revoked or lost: no more fetching or processing. */
  gone: boolean;
  /** Next offset to fetch. */
  fetchOffset: number;
  /** Next offset after the last processed message (what at-least-once commits); -1 unknown. */
  resolved: number;
  /** Last offset committed by this member (or read from the broker); -1 none. */
  committed: number;
  /** At-most-once: offsets below this were committed before processing. */
  preCommitted: number;
  highWatermark: number;
  /** Buffered messages; `qi` is the index of the next one to process. */
  queue: FetchedMessage[];
  qi: number;
  queueBytes: number;
  /** Bumped by seek and reset; in-flight fetches and batches of an older generation are stale. */
  gen: number;
  worker: Promise<void> | null;
  /** Not fetched or processed before this time (backoff after an error). */
  retryAt: number;
  handlerFailures: number;
  /** Messages processed since the last commit (autoCommitThreshold). */
  uncommittedCount: number;
}

/** A newly assigned partition: position unknown until the committed offset (or a reset) is read. */
export function newPartitionState(key: PartitionKey): PartitionState {
  const { topic, partition } = parseKey(key);
  return {
    topic,
    partition,
    key,
    ready: false,
    gone: false,
    fetchOffset: -1,
    resolved: -1,
    committed: -1,
    preCommitted: -1,
    highWatermark: -1,
    queue: [],
    qi: 0,
    queueBytes: 0,
    gen: 0,
    worker: null,
    retryAt: 0,
    handlerFailures: 0,
    uncommittedCount: 0,
  };
}

export class OwnedPartitions {
  private readonly byKey = new Map<PartitionKey, PartitionState>();
  /** Bytes of fetched messages buffered over all partitions and not processed yet. */
  bufferedBytes = 0;

  get(key: PartitionKey): PartitionState | undefined {
    return this.byKey.get(key);
  }

  has(key: PartitionKey): boolean {
    return this.byKey.has(key);
  }

  set(ps: PartitionState): void {
    this.byKey.set(ps.key, ps);
  }

  delete(key: PartitionKey): void {
    this.byKey.delete(key);
  }

  clear(): void {
    this.byKey.clear();
  }

  keys(): IterableIterator<PartitionKey> {
    return this.byKey.keys();
  }

  values(): IterableIterator<PartitionState> {
    return this.byKey.values();
  }

  /** The partitions owned now (not being revoked or lost), sorted by topic then partition. */
  assignment(): TopicPartition[] {
    return [...this.byKey.values()]
      .filter((ps) => !ps.gone)
      .map((ps) => ({ topic: ps.topic, partition: ps.partition }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /** Every partition in the map (also those being revoked), grouped by topic, partitions sorted. */
  byTopic(): Array<{ topic: string; partitions: number[] }> {
    return groupByTopic(this.byKey.values(), (ps) => ps.partition).map(({ topic, partitions }) => ({
      topic,
      partitions: partitions.sort((a, b) => a - b),
    }));
  }

  /** Appends fetched messages to a partition's buffer. */
  append(ps: PartitionState, messages: FetchedMessage[]): void {
    let bytes = 0;
    for (const m of messages) bytes += m.message.size;
    ps.queue = ps.qi < ps.queue.length ? ps.queue.slice(ps.qi).concat(messages) : messages;
    ps.qi = 0;
    this.bufferedBytes += bytes;
    ps.queueBytes += bytes;
  }

  /** Takes the next `n` buffered messages off a partition's buffer (they were processed or skipped). */
  consume(ps: PartitionState, n: number): void {
    let bytes = 0;
    for (let i = ps.qi; i < ps.qi + n && i < ps.queue.length; i++) bytes += ps.queue[i]!.message.size;
    ps.qi += n;
    ps.queueBytes -= bytes;
    this.bufferedBytes -= bytes;
    if (ps.qi >= ps.queue.length) {
      ps.queue = [];
      ps.qi = 0;
      this.bufferedBytes -= ps.queueBytes;
      ps.queueBytes = 0;
    }
  }

  /** Drops a partition's buffered messages (seek, revoke, stop). */
  dropQueue(ps: PartitionState): void {
    this.bufferedBytes -= ps.queueBytes;
    ps.queue = [];
    ps.qi = 0;
    ps.queueBytes = 0;
  }
}

/** An offset given by the application (KafkaJS passes decimal strings). */
export function parseOffset(o: string | number | bigint): number {
  const n = typeof o === 'string' ? Number(o.trim()) : Number(o);
  if (!Number.isSafeInteger(n) || n < 0 || (typeof o === 'string' && o.trim() === '')) {
    throw new BrookError(ErrorCode.INVALID_REQUEST, `invalid offset ${String(o)}: a non-negative integer (decimal string)`);
  }
  return n;
}

export function errorName(code: number): string {
  return new BrookError(code).type;
}
