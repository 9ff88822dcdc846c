/**
 * What the client knows of the cluster: its brokers (node id to host and port), and for each
 * topic it uses the topic id and each partition's leader. Filled from Metadata answers; marked
 * stale on leader and coordinator errors and after `maxAgeMs`, so the next request refreshes it.
 */
import { kafka } from '@brook/protocol';
import type { KafkaResponseOf, TopicIds } from './apis/types.js';

export interface BrokerAddress {
  host: string;
  port: number;
}

interface TopicInfo {
  id: string;
  internal: boolean;
  /** Leader node id by partition (-1: none right now). */
  leaders: number[];
}

export class ClusterMetadata implements TopicIds {
  readonly brokers = new Map<number, BrokerAddress>();
  private readonly topics = new Map<string, TopicInfo>();
  private readonly names = new Map<string, string>();
  /** Topics the clients of this cluster asked about: every refresh covers them. */
  readonly used = new Set<string>();
  private refreshedAt = 0;
  private staleFlag = true;

  constructor(private readonly maxAgeMs: number) {}

  /** Older than its maximum age, or marked stale by an error. */
  get stale(): boolean {
    return this.staleFlag || Date.now() - this.refreshedAt > this.maxAgeMs;
  }

  markStale(): void {
    this.staleFlag = true;
  }

  idOf(name: string): string | undefined {
    return this.topics.get(name)?.id;
  }

  nameOf(id: string): string | undefined {
    return this.names.get(id);
  }

  knows(topic: string): boolean {
    return this.topics.has(topic);
  }

  /** The partition's leader: -1 when it has none now, -2 when the topic or partition is unknown. */
  leaderOf(topic: string, partition: number): number {
    const t = this.topics.get(topic);
    if (!t || partition < 0 || partition >= t.leaders.length) return -2;
    return t.leaders[partition]!;
  }

  /** Takes in a Metadata answer; `complete` when it covered every topic this cluster tracks. */
  apply(res: KafkaResponseOf<'Metadata'>, complete: boolean): void {
    if (res.brokers.length > 0) {
      this.brokers.clear();
      for (const b of res.brokers) this.brokers.set(b.nodeId, { host: b.host, port: b.port });
    }
    for (const t of res.topics) {
      if (t.name === null) continue;
      if (t.errorCode !== 0 && t.partitions.length === 0) {
        // Unknown (deleted, not created yet): forget it, so the next use asks again.
        const old = this.topics.get(t.name);
        if (old) this.names.delete(old.id);
        this.topics.delete(t.name);
        continue;
      }
      const leaders: number[] = [];
      for (const p of t.partitions) leaders[p.partitionIndex] = p.errorCode === 0 || p.leaderId >= 0 ? p.leaderId : -1;
      const id = t.topicId !== kafka.ZERO_UUID ? t.topicId : (this.topics.get(t.name)?.id ?? kafka.ZERO_UUID);
      this.topics.set(t.name, { id, internal: t.isInternal, leaders: Array.from(leaders, (l) => l ?? -1) });
      if (id !== kafka.ZERO_UUID) this.names.set(id, t.name);
    }
    if (complete) {
      this.refreshedAt = Date.now();
      this.staleFlag = false;
    }
  }
}
