/**
 * The admin client: topics, offsets and consumer groups, KafkaJS-shaped. Every failure rejects
 * with a BrookError (`.type` is the error name, as KafkaJS's `error.type`).
 */
import {
  BrookError,
  EARLIEST_TIMESTAMP,
  ErrorCode,
  LATEST_TIMESTAMP,
} from '@brook/protocol';
import { sleep } from './connection.js';
import { openCluster, retryBackoff, type ClientContext } from './context.js';
import type { Cluster, ClusterApiName, ClusterRequestOf, ClusterResponseOf } from './transport/types.js';
import type { Logger } from './logger.js';

export interface ConfigEntry {
  name: string;
  value: string;
}

export interface ITopicConfig {
  topic: string;
  /** Default 1 (-1 also means the broker default, 1). */
  numPartitions?: number;
  /** Replicas per partition on a Kafka cluster (default: the cluster's default); a Brook broker has one. */
  replicationFactor?: number;
  replicaAssignment?: unknown[];
  configEntries?: ConfigEntry[];
}

export interface CreateTopicsOptions {
  topics: ITopicConfig[];
  validateOnly?: boolean;
  /**
   * Default true (as KafkaJS): resolve once the metadata names a leader for every partition. A
   * Kafka cluster spreads a new topic to its brokers after CreateTopics answers; a producer that
   * asks another broker too soon would be told the topic is unknown. On Brook it is one request.
   */
  waitForLeaders?: boolean;
  timeout?: number;
}

export interface PartitionMetadataEntry {
  partitionErrorCode: number;
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface ITopicMetadata {
  name: string;
  partitions: PartitionMetadataEntry[];
}

export interface TopicOffsets {
  partition: number;
  /** The high watermark (log end offset), as KafkaJS reports it. */
  offset: string;
  high: string;
  low: string;
}

export interface PartitionOffset {
  partition: number;
  offset: string;
}

export interface GroupOverview {
  groupId: string;
  protocolType: string;
  state: string;
  members: number;
}

export interface TopicPartitionsAssignment {
  topic: string;
  partitions: number[];
}

export interface GroupMemberDescription {
  memberId: string;
  clientId: string;
  clientHost: string;
  instanceId: string | null;
  memberEpoch: number;
  state: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: TopicPartitionsAssignment[];
  targetAssignment: TopicPartitionsAssignment[];
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  /** The server-side assignor (uniform, range, roundrobin). */
  protocol: string;
  errorCode: number;
  groupEpoch: number;
  assignmentEpoch: number;
  members: GroupMemberDescription[];
}

export interface FetchOffsetsPartition {
  partition: number;
  /** The committed offset (next to read); '-1' when nothing is committed. */
  offset: string;
  metadata: string | null;
}

export interface FetchOffsetsTopic {
  topic: string;
  partitions: FetchOffsetsPartition[];
}

export interface SeekEntry {
  partition: number;
  offset: string | number;
}

export interface DeleteGroupResult {
  groupId: string;
  errorCode: number;
  error?: BrookError;
}

export interface AdminConfig {
  retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number };
}

function check(code: number, message: string | null, what: string): void {
  if (code !== 0) throw new BrookError(code, message ? message : `${what}: ${new BrookError(code).message}`);
}

function toOffsetNumber(v: string | number, what: string): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n) || (typeof v === 'string' && v.trim() === '')) {
    throw new BrookError(ErrorCode.INVALID_REQUEST, `invalid offset ${String(v)} for ${what}`);
  }
  return n;
}

export class Admin {
  private readonly ctx: ClientContext;
  private readonly config: AdminConfig;
  private readonly logger: Logger;
  private readonly cluster: Cluster;

