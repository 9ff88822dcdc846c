/**
 * Partitioning, as Kafka's Java client does it:
 * - a keyed record goes to `toPositive(murmur2(key)) % numPartitions` (byte-for-byte Kafka's
 *   default partitioner, so a key lands on the same partition number as in Kafka);
 * - a keyless record goes to the topic's current "sticky" partition (KIP-480): every keyless
 *   record of one batch goes to one partition, and the sticky partition moves to another one
 *   once that batch was sent, which spreads load while keeping batches large.
 */
import { defaultPartition } from '@brook/protocol';

/** Kafka's default partition for a key. */
export function keyedPartition(key: Uint8Array, numPartitions: number): number {
  if (!(numPartitions > 0)) throw new RangeError(`numPartitions must be positive, got ${numPartitions}`);
  return defaultPartition(key, numPartitions);
}

export class StickyPartitioner {
  private readonly sticky = new Map<string, number>();
  private readonly random: () => number;

  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  /** The partition keyless records of `topic` go to now. */
  partition(topic: string, numPartitions: number): number {
    const cur = this.sticky.get(topic);
    if (cur !== undefined && cur < numPartitions) return cur;
    const p = Math.floor(this.random() * numPartitions);
    this.sticky.set(topic, p);
    return p;
  }

  /**
   * A batch for `topic` was sent: move to a different partition (chosen at random among the
   * others, as KIP-480 does), so the next batch lands elsewhere.
   */
  onNewBatch(topic: string, numPartitions: number): number {
    const prev = this.sticky.get(topic);
    let next: number;
    if (numPartitions <= 1) next = 0;
    else if (prev === undefined || prev >= numPartitions) next = Math.floor(this.random() * numPartitions);
    else {
      next = Math.floor(this.random() * (numPartitions - 1));
      if (next >= prev) next++;
    }
    this.sticky.set(topic, next);
    return next;
  }

  /** Forgets the sticky partition of a topic (after its partition count changed). */
  reset(topic: string): void {
    this.sticky.delete(topic);
  }
}
