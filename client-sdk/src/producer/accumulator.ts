/**
 * The accumulator: records from every `send` wait here (per acks level, then topic and partition)
 * until the sender flushes them. It places records on partitions (explicit, custom partitioner,
 * murmur2 of the key, or sticky for keyless records), and turns what is queued into requests: one
 * record batch per partition, split so each batch stays under the broker's max.message.bytes, and
 * batches packed into requests of at most `maxRequestSize`.
 */
import { BATCH_HEADER_SIZE, BrookError, ErrorCode, NO_HEADERS } from '@brook/protocol';
import { recordSizeUpperBound, toBytes, toRecordHeaders } from '../encoding.js';
import { StickyPartitioner, keyedPartition } from '../partitioner.js';
import type { ProducerCore } from './core.js';
import type { Delivery } from './delivery.js';
import { encodePartitionBatch, type ProducerIdentity } from './idempotence.js';
import { partitionMetadata, PartitionCounts } from './metadata.js';
import { rkey, type Accumulator, type PartitionerFn, type PendingSend, type QueuedRecord, type ReadyRequest, type TopicMessages, type Unit } from './types.js';

const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
/**
 * Default `maxRequestSize` (Kafka's max.request.size). A request goes out as soon as
 * EAGER_FLUSH_BYTES are queued, so the producer encodes the next one while the broker writes this
 * one. 64 sends of 100 x 100 B in flight, acks all: one 700 KB request at a time gave 200k msg/s,
 * 256 KiB requests 265-285k. Batches stay as large as a request allows (fewer, larger batches
 * for the broker to store and for consumers to decode).
 */
const DEFAULT_REQUEST_BYTES = 1024 * 1024;
/** Queued bytes at which a request goes out without waiting for the end of the tick. */
const EAGER_FLUSH_BYTES = 256 * 1024;
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Room for the request header and per-topic/partition fields in one frame. */
const FRAME_SLACK = 64 * 1024;

/** A record with its partition chosen, not yet queued (its `send` is set when it is). */
export interface PlacedRecord {
  topic: string;
  partition: number;
  /** The topic's partition count when it was placed. */
  n: number;
  rec: QueuedRecord;
  /** Keyless without a custom partitioner: takes the sticky partition current when it is queued. */
  sticky: boolean;
}

function toTimestamp(t: number | string | Date | undefined, now: number): number {
  if (t === undefined || t === null) return now;
  const n = t instanceof Date ? t.getTime() : typeof t === 'string' ? Number(t) : t;
  if (!Number.isSafeInteger(n)) throw new BrookError(ErrorCode.INVALID_RECORD, `invalid message timestamp ${String(t)}`);
  return n;
}

export class RecordAccumulator {
  private readonly sticky = new StickyPartitioner();
  readonly partitionCounts: PartitionCounts;
  /** By acks level and compression codec (acks * 8 + codec). */
  private readonly accumulators = new Map<number, Accumulator>();
  /** Per-topic batch size learned from MESSAGE_TOO_LARGE (the topic's max.message.bytes is below the broker default). */
  private readonly topicBatchLimit = new Map<string, number>();

  constructor(
    private readonly core: ProducerCore,
    private readonly identity: ProducerIdentity,
    private readonly delivery: Delivery,
    private readonly customPartitioner: PartitionerFn | null,
  ) {
    this.partitionCounts = new PartitionCounts(core, this.sticky);
  }

  get isEmpty(): boolean {
    return this.accumulators.size === 0;
  }