  constructor(ctx: ClientContext, config: AdminConfig = {}) {
    this.ctx = ctx;
    this.config = config;
    this.logger = ctx.logger.namespace('Admin');
    this.cluster = openCluster(ctx);
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  async disconnect(): Promise<void> {
    await this.cluster.close();
  }

  /** Sends a request, retrying request-level retriable failures (network, timeouts) with backoff. */
  private async request<N extends ClusterApiName>(name: N, body: ClusterRequestOf<N>): Promise<ClusterResponseOf<N>> {
    const retries = this.config.retry?.retries ?? this.ctx.retries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.cluster.request(name, body);
      } catch (e) {
        const err = e instanceof BrookError ? e : new BrookError(ErrorCode.UNKNOWN_SERVER_ERROR, (e as Error).message);
        if (!err.retriable || attempt >= retries) throw err;
        this.logger.debug('retrying admin request', { api: name, attempt: attempt + 1, error: err.type });
        await sleep(retryBackoff(this.config.retry, attempt));
      }
    }
  }

  // ---- topics

  /** Resolves true if any topic was created, false if all already existed (TOPIC_ALREADY_EXISTS is not an error). */
  async createTopics(options: CreateTopicsOptions): Promise<boolean> {
    const topics = options?.topics;
    if (!Array.isArray(topics) || topics.length === 0) throw new BrookError(ErrorCode.INVALID_REQUEST, 'createTopics expects { topics: [{ topic, numPartitions }] }');
    const res = await this.request('CreateTopics', {
      validateOnly: options.validateOnly === true,
      topics: topics.map((t) => {
        if (typeof t.topic !== 'string') throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'each topic needs a `topic` name');
        return {
          name: t.topic,
          numPartitions: t.numPartitions === undefined || t.numPartitions === -1 ? 1 : t.numPartitions,
          ...(t.replicationFactor !== undefined ? { replicationFactor: t.replicationFactor } : {}),
          configs: (t.configEntries ?? []).map((c) => ({ name: String(c.name), value: String(c.value) })),
        };
      }),
    });
    let created = false;
    const errors: BrookError[] = [];
    for (const t of res.topics) {
      if (t.errorCode === 0) created = true;
      else if (t.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) errors.push(new BrookError(t.errorCode, `${t.name}: ${t.errorMessage ?? new BrookError(t.errorCode).message}`));
    }
    if (errors.length === 1) throw errors[0]!;
    if (errors.length > 1) throw new BrookError(errors[0]!.code, errors.map((e) => e.message).join('; '));
    if (options.waitForLeaders !== false && options.validateOnly !== true) await this.waitForLeaders(topics.map((t) => t.topic), options.timeout ?? 5000);
    return created;
  }

  /** Polls Metadata until every partition of `names` has a leader, for at most `timeoutMs` (then the next request tells). */
  private async waitForLeaders(names: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.request('Metadata', { topics: names });
      const ready = names.every((name) => {
        const t = res.topics.find((x) => x.name === name);
        return t !== undefined && t.errorCode === 0 && Array.from({ length: t.numPartitions }, (_, p) => this.cluster.leaderOf(name, p)).every((l) => l >= 0);
      });
      if (ready || Date.now() >= deadline) return;
      await sleep(50);
    }
  }

  async deleteTopics(options: { topics: string[]; timeout?: number }): Promise<void> {
    const topics = options?.topics;
    if (!Array.isArray(topics)) throw new BrookError(ErrorCode.INVALID_REQUEST, 'deleteTopics expects { topics: [names] }');
    if (topics.length === 0) return;
    const res = await this.request('DeleteTopics', { topics });
    const errors = res.topics.filter((t) => t.errorCode !== 0);
    if (errors.length > 0) {
      const first = errors[0]!;
      throw new BrookError(first.errorCode, errors.map((t) => `${t.name}: ${t.errorMessage ?? new BrookError(t.errorCode).message}`).join('; '));
    }
  }

  /** Topic names, without internal topics (such as __consumer_offsets). */
  async listTopics(): Promise<string[]> {
    const res = await this.request('Metadata', { topics: null });
    return res.topics.filter((t) => t.errorCode === 0 && !t.internal && !t.name.startsWith('__')).map((t) => t.name);
  }

  /** Partition counts, shaped like KafkaJS's metadata; all (non-internal) topics when `topics` is omitted. */
  async fetchTopicMetadata(options: { topics?: string[] } = {}): Promise<{ topics: ITopicMetadata[] }> {
    const wanted = options.topics && options.topics.length > 0 ? options.topics : null;
    const res = await this.request('Metadata', { topics: wanted });
    const out: ITopicMetadata[] = [];
    for (const t of res.topics) {
      if (wanted) check(t.errorCode, t.errorMessage, `topic ${t.name}`);
      else if (t.errorCode !== 0 || t.internal) continue;
      out.push({
        name: t.name,
        partitions: Array.from({ length: t.numPartitions }, (_, partitionId) => {
          // The leader as the cluster knows it (a Brook broker is node 0); replicas are not described.
          const leader = this.cluster.leaderOf(t.name, partitionId);
          return { partitionErrorCode: 0, partitionId, leader, replicas: [leader], isr: [leader], offlineReplicas: [] };
        }),
      });
    }
    return { topics: out };
  }

  private async partitionCount(topic: string): Promise<number> {
    const res = await this.request('Metadata', { topics: [topic] });
    const t = res.topics.find((x) => x.name === topic);
    if (!t) throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic ${topic}`);
    check(t.errorCode, t.errorMessage, `topic ${topic}`);
    return t.numPartitions;
  }

  private async listOffsets(topic: string, timestamp: number, partitions?: number[]): Promise<Map<number, number>> {
    const ps = partitions ?? Array.from({ length: await this.partitionCount(topic) }, (_, i) => i);
    const res = await this.request('ListOffsets', {
      isolationLevel: 0,
      topics: [{ topic, partitions: ps.map((partition) => ({ partition, timestamp })) }],
    });
    const out = new Map<number, number>();
    for (const t of res.topics) {
      for (const p of t.partitions) {
        check(p.errorCode, p.errorMessage, `${t.topic}-${p.partition}`);
        out.set(p.partition, p.offset);
      }
    }
    return out;
  }

  /** `[{ partition, offset, high, low }]`: offset and high are the log end offset, low the log start offset. */
  async fetchTopicOffsets(topic: string): Promise<TopicOffsets[]> {
    const n = await this.partitionCount(topic);
    const ps = Array.from({ length: n }, (_, i) => i);
    const [low, high] = await Promise.all([this.listOffsets(topic, EARLIEST_TIMESTAMP, ps), this.listOffsets(topic, LATEST_TIMESTAMP, ps)]);
    return ps.map((partition) => {
      const h = String(high.get(partition) ?? -1);
      return { partition, offset: h, high: h, low: String(low.get(partition) ?? -1) };
    });
  }

  /** The first offset at or after `timestamp` per partition (the log end offset where none is); latest when omitted. */
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<PartitionOffset[]> {
    const ts = timestamp === undefined ? LATEST_TIMESTAMP : timestamp;
    const offsets = await this.listOffsets(topic, ts);
    return [...offsets].sort((a, b) => a[0] - b[0]).map(([partition, offset]) => ({ partition, offset: String(offset) }));
  }

  // ---- groups

  async listGroups(): Promise<{ groups: GroupOverview[] }> {
    const res = await this.request('ListGroups', { statesFilter: null });
    return { groups: res.groups.map((g) => ({ groupId: g.groupId, protocolType: 'consumer', state: g.state, members: g.members })) };
  }

  async describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }> {
    if (!Array.isArray(groupIds)) throw new BrookError(ErrorCode.INVALID_REQUEST, 'describeGroups expects an array of group ids');
    const res = await this.request('ConsumerGroupDescribe', { groupIds });
    return {
      groups: res.groups.map((g) => {
        if (g.errorCode !== 0 && g.errorCode !== ErrorCode.GROUP_ID_NOT_FOUND) check(g.errorCode, g.errorMessage, `group ${g.groupId}`);
        return {
          groupId: g.groupId,
          state: g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND ? 'dead' : g.state,
          protocolType: 'consumer',
          protocol: g.assignor,
          errorCode: g.errorCode,
          groupEpoch: g.groupEpoch,
          assignmentEpoch: g.assignmentEpoch,
          members: g.members.map((m) => ({
            memberId: m.memberId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            instanceId: m.instanceId,
            memberEpoch: m.memberEpoch,
            state: m.state,
            subscribedTopicNames: m.subscribedTopicNames,
            subscribedTopicRegex: m.subscribedTopicRegex,
            assignment: m.assignment.map((a) => ({ topic: a.topic, partitions: [...a.partitions] })),
            targetAssignment: m.targetAssignment.map((a) => ({ topic: a.topic, partitions: [...a.partitions] })),
          })),
        };
      }),
    };
  }

  /**
   * Committed offsets of a group. With `topics`, every partition of those topics is listed
   * ('-1' where nothing is committed); without, every topic the group has offsets for.
   * The old KafkaJS form `{ groupId, topic }` returns that topic's partitions as a flat list.
   */
  async fetchOffsets(options: { groupId: string; topics?: string[] }): Promise<FetchOffsetsTopic[]>;
  async fetchOffsets(options: { groupId: string; topic: string }): Promise<FetchOffsetsPartition[]>;
  async fetchOffsets(options: { groupId: string; topics?: string[]; topic?: string }): Promise<FetchOffsetsTopic[] | FetchOffsetsPartition[]> {
    const { groupId } = options;
    const single = typeof options.topic === 'string' ? options.topic : null;
    const names = single !== null ? [single] : options.topics;
    let topics: Array<{ topic: string; partitions: number[] | null }> | null = null;
    if (names && names.length > 0) {
      topics = [];
      for (const topic of names) {
        const n = await this.partitionCount(topic);
        topics.push({ topic, partitions: Array.from({ length: n }, (_, i) => i) });
      }
    }
    const res = await this.request('OffsetFetch', { groupId, topics, requireStable: false });
    check(res.errorCode, res.errorMessage, `group ${groupId}`);
    const out: FetchOffsetsTopic[] = res.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        check(p.errorCode, null, `${t.topic}-${p.partition}`);
        return { partition: p.partition, offset: String(p.offset), metadata: p.metadata };
      }),
    }));
    if (single !== null) return out.find((t) => t.topic === single)?.partitions ?? [];
    return out;
  }

  /** Sets committed offsets; the broker refuses while the group has members. */
  async setOffsets(options: { groupId: string; topic: string; partitions: SeekEntry[] }): Promise<void> {
    const { groupId, topic, partitions } = options;
    if (!Array.isArray(partitions) || partitions.length === 0) throw new BrookError(ErrorCode.INVALID_REQUEST, 'setOffsets expects { groupId, topic, partitions: [{ partition, offset }] }');
    const res = await this.request('OffsetCommit', {
      groupId,
      memberId: null,
      memberEpoch: -1,
      topics: [
        {
          topic,
          partitions: partitions.map((p) => ({ partition: p.partition, offset: toOffsetNumber(p.offset, `${topic}-${p.partition}`), metadata: null })),
        },
      ],
    });
    for (const t of res.topics) for (const p of t.partitions) check(p.errorCode, p.errorMessage, `${t.topic}-${p.partition}`);
  }

  /** Moves a group's offsets for a topic to the earliest or (default) latest offsets. */
  async resetOffsets(options: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    const { groupId, topic } = options;
    const offsets = await this.listOffsets(topic, options.earliest ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP);
    await this.setOffsets({ groupId, topic, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) })) });
  }

  /** Deletes empty groups (NON_EMPTY_GROUP while they have members); rejects if any deletion failed. */
  async deleteGroups(groupIds: string[]): Promise<DeleteGroupResult[]> {
    if (!Array.isArray(groupIds)) throw new BrookError(ErrorCode.INVALID_REQUEST, 'deleteGroups expects an array of group ids');
    if (groupIds.length === 0) return [];
    const res = await this.request('DeleteGroups', { groupIds });
    const results: DeleteGroupResult[] = res.results.map((r) =>
      r.errorCode === 0 ? { groupId: r.groupId, errorCode: 0 } : { groupId: r.groupId, errorCode: r.errorCode, error: new BrookError(r.errorCode, r.errorMessage ? `${r.groupId}: ${r.errorMessage}` : `${r.groupId}: ${new BrookError(r.errorCode).message}`) },
    );
    const failed = results.filter((r) => r.error);
    if (failed.length > 0) {
      const err = new BrookError(failed[0]!.errorCode, failed.map((r) => r.error!.message).join('; '));
      throw Object.assign(err, { groups: results });
    }
    return results;
  }

  /** Deletes a group's committed offsets for a topic (all partitions unless given). */
  async deleteTopicOffsets(options: { groupId: string; topic: string; partitions?: number[] }): Promise<void> {
    const { groupId, topic } = options;
    // Every partition named: a Kafka broker needs them listed.
    const partitions = options.partitions ?? Array.from({ length: await this.partitionCount(topic) }, (_, i) => i);
    const res = await this.request('OffsetDelete', { groupId, topics: [{ topic, partitions }] });
    check(res.errorCode, res.errorMessage, `group ${groupId}`);
    for (const t of res.topics) for (const p of t.partitions) check(p.errorCode, null, `${t.topic}-${p.partition}`);
  }
}
