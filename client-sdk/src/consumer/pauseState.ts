/**
 * Which topics and partitions the application paused. A paused partition is neither fetched nor
 * handed to a handler; pausing a whole topic also covers partitions assigned later.
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import { groupByTopic } from '../util/collections.js';
import { keyOf, parseKey, type PartitionKey } from './partitions.js';
import type { TopicPartition, TopicPartitions, TopicPartitionsSelector } from './types.js';

export class PauseState {
  private readonly topics = new Set<string>();
  private readonly partitions = new Set<PartitionKey>();

  /** `owned` lists the partitions this member owns (resuming part of a paused topic needs them). */
  constructor(private readonly owned: () => Iterable<TopicPartition & { key: PartitionKey }>) {}

  isPaused(ps: { topic: string; key: PartitionKey }): boolean {
    return this.topics.has(ps.topic) || this.partitions.has(ps.key);
  }

  pause(selectors: TopicPartitionsSelector[]): void {
    for (const t of selectors) {
      if (!t || typeof t.topic !== 'string') throw new BrookError(ErrorCode.INVALID_REQUEST, 'pause expects [{ topic, partitions? }]');
      if (t.partitions === undefined) this.topics.add(t.topic);
      else for (const p of t.partitions) this.partitions.add(keyOf(t.topic, p));
    }
  }

  resume(selectors: TopicPartitionsSelector[]): void {
    for (const t of selectors) {
      if (!t || typeof t.topic !== 'string') throw new BrookError(ErrorCode.INVALID_REQUEST, 'resume expects [{ topic, partitions? }]');
      if (t.partitions === undefined) {
        this.topics.delete(t.topic);
        for (const k of [...this.partitions]) if (parseKey(k).topic === t.topic) this.partitions.delete(k);
      } else {
        for (const p of t.partitions) this.partitions.delete(keyOf(t.topic, p));
        // Resuming some partitions of a paused topic: pause the others explicitly.
        if (this.topics.has(t.topic)) {
          this.topics.delete(t.topic);
          for (const ps of this.owned()) {
            if (ps.topic === t.topic && !t.partitions.includes(ps.partition)) this.partitions.add(ps.key);
          }
        }
      }
    }
  }

  /** The paused topic-partitions; a paused topic is listed even when no partition of it is owned. */
  paused(): TopicPartitions[] {
    const entries: Array<{ topic: string; partition: number | null }> = [...this.partitions].map(parseKey);
    for (const t of this.topics) {
      entries.push({ topic: t, partition: null });
      for (const ps of this.owned()) if (ps.topic === t) entries.push({ topic: t, partition: ps.partition });
    }
    return groupByTopic(entries, (e) => e.partition).map(({ topic, partitions }) => ({
      topic,
      partitions: [...new Set(partitions.filter((p): p is number => p !== null))].sort((a, b) => a - b),
    }));
  }
}
