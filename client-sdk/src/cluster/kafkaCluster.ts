/**
 * A Kafka cluster as the SDK's `Cluster`: bootstrap (ApiVersions and Metadata on any bootstrap
 * broker), one connection per broker (two, in fact: fetch long polls get their own, so they never
 * hold back heartbeats, commits or metadata, which Kafka answers in order per connection),
 * requests routed to partition leaders, group and transaction coordinators (found with
 * FindCoordinator and cached), and retries on the errors that mean "ask someone else", each
 * after refreshing what the client knows.
 */
import { BrookError, ErrorCode, type RequestOf } from '@brook/protocol';
import type { Logger } from '../logger.js';
import type { Cluster, ClusterApiName, ClusterLimits, ClusterRequestOf, ClusterResponseOf, RequestOptions } from '../transport/types.js';
import { jitteredBackoff, sleep } from '../util/time.js';
import { mappingOf } from './apis/index.js';
import { produce, unroutedPartition } from './apis/data.js';
import type { ApiMapping, KafkaApiName, KafkaResponseOf, Route } from './apis/types.js';
import { BrokerConnection, type BrokerConnectionOptions } from './brokerConnection.js';
import { leaderErrorsIn, mergeByTopic, splitByLeader, type ByTopic } from './leaders.js';
import { ClusterMetadata, type BrokerAddress } from './metadata.js';

export interface KafkaClusterOptions extends Omit<BrokerConnectionOptions, 'logger'> {
  /** Bootstrap servers, `host:port`. */
  brokers: string[];
  logger: Logger;
  /** Attempts for retriable failures (bootstrap, coordinators, leaders), with backoff. */
  retries: number;
  /** Metadata older than this is refreshed before it is used (Kafka's metadata.max.age.ms). */
  metadataMaxAge?: number;
}

