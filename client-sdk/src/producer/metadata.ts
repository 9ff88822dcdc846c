/**
 * Topic metadata for the producer: each topic's partition count, cached for `metadataMaxAge` ms,
 * with one Metadata request per topic in flight at a time.
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import { sleep } from '../connection.js';
import type { StickyPartitioner } from '../partitioner.js';
import type { ProducerCore } from './core.js';
import { asBrookError, type PartitionMetadata } from './types.js';

export class PartitionCounts {
  private readonly counts = new Map<string, { n: number; at: number }>();
  private readonly inFlight = new Map<string, Promise<number>>();

  constructor(
    private readonly core: ProducerCore,
    /** Reset when a topic's partition count changes. */
    private readonly sticky: StickyPartitioner,
  ) {}

  /** The cached count, unless older than `metadataMaxAge`. */
  cached(topic: string): number | undefined {
    const c = this.counts.get(topic);
    if (!c) return undefined;
    if (Date.now() - c.at > (this.core.config.metadataMaxAge ?? 300_000)) return undefined;
    return c.n;
  }

  async get(topic: string, refresh = false): Promise<number> {
    if (!refresh) {
      const n = this.cached(topic);
      if (n !== undefined) return n;
    }
    let p = this.inFlight.get(topic);
    if (!p) {
      p = this.fetch(topic).finally(() => this.inFlight.delete(topic));
      this.inFlight.set(topic, p);
    }
    return p;
  }

  private async fetch(topic: string): Promise<number> {
    const core = this.core;
    // One broker's "unknown topic" is the truth; in a cluster a broker may not have heard yet of a
    // topic just created elsewhere, so there it is retried like any retriable error.
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await core.cluster.request('Metadata', { topics: [topic] });
        const t = res.topics.find((x) => x.name === topic);
        if (!t || t.errorCode !== 0) {
          this.counts.delete(topic);
          throw new BrookError(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, t?.errorMessage ?? `unknown topic ${topic}`);
        }
        const prev = this.counts.get(topic);
        if (prev && prev.n !== t.numPartitions) this.sticky.reset(topic);
        this.counts.set(topic, { n: t.numPartitions, at: Date.now() });
        return t.numPartitions;
      } catch (e) {
        const err = asBrookError(e);
        if ((err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && core.cluster.brokerCount <= 1) || !err.retriable || attempt >= core.retries || core.state === 'disconnected') throw err;
        await sleep(core.backoff(attempt));
      }
    }
  }
}

/** What a custom partitioner is told of a topic's partitions (one broker: leader 0). */
export function partitionMetadata(n: number): PartitionMetadata[] {
  return Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0] }));
}