  /** Builds the records of a send and chooses their partitions (may await metadata). */
  async place(entries: TopicMessages[], now: number): Promise<PlacedRecord[]> {
    const counts = this.partitionCounts;
    // `send` is filled in by `enqueue`, once the send's promise exists; records are built once, never copied.
    const placed: PlacedRecord[] = [];
    for (const { topic, messages } of entries) {
      let n = counts.cached(topic) ?? (await counts.get(topic));
      for (const m of messages) {
        if (m === null || typeof m !== 'object') throw new BrookError(ErrorCode.INVALID_RECORD, `invalid message for topic ${topic}`);
        const key = toBytes(m.key);
        const value = toBytes(m.value);
        const headers = m.headers ? toRecordHeaders(m.headers) : NO_HEADERS;
        const timestamp = toTimestamp(m.timestamp, now);
        let partition: number;
        let sticky = false;
        if (m.partition !== undefined && m.partition !== null) {
          partition = m.partition;
          if (!Number.isInteger(partition) || partition < 0) {
            throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `invalid partition ${String(partition)} for topic ${topic}`);
          }
          if (partition >= n) {
            n = await counts.get(topic, true);
            if (partition >= n) {
              throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${partition} out of range: topic ${topic} has ${n} partitions`);
            }
          }
        } else if (this.customPartitioner) {
          partition = this.customPartitioner({ topic, partitionMetadata: partitionMetadata(n), message: m });
          if (!Number.isInteger(partition) || partition < 0 || partition >= n) {
            throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `custom partitioner returned ${String(partition)} for topic ${topic} with ${n} partitions`);
          }
        } else if (key !== null) {
          partition = keyedPartition(key, n);
        } else {
          partition = this.sticky.partition(topic, n);
          sticky = true;
        }
        placed.push({ topic, partition, n, sticky, rec: { key, value, headers, timestamp, size: recordSizeUpperBound(key, value, headers), send: null as unknown as PendingSend, resultKey: null } });
      }
    }
    return placed;
  }

  /** Queues one send's placed records, all at once; returns the accumulator they joined. */
  enqueue(placed: PlacedRecord[], acks: number, compression: number, timeout: number, send: PendingSend): Accumulator {
    const key = acks * 8 + compression;
    let acc = this.accumulators.get(key);
    if (!acc) {
      acc = { acks, compression, timeout, bytes: 0, topics: new Map(), stickyTopics: new Set() };
      this.accumulators.set(key, acc);
    }
    acc.timeout = Math.max(acc.timeout, timeout);
    // Consecutive records usually share a partition: look the partition up once per run of them.
    let runTopic: string | null = null;
    let runPartition = -1;
    let list: QueuedRecord[] = [];
    let bytes = 0;
    for (const p of placed) {
      // Keyless records take the sticky partition current at enqueue time (it moves on flush).
      const partition = p.sticky ? this.sticky.partition(p.topic, p.n) : p.partition;
      p.rec.send = send;
      if (p.topic !== runTopic || partition !== runPartition) {
        runTopic = p.topic;
        runPartition = partition;
        if (p.sticky) acc.stickyTopics.add(p.topic);
        const k = rkey(p.topic, partition);
        if (!send.results.has(k)) {
          send.results.set(k, null);
          p.rec.resultKey = k;
        }
        let parts = acc.topics.get(p.topic);
        if (!parts) acc.topics.set(p.topic, (parts = new Map()));
        const existing = parts.get(partition);
        if (existing) list = existing;
        else parts.set(partition, (list = []));
      }
      list.push(p.rec);
      bytes += p.rec.size;
    }
    acc.bytes += bytes;
    this.delivery.buffered += bytes;
    return acc;
  }

  /** Plenty queued in `acc`: no reason to wait for more before sending. */
  wantsEagerFlush(acc: Accumulator): boolean {
    return acc.bytes >= Math.min(EAGER_FLUSH_BYTES, this.maxRequestBytes);
  }

  /** Empties the accumulators into requests (batches encoded and numbered), appended to `ready` in sequence order. */
  drainInto(ready: ReadyRequest[]): void {
    for (const [key, acc] of this.accumulators) {
      this.accumulators.delete(key);
      for (const topic of acc.stickyTopics) {
        const n = this.partitionCounts.cached(topic);
        if (n !== undefined) this.sticky.onNewBatch(topic, n);
      }
      const units: Unit[] = [];
      for (const [topic, parts] of acc.topics) {
        for (const [partition, records] of parts) units.push(...this.buildUnits(topic, partition, records, acc.acks, acc.compression));
      }
      for (const request of this.packRequests(units)) ready.push({ acks: acc.acks, timeout: acc.timeout, units: request });
    }
  }

  private get maxRequestBytes(): number {
    const frameLimit = Math.max((this.core.cluster.limits.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES) - FRAME_SLACK, 1);
    return Math.min(frameLimit, this.core.config.maxRequestSize ?? DEFAULT_REQUEST_BYTES);
  }

  private maxBatchBytes(topic: string): number {
    let limit = this.core.cluster.limits.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const batchSize = this.core.config.batchSize;
    if (batchSize !== undefined) limit = Math.min(limit, Math.max(batchSize, BATCH_HEADER_SIZE + 1));
    const learned = this.topicBatchLimit.get(topic);
    if (learned !== undefined) limit = Math.min(limit, learned);
    return limit;
  }

  /** The topic refused a batch of `largest` bytes as too large: build its batches at most half that size from now on. */
  learnBatchLimit(topic: string, largest: number): void {
    this.topicBatchLimit.set(topic, Math.max(BATCH_HEADER_SIZE + 1, Math.floor(Math.min(largest, this.maxBatchBytes(topic)) / 2)));
  }

  /** Splits one partition's records into batches under the size limit; a record too big alone fails locally. */
  buildUnits(topic: string, partition: number, records: QueuedRecord[], acks: number, compression: number): Unit[] {
    const limit = this.maxBatchBytes(topic);
    const brokerLimit = this.core.cluster.limits.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const units: Unit[] = [];
    let cur: QueuedRecord[] = [];
    let curBytes = BATCH_HEADER_SIZE;
    const close = () => {
      if (cur.length === 0) return;
      // A record alone may pass the broker's limit: measured before it takes sequence numbers (a
      // dropped numbered batch would leave a gap), if its size bound says it might (a codec's
      // framing may add a little to what does not compress). Else each batch is encoded once.
      const one = cur.length === 1 ? cur[0]! : null;
      const mightPass = one !== null && BATCH_HEADER_SIZE + one.size + (compression === 0 ? 0 : 1024 + (one.size >> 6)) > brokerLimit;
      const alone = mightPass ? encodePartitionBatch(cur, null, compression).length : 0;
      if (alone > brokerLimit) {
        this.delivery.failRecords(cur, new BrookError(ErrorCode.MESSAGE_TOO_LARGE, `a record of ${alone} bytes (as a batch) exceeds the broker's max.message.bytes ${brokerLimit}`));
      } else {
        units.push(this.identity.makeUnit(topic, partition, cur, acks, compression));
      }
      cur = [];
      curBytes = BATCH_HEADER_SIZE;
    };
    for (const r of records) {
      if (r.send.settled) {
        this.delivery.releaseBytes(r.size);
        continue;
      }
      if (cur.length > 0 && curBytes + r.size > limit) close();
      cur.push(r);
      curBytes += r.size;
    }
    close();
    return units;
  }

  /** Splits a batch in two (when re-splitting by size does not shrink it). */
  halve(u: Unit, acks: number): Unit[] {
    const mid = Math.ceil(u.records.length / 2);
    return [u.records.slice(0, mid), u.records.slice(mid)].filter((r) => r.length > 0).map((records) => this.identity.makeUnit(u.topic, u.partition, records, acks, u.compression));
  }

  /**
   * Packs batches into requests of at most `maxRequestSize` (a batch larger than that goes alone).
   * Where the cluster takes one batch per partition per request (Kafka), a partition's next batch
   * starts the next request.
   */
  private packRequests(units: Unit[]): Unit[][] {
    const limit = this.maxRequestBytes;
    const onePerPartition = this.core.cluster.limits.oneBatchPerPartition;
    const out: Unit[][] = [];
    let cur: Unit[] = [];
    let bytes = 0;
    const inCur = new Set<string>();
    for (const u of units) {
      const k = rkey(u.topic, u.partition);
      if (cur.length > 0 && (bytes + u.bytes.length > limit || (onePerPartition && inCur.has(k)))) {
        out.push(cur);
        cur = [];
        bytes = 0;
        inCur.clear();
      }
      cur.push(u);
      inCur.add(k);
      bytes += u.bytes.length;
    }
    if (cur.length > 0) out.push(cur);
    return out;
  }
}