/** Errors that mean "this is not (or not yet) the coordinator": find it again and retry. */
const COORDINATOR_ERRORS: ReadonlySet<number> = new Set([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

type Lane = 'main' | 'fetch';

export function parseBroker(entry: string): BrokerAddress {
  const m = /^\s*(\[[^\]]+\]|[^:\s]+):(\d+)\s*$/.exec(entry);
  if (!m) throw new BrookError(ErrorCode.INVALID_CONFIG, `broker '${entry}' is not host:port`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

/** Whether a Brook answer carries a coordinator error anywhere (top level or per partition). */
function hasCoordinatorError(v: unknown, depth = 0): boolean {
  if (depth > 4 || v === null || typeof v !== 'object' || v instanceof Uint8Array) return false;
  if (Array.isArray(v)) return v.some((x) => hasCoordinatorError(x, depth + 1));
  const o = v as Record<string, unknown>;
  if (typeof o.errorCode === 'number' && COORDINATOR_ERRORS.has(o.errorCode)) return true;
  return Object.values(o).some((x) => typeof x === 'object' && hasCoordinatorError(x, depth + 1));
}

export class KafkaCluster implements Cluster {
  private readonly metadata: ClusterMetadata;
  private readonly bootstrap: BrokerAddress[];
  private readonly connections = new Map<string, BrokerConnection>();
  private readonly coordinators = new Map<string, number>();
  private refreshing: Promise<void> | null = null;
  private connected = false;

  readonly limits: ClusterLimits = { maxMessageBytes: null, maxFrameBytes: null, oneBatchPerPartition: true };

  constructor(private readonly opts: KafkaClusterOptions) {
    if (opts.brokers.length === 0) throw new BrookError(ErrorCode.INVALID_CONFIG, 'no bootstrap brokers');
    this.bootstrap = opts.brokers.map(parseBroker);
    this.metadata = new ClusterMetadata(opts.metadataMaxAge ?? 300_000);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  get bufferedAmount(): number {
    let n = 0;
    for (const c of this.connections.values()) n += c.bufferedAmount;
    return n;
  }

  leaderOf(topic: string, partition: number): number {
    return Math.max(-1, this.metadata.leaderOf(topic, partition));
  }

  get brokerCount(): number {
    return this.metadata.brokers.size;
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.refreshMetadata();
        this.connected = true;
        return;
      } catch (e) {
        const err = e instanceof BrookError ? e : new BrookError(ErrorCode.NETWORK_EXCEPTION, (e as Error).message);
        if (!err.retriable || attempt >= this.opts.retries) throw err;
        this.opts.logger.debug('bootstrap failed, retrying', { brokers: this.opts.brokers, attempt, error: err.message });
        await sleep(jitteredBackoff(attempt, 5000));
      }
    }
  }

  async close(): Promise<void> {
    this.connected = false;
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
    this.coordinators.clear();
  }

  async request<N extends ClusterApiName>(name: N, body: ClusterRequestOf<N>, opts: RequestOptions = {}): Promise<ClusterResponseOf<N>> {
    if (!this.connected) await this.connect();
    if ((name === 'ConsumerGroupDescribe' || name === 'DeleteGroups') && (body as { groupIds: string[] }).groupIds.length > 1) {
      return this.perGroup(name, body as ClusterRequestOf<'ConsumerGroupDescribe' | 'DeleteGroups'>, opts) as Promise<ClusterResponseOf<N>>;
    }
    if (name === 'ListGroups') return this.listGroups(body as ClusterRequestOf<'ListGroups'>) as Promise<ClusterResponseOf<N>>;
    const m = mappingOf(name);
    const route = m.route(body);
    switch (route.kind) {
      case 'any':
        return this.onAnyBroker((conn) => this.call(conn, m, body, opts));
      case 'leaders':
        return this.toLeaders(name as 'Produce' | 'Fetch' | 'ListOffsets', body as never, opts) as Promise<ClusterResponseOf<N>>;
      case 'coordinator':
        return this.toCoordinator(route, m, body, opts);
      case 'all':
        throw new BrookError(ErrorCode.INVALID_REQUEST, `${name} cannot go to every broker`);
    }
  }

  async sendOnly(_name: 'Produce', body: RequestOf<'Produce'>): Promise<void> {
    if (!this.connected) await this.connect();
    await this.ensureTopics(body.topics.map((t) => t.topic));
    const { byNode, unrouted } = splitByLeader(body, (t, p) => this.metadata.leaderOf(t, p));
    if (unrouted.length > 0) {
      this.metadata.markStale();
      this.opts.logger.debug('acks 0 records without a leader dropped', { partitions: unrouted.length });
    }
    await Promise.all([...byNode].map(([node, sub]) => this.connectionTo(node, 'main').call('Produce', (v) => produce.toKafka(sub, v, this.metadata), { cap: produce.maxVersion, expectResponse: false })));
  }

  // ---- routes

  /** One request on one connection: built for the version it speaks, answered in Brook's shape. */
  private async call<N extends ClusterApiName>(conn: BrokerConnection, m: ApiMapping<N, KafkaApiName>, body: ClusterRequestOf<N>, opts: RequestOptions): Promise<ClusterResponseOf<N>> {
    let answer: { version: number; body: KafkaResponseOf<KafkaApiName> };
    try {
      answer = await conn.call(m.kafka, (v) => m.toKafka(body, v, this.metadata) as never, { cap: m.maxVersion, timeoutMs: opts.timeoutMs });
    } catch (e) {
      if (e instanceof BrookError && e.code === ErrorCode.NETWORK_EXCEPTION) this.metadata.markStale();
      throw e;
    }
    if (m.kafka === 'Metadata') this.metadata.apply(answer.body as KafkaResponseOf<'Metadata'>, false);
    const unknown = m.topicIdsIn?.(answer.body).filter((id) => this.metadata.nameOf(id) === undefined) ?? [];
    if (unknown.length > 0) await this.learnTopicIds(unknown);
    return m.fromKafka(answer.body, answer.version, body, this.metadata);
  }

  private async toLeaders<N extends 'Produce' | 'Fetch' | 'ListOffsets'>(name: N, body: ClusterRequestOf<N> & ByTopic<{ partition: number }>, opts: RequestOptions): Promise<ClusterResponseOf<N>> {
    const m = mappingOf(name);
    const lane: Lane = name === 'Fetch' ? 'fetch' : 'main';
    let answer = await this.leadersOnce(name, m, lane, body, opts);
    // ListOffsets is retried here; the producer and the fetch loop retry their own partitions.
    for (let attempt = 0; name === 'ListOffsets' && attempt < this.opts.retries; attempt++) {
      const stale = leaderErrorsIn(answer as ByTopic<{ partition: number; errorCode: number }>);
      if (stale.length === 0) break;
      await sleep(jitteredBackoff(attempt, 1000));
      const again = new Set(stale.map((s) => `${s.topic}\0${s.partition}`));
      const retry = { ...body, topics: body.topics.map((t) => ({ ...t, partitions: t.partitions.filter((p) => again.has(`${t.topic}\0${p.partition}`)) })).filter((t) => t.partitions.length > 0) };
      const second = (await this.leadersOnce(name, m, lane, retry as typeof body, opts)) as ByTopic<{ partition: number }>;
      const kept = (answer as ByTopic<{ partition: number }>).topics.map((t) => ({ ...t, partitions: t.partitions.filter((p) => !again.has(`${t.topic}\0${p.partition}`)) }));
      answer = mergeByTopic([{ topics: kept }, second]) as ClusterResponseOf<N>;
    }
    return answer;
  }

  private async leadersOnce<N extends 'Produce' | 'Fetch' | 'ListOffsets'>(
    name: N,
    m: ApiMapping<N, KafkaApiName>,
    lane: Lane,
    body: ClusterRequestOf<N> & ByTopic<{ partition: number }>,
    opts: RequestOptions,
  ): Promise<ClusterResponseOf<N>> {
    await this.ensureTopics(body.topics.map((t) => t.topic));
    const { byNode, unrouted } = splitByLeader(body, (t, p) => this.metadata.leaderOf(t, p));
    const parts = [...byNode];
    const settled = await Promise.allSettled(parts.map(([node, sub]) => this.call(this.connectionTo(node, lane), m, sub as ClusterRequestOf<N>, opts)));
    const failed = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    // Every leader failed the same way (the network, a timeout): the whole request failed.
    if (failed.length > 0 && failed.length === settled.length && unrouted.length === 0) throw failed[0];
    const answers: Array<ByTopic<{ partition: number; errorCode: number }>> = [];
    const extra: Array<{ topic: string; partition: { partition: number; errorCode: number } }> = [];
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') answers.push(s.value as ByTopic<{ partition: number; errorCode: number }>);
      else {
        const err = s.reason instanceof BrookError ? s.reason : new BrookError(ErrorCode.NETWORK_EXCEPTION, String(s.reason));
        if (!err.retriable && err.code !== ErrorCode.NETWORK_EXCEPTION) throw err;
        for (const t of parts[i]![1].topics) for (const p of t.partitions) extra.push({ topic: t.topic, partition: unroutedPartition(name, p.partition, err.code) as { partition: number; errorCode: number } });
      }
    });
    for (const u of unrouted) extra.push({ topic: u.topic, partition: unroutedPartition(name, u.partition, u.errorCode) as { partition: number; errorCode: number } });
    const merged = mergeByTopic(answers, extra);
    if (unrouted.length > 0 || leaderErrorsIn(merged).length > 0) this.metadata.markStale();
    return merged as unknown as ClusterResponseOf<N>;
  }

  private async toCoordinator<N extends ClusterApiName>(route: Extract<Route, { kind: 'coordinator' }>, m: ApiMapping<N, KafkaApiName>, body: ClusterRequestOf<N>, opts: RequestOptions): Promise<ClusterResponseOf<N>> {
    const cacheKey = `${route.keyType}\0${route.key}`;
    for (let attempt = 0; ; attempt++) {
      let answer: ClusterResponseOf<N> | null = null;
      let error: BrookError | null = null;
      try {
        const node = await this.coordinator(route.keyType, route.key);
        answer = await this.call(this.connectionTo(node, 'main'), m, body, opts);
      } catch (e) {
        error = e instanceof BrookError ? e : new BrookError(ErrorCode.NETWORK_EXCEPTION, (e as Error).message);
        if (!COORDINATOR_ERRORS.has(error.code) && error.code !== ErrorCode.NETWORK_EXCEPTION) throw error;
      }
      if (answer !== null && !hasCoordinatorError(answer)) return answer;
      this.coordinators.delete(cacheKey);
      if (attempt >= this.opts.retries) {
        if (answer !== null) return answer;
        throw error!;
      }
      this.opts.logger.debug('coordinator moved or not ready, retrying', { key: route.key, attempt, error: error?.type });
      await sleep(jitteredBackoff(attempt, 2000));
    }
  }

  /** The coordinator's node id (cached); FindCoordinator on any broker when not known. */
  private async coordinator(keyType: 0 | 1, key: string): Promise<number> {
    const cacheKey = `${keyType}\0${key}`;
    const known = this.coordinators.get(cacheKey);
    if (known !== undefined) return known;
    const found = await this.onAnyBroker(async (conn) => {
      const { version, body } = await conn.call('FindCoordinator', (v) => (v >= 4 ? { keyType, coordinatorKeys: [key] } : { keyType, key }));
      return version >= 4 ? body.coordinators[0] : { ...body, key };
    });
    if (!found) throw new BrookError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `no coordinator named for ${key}`);
    if (found.errorCode !== 0) throw new BrookError(found.errorCode, `FindCoordinator for ${key}: ${found.errorMessage ?? new BrookError(found.errorCode).message}`);
    this.metadata.brokers.set(found.nodeId, { host: found.host, port: found.port });
    this.coordinators.set(cacheKey, found.nodeId);
    return found.nodeId;
  }

  /** Several groups: each to its own coordinator, the answers joined. */
  private async perGroup(name: 'ConsumerGroupDescribe' | 'DeleteGroups', body: ClusterRequestOf<'ConsumerGroupDescribe' | 'DeleteGroups'>, opts: RequestOptions) {
    const answers = await Promise.all(body.groupIds.map((groupId) => this.request(name, { groupIds: [groupId] }, opts)));
    if (name === 'DeleteGroups') return { results: answers.flatMap((a) => (a as ClusterResponseOf<'DeleteGroups'>).results) };
    return { groups: answers.flatMap((a) => (a as ClusterResponseOf<'ConsumerGroupDescribe'>).groups) };
  }

  /** ListGroups on every broker (each lists the groups it coordinates); member counts from describing them. */
  private async listGroups(body: ClusterRequestOf<'ListGroups'>): Promise<ClusterResponseOf<'ListGroups'>> {
    await this.ensureTopics([]);
    const m = mappingOf('ListGroups');
    const answers = await Promise.all([...this.metadata.brokers.keys()].map((node) => this.call(this.connectionTo(node, 'main'), m, body, {})));
    const groups = new Map(answers.flatMap((a) => a.groups).map((g) => [g.groupId, g]));
    if (groups.size === 0) return { groups: [] };
    const described = await this.request('ConsumerGroupDescribe', { groupIds: [...groups.keys()] }).catch(() => ({ groups: [] }));
    for (const d of described.groups) {
      const g = groups.get(d.groupId);
      if (g) g.members = d.errorCode === 0 ? d.members.length : 0;
    }
    return { groups: [...groups.values()].map((g) => ({ ...g, members: Math.max(0, g.members) })) };
  }

  // ---- connections and metadata

  private connectionTo(node: number, lane: Lane): BrokerConnection {
    const address = this.metadata.brokers.get(node);
    if (!address) throw new BrookError(ErrorCode.LEADER_NOT_AVAILABLE, `broker ${node} is not in the cluster's metadata`);
    return this.connection(`${lane}:${node}`, address);
  }

  private connection(key: string, address: BrokerAddress): BrokerConnection {
    const c = this.connections.get(key);
    if (c && c.host === address.host && c.port === address.port) return c;
    c?.close();
    const fresh = new BrokerConnection(address.host, address.port, { ...this.opts, logger: this.opts.logger.namespace('Connection') });
    this.connections.set(key, fresh);
    return fresh;
  }

  /** Runs `fn` on a broker that can be reached: a known broker first, else the bootstrap list. */
  private async onAnyBroker<T>(fn: (conn: BrokerConnection) => Promise<T>): Promise<T> {
    const known = [...this.metadata.brokers.keys()].map((node) => this.connectionTo(node, 'main'));
    const connected = known.filter((c) => c.isConnected);
    const candidates = [...connected, ...shuffle(known.filter((c) => !c.isConnected)), ...this.bootstrap.map((a) => this.connection(`bootstrap:${a.host}:${a.port}`, a))];
    let last: unknown = new BrookError(ErrorCode.NETWORK_EXCEPTION, 'no broker to send to');
    for (const conn of candidates) {
      try {
        await conn.connect();
      } catch (e) {
        last = e;
        if (e instanceof BrookError && !e.retriable && e.code !== ErrorCode.NETWORK_EXCEPTION) throw e;
        continue;
      }
      return fn(conn);
    }
    throw last;
  }

  /** Refreshes metadata when a topic is not known yet or what is known is stale. */
  private async ensureTopics(topics: string[]): Promise<void> {
    for (const t of topics) this.metadata.used.add(t);
    if (this.refreshing) await this.refreshing.catch(() => undefined);
    if (this.metadata.stale || topics.some((t) => !this.metadata.knows(t))) await this.refreshMetadata();
  }

  /** One Metadata request for every topic in use (one at a time: concurrent callers share it). */
  private refreshMetadata(): Promise<void> {
    this.refreshing ??= this.onAnyBroker(async (conn) => {
      const names = [...this.metadata.used];
      const { body } = await conn.call('Metadata', () => ({ topics: names.map((name) => ({ name })), allowAutoTopicCreation: false }));
      this.metadata.apply(body, true);
    }).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Topic ids named in an answer but not known: every topic's metadata (a rare event: a new topic matched a subscription). */
  private async learnTopicIds(ids: string[]): Promise<void> {
    await this.onAnyBroker(async (conn) => {
      const { body } = await conn.call('Metadata', () => ({ topics: null, allowAutoTopicCreation: false }));
      this.metadata.apply(body, true);
      for (const t of body.topics) if (t.name !== null && ids.includes(t.topicId)) this.metadata.used.add(t.name);
    });
  }
}

function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
