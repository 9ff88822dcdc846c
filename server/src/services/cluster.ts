/**
 * Who this broker is to Kafka clients: a cluster id stable per data directory (kept in
 * `meta.properties`, as Kafka keeps its `cluster.id`), one node, the Kafka listener's advertised
 * endpoint, and a Kafka topic id (a UUID) per topic. Topic ids are derived from the cluster id and
 * the topic's never-reused numeric id and creation time, so they are stable across restarts and a
 * topic deleted and created again gets a new one, as in Kafka.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopicInfo, TopicManager } from '../log/topicManager.js';

/** Kafka's quickstart `node.id`; the one node is leader of every partition and every coordinator. */
export const NODE_ID = 1;

export interface KafkaEndpoint {
  host: string;
  port: number;
}

const base64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');

export class ClusterIdentity {
  /** The Kafka listener's advertised address; null while it is off. */
  kafkaEndpoint: KafkaEndpoint | null = null;
  private idsByName: Map<string, string> | null = null;
  private namesById: Map<string, string> | null = null;

  private constructor(
    readonly clusterId: string,
    private readonly topics: Pick<TopicManager, 'list' | 'get' | 'onChange'>,
  ) {
    topics.onChange(() => {
      this.idsByName = null;
      this.namesById = null;
    });
  }

  /** Reads the cluster id from `<dataDir>/meta.properties`, writing a new one on first start. */
  static async open(dataDir: string, topics: Pick<TopicManager, 'list' | 'get' | 'onChange'>): Promise<ClusterIdentity> {
    const file = join(dataDir, 'meta.properties');
    let clusterId: string | null = null;
    try {
      clusterId = /^cluster\.id=(.+)$/m.exec(await readFile(file, 'utf8'))?.[1]?.trim() ?? null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (!clusterId) {
      clusterId = base64url(randomBytes(16));
      await writeFile(file, `# Brook: written once, on first start\nversion=1\ncluster.id=${clusterId}\nnode.id=${NODE_ID}\n`);
    }
    return new ClusterIdentity(clusterId, topics);
  }

  /** The Kafka topic id of a topic (22 characters of URL-safe base64, as Kafka prints UUIDs). */
  topicId(topic: Pick<TopicInfo, 'id' | 'createdAt'>): string {
    const digest = createHash('sha256').update(`${this.clusterId}/${topic.id}/${topic.createdAt}`).digest();
    return base64url(digest.subarray(0, 16));
  }

  topicIdOf(name: string): string | null {
    this.index();
    return this.idsByName!.get(name) ?? null;
  }

  /** The topic name of a Kafka topic id, or null if no topic has it. */
  topicNameOf(topicId: string): string | null {
    this.index();
    return this.namesById!.get(topicId) ?? null;
  }

  private index(): void {
    if (this.idsByName) return;
    this.idsByName = new Map();
    this.namesById = new Map();
    for (const t of this.topics.list()) {
      const id = this.topicId(t);
      this.idsByName.set(t.name, id);
      this.namesById.set(id, t.name);
    }
  }
}
