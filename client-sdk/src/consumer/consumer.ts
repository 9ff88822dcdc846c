/**
 * The group consumer: a thin KIP-848 client. The broker computes assignments; this side runs a
 * heartbeat loop on its own timer (a slow handler never delays it), reconciles the assignment the
 * broker sends (revoke before assign: stop fetching, finish in-flight handlers, commit, callback,
 * report), fetches with one long poll over every owned partition, and processes each partition in
 * order, different partitions possibly in parallel.
 */
import {
  BrookError,
  ErrorCode,
  EARLIEST_TIMESTAMP,
  JOIN_EPOCH,
  LATEST_TIMESTAMP,
  LEAVE_EPOCH,
  STATIC_LEAVE_EPOCH,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  type DescribedGroup,
  type FetchRequest,
  type FetchResponse,
} from '@brook/protocol';
import type { Connection } from '../connection.js';
import { openConnection, type ClientContext } from '../context.js';
import type { Logger } from '../logger.js';
import { decodeFetched, type FetchedMessage } from './fetched.js';
import {
  ConsumerEvents,
  KAFKAJS_CONSUMER_EVENT_ALIASES,
  type AutoOffsetReset,
  type Batch,
  type ConsumerConfig,
  type ConsumerEvent,
  type ConsumerEventName,
  type ConsumerRunConfig,
  type ConsumerSubscribeTopic,
  type ConsumerSubscribeTopics,
  type DeliveryGuarantee,
  type EachBatchPayload,
  type EachMessagePayload,
  type GroupJoinPayload,
  type OffsetsByTopicPartition,
  type PartitionsListener,
  type TopicPartition,
  type TopicPartitionOffset,
  type TopicPartitions,
  type TopicPartitionsSelector,
} from './types.js';

export * from './types.js';

const DEFAULTS = {
  sessionTimeout: 45_000,
  heartbeatInterval: 3_000,
  rebalanceTimeout: 60_000,
  maxWaitTimeInMs: 500,
  minBytes: 1,
  maxBytes: 10 * 1024 * 1024,
  maxBytesPerPartition: 1024 * 1024,
  autoCommitInterval: 5_000,
};

/** Handler failures are retried from the failed message after this backoff (doubling, capped). */
const HANDLER_RETRY_MS = 300;
const HANDLER_RETRY_MAX_MS = 10_000;

type PartitionKey = string;
const keyOf = (topic: string, partition: number): PartitionKey => `${topic}\0${partition}`;
const parseKey = (k: PartitionKey): TopicPartition => {
  const i = k.lastIndexOf('\0');
  return { topic: k.slice(0, i), partition: Number(k.slice(i + 1)) };
};

/** Everything the consumer keeps about one owned partition. */
interface PartitionState {
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

interface Subscription {
  names: Set<string>;
  regexes: RegExp[];
  /** Per-subscription fromBeginning, checked in order. */
  entries: Array<{ match: string | RegExp; fromBeginning: boolean | undefined }>;
}

interface RunState {
  config: ConsumerRunConfig;
  autoCommit: boolean;
  guarantee: DeliveryGuarantee;
  concurrency: number;
  autoCommitInterval: number | null;
  autoCommitThreshold: number | null;
}

type Listener = (e: ConsumerEvent) => void;

export class Consumer {
  readonly events = ConsumerEvents;

  private readonly ctx: ClientContext;
  private readonly config: ConsumerConfig;
  private readonly logger: Logger;
  private readonly conn: Connection;
  private readonly groupId: string;
  private readonly instanceId: string | null;
  private memberId: string;
  private memberEpoch = JOIN_EPOCH;

  private readonly subscription: Subscription = { names: new Set(), regexes: [], entries: [] };
  /** The subscription must be sent on the next heartbeat (join, or it changed). */
  private subscriptionDirty = true;

  private run_: RunState | null = null;
  /** True from run() until stop/disconnect/crash. */
  private running = false;
  private stopping: Promise<void> | null = null;
  /** Bumped by every run and stop: loops and responses of an earlier run are ignored. */
  private session = 0;
  private connected = false;

  // ---- membership
  private heartbeatIntervalMs: number;
  private hbTimer: ReturnType<typeof setTimeout> | null = null;
  private hbInFlight: Promise<void> | null = null;
  private hbAgain = false;
  private hbFailures = 0;
  private lastHeartbeatOkAt = 0;
  private unreleasedSince = 0;
  private hbWaiters: Array<() => void> = [];
  /** Set while the member is in the group (joined or joining). */
  private inGroup = false;
  private joinWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private joinedOnce = false;
  private joinStartedAt = 0;

  // ---- assignment
  private readonly owned = new Map<PartitionKey, PartitionState>();
  /** Latest assignment from the broker. */
  private target = new Set<PartitionKey>();
  private reconciling: Promise<void> | null = null;
  private reconcileAgain = false;
  private pendingLost: TopicPartition[] = [];
  /** Handlers still running for partitions that were lost; a re-assigned partition waits for them. */
  private readonly draining = new Map<PartitionKey, Promise<void>>();
  private readonly pendingSeeks = new Map<PartitionKey, number>();
  private readonly pausedTopics = new Set<string>();
  private readonly pausedPartitions = new Set<PartitionKey>();
  private announceJoin = false;

  // ---- fetching and processing
  private fetchLoop: Promise<void> | null = null;
  private fetchWake: (() => void) | null = null;
  private activeWorkers = 0;
  private rr = 0;
  private bufferedBytes = 0;
  private scheduleTimer: ReturnType<typeof setTimeout> | null = null;

  // ---- commits
  private commitChain: Promise<unknown> = Promise.resolve();
  private autoCommitTimer: ReturnType<typeof setInterval> | null = null;
  private lastCommitAt = 0;

  private readonly listeners = new Map<string, Set<Listener>>();
  private eventId = 0;

  constructor(ctx: ClientContext, config: ConsumerConfig) {
    if (!config || typeof config.groupId !== 'string' || config.groupId.length === 0) {
      throw new BrookError(ErrorCode.INVALID_GROUP_ID, 'consumer needs a groupId');
    }
    this.ctx = ctx;
    this.config = config;
    this.groupId = config.groupId;
    this.instanceId = config.groupInstanceId ?? null;
    this.logger = ctx.logger.namespace('Consumer');
    this.memberId = newMemberId();
    this.heartbeatIntervalMs = config.heartbeatInterval ?? DEFAULTS.heartbeatInterval;
    this.conn = openConnection(ctx, {
      onHeartbeatNow: (p) => {
        if (p.groupId === this.groupId && (p.memberId === this.memberId || p.memberId === '')) this.heartbeatNow();
      },
      onReconnect: () => {
        this.logger.debug('reconnected; heartbeating at once', { groupId: this.groupId, memberId: this.memberId });
        this.heartbeatNow();
      },
    });
  }

  // =====================================================================================
  // public API

  async connect(): Promise<void> {
    await this.conn.connect();
    this.connected = true;
    let members = this.ctx.groupMembers.get(this.groupId);
    if (!members) this.ctx.groupMembers.set(this.groupId, (members = new Set()));
    members.add(this);
    this.emit(ConsumerEvents.CONNECT, {});
  }

  /** Stops consuming, lets in-flight handlers finish, commits, leaves the group at once, closes. */
  async disconnect(): Promise<void> {
    await this.stop();
    const members = this.ctx.groupMembers.get(this.groupId);
    members?.delete(this);
    if (members?.size === 0) this.ctx.groupMembers.delete(this.groupId);
    if (this.connected) {
      this.connected = false;
      await this.conn.close();
      this.emit(ConsumerEvents.DISCONNECT, {});
    }
  }

  /** Adds topics (names or RegExps) to the subscription; several calls accumulate. */
  async subscribe(sub: ConsumerSubscribeTopics | ConsumerSubscribeTopic, fromBeginning?: boolean): Promise<void> {
    const topics: Array<string | RegExp> =
      sub && 'topics' in sub && Array.isArray(sub.topics)
        ? sub.topics
        : sub && 'topic' in sub && sub.topic !== undefined
          ? [sub.topic]
          : [];
    if (topics.length === 0) throw new BrookError(ErrorCode.INVALID_REQUEST, 'subscribe needs { topics: [...] } or { topic }');
    const fb = sub.fromBeginning ?? fromBeginning;
    for (const t of topics) {
      if (typeof t === 'string') {
        if (t.length === 0) throw new BrookError(ErrorCode.INVALID_TOPIC_EXCEPTION, 'empty topic name');
        this.subscription.names.add(t);
      } else if (t instanceof RegExp) {
        re2Flags(t); // refuses flags the broker's RE2 cannot honour, here rather than at the first heartbeat
        if (!this.subscription.regexes.some((r) => r.source === t.source && r.flags === t.flags)) this.subscription.regexes.push(t);
      } else {
        throw new BrookError(ErrorCode.INVALID_REQUEST, `invalid topic ${String(t)}: a string or a RegExp`);
      }
      this.subscription.entries.push({ match: t, fromBeginning: fb });
    }
    this.subscriptionDirty = true;
    if (this.running) this.heartbeatNow();
  }

  /** Joins the group and starts consuming; resolves once the member has joined (it does not wait for the consumer to stop). */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    if (this.running) throw new BrookError(ErrorCode.INVALID_REQUEST, 'consumer is already running');
    if (this.stopping) await this.stopping;
    if (!config.eachMessage && !config.eachBatch) throw new BrookError(ErrorCode.INVALID_REQUEST, 'run needs eachMessage or eachBatch');
    if (this.subscription.names.size === 0 && this.subscription.regexes.length === 0) {
      throw new BrookError(ErrorCode.INVALID_REQUEST, 'subscribe to at least one topic before run');
    }
    const guarantee = config.deliveryGuarantee ?? 'at-least-once';
    if (guarantee !== 'at-least-once' && guarantee !== 'at-most-once') {
      throw new BrookError(ErrorCode.INVALID_REQUEST, `deliveryGuarantee must be 'at-least-once' or 'at-most-once'`);
    }
    if (!this.connected) await this.connect();
    const interval = config.autoCommitInterval === undefined ? DEFAULTS.autoCommitInterval : config.autoCommitInterval;
    this.run_ = {
      config,
      autoCommit: config.autoCommit ?? true,
      guarantee,
      concurrency: Math.max(1, Math.floor(config.partitionsConsumedConcurrently ?? 1)),
      autoCommitInterval: interval !== null && interval > 0 ? interval : null,
      autoCommitThreshold: config.autoCommitThreshold && config.autoCommitThreshold > 0 ? config.autoCommitThreshold : null,
    };
    this.running = true;
    this.session++;
    this.inGroup = true;
    this.memberEpoch = JOIN_EPOCH;
    this.subscriptionDirty = true;
    this.joinedOnce = false;
    this.joinStartedAt = Date.now();
    this.hbFailures = 0;
    this.unreleasedSince = 0;
    this.lastHeartbeatOkAt = Date.now();
    this.lastCommitAt = Date.now();
    const joined = new Promise<void>((resolve, reject) => {
      this.joinWaiter = { resolve, reject };
    });
    this.heartbeatNow();
    this.fetchLoop = this.fetchLoopMain();
    if (this.run_.autoCommit && this.run_.guarantee === 'at-least-once' && this.run_.autoCommitInterval !== null) {
      this.autoCommitTimer = setInterval(() => void this.autoCommit(false), Math.min(this.run_.autoCommitInterval, 1000));
    }
    await joined;
  }

  /** Stops consuming and leaves the group (the connection stays open; `run` may be called again). */
  async stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (!this.running) return;
    this.stopping = this.stopInternal(true).finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }

  /** Commits offsets (each the next offset to read) for this group. */
  async commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    const entries = offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: parseOffset(o.offset) }));
    await this.sendCommit(entries, true);
  }

  /** Moves a partition's position; applied when the partition is assigned if it is not owned yet. */
  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    const off = parseOffset(offset);
    const k = keyOf(topic, partition);
    const ps = this.owned.get(k);
    if (ps && !ps.gone && (ps.ready || ps.fetchOffset >= 0)) {
      this.applySeek(ps, off);
    } else {
      this.pendingSeeks.set(k, off);
    }
  }

  pause(topics: TopicPartitionsSelector[]): void {
    for (const t of topics) {
      if (!t || typeof t.topic !== 'string') throw new BrookError(ErrorCode.INVALID_REQUEST, 'pause expects [{ topic, partitions? }]');
      if (t.partitions === undefined) this.pausedTopics.add(t.topic);
      else for (const p of t.partitions) this.pausedPartitions.add(keyOf(t.topic, p));
    }
  }

  resume(topics: TopicPartitionsSelector[]): void {
    for (const t of topics) {
      if (!t || typeof t.topic !== 'string') throw new BrookError(ErrorCode.INVALID_REQUEST, 'resume expects [{ topic, partitions? }]');
      if (t.partitions === undefined) {
        this.pausedTopics.delete(t.topic);
        for (const k of [...this.pausedPartitions]) if (parseKey(k).topic === t.topic) this.pausedPartitions.delete(k);
      } else {
        for (const p of t.partitions) this.pausedPartitions.delete(keyOf(t.topic, p));
        // Resuming some partitions of a paused topic: pause the others explicitly.
        if (this.pausedTopics.has(t.topic)) {
          this.pausedTopics.delete(t.topic);
          for (const ps of this.owned.values()) {
            if (ps.topic === t.topic && !t.partitions.includes(ps.partition)) this.pausedPartitions.add(ps.key);
          }
        }
      }
    }
    this.schedule();
    this.wakeFetch();
  }

  /** The paused topic-partitions. */
  paused(): TopicPartitions[] {
    const byTopic = new Map<string, Set<number>>();
    const add = (topic: string, p: number) => {
      let s = byTopic.get(topic);
      if (!s) byTopic.set(topic, (s = new Set()));
      s.add(p);
    };
    for (const k of this.pausedPartitions) {
      const { topic, partition } = parseKey(k);
      add(topic, partition);
    }
    for (const t of this.pausedTopics) {
      if (!byTopic.has(t)) byTopic.set(t, new Set());
      for (const ps of this.owned.values()) if (ps.topic === t) add(t, ps.partition);
    }
    return [...byTopic].map(([topic, s]) => ({ topic, partitions: [...s].sort((a, b) => a - b) }));
  }

  /** The partitions this member owns now. */
  assignment(): TopicPartition[] {
    return [...this.owned.values()]
      .filter((ps) => !ps.gone)
      .map((ps) => ({ topic: ps.topic, partition: ps.partition }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /** The broker's view of this group: members, epochs, assignments. */
  async describeGroup(): Promise<DescribedGroup> {
    const res = await this.conn.request('ConsumerGroupDescribe', { groupIds: [this.groupId] });
    const g = res.groups[0];
    if (!g) throw new BrookError(ErrorCode.GROUP_ID_NOT_FOUND, `group ${this.groupId} not described`);
    if (g.errorCode !== 0) throw new BrookError(g.errorCode, g.errorMessage);
    return g;
  }

  /** This member's identity in the group (the member id is a client-generated UUID). */
  groupMetadata(): { groupId: string; memberId: string; memberEpoch: number; groupInstanceId: string | null } {
    return { groupId: this.groupId, memberId: this.memberId, memberEpoch: this.memberEpoch, groupInstanceId: this.instanceId };
  }

  /** Subscribes to an event (also KafkaJS's 'consumer.*' names); returns a function that unsubscribes. */
  on(event: ConsumerEventName | string, listener: Listener): () => void {
    const name = KAFKAJS_CONSUMER_EVENT_ALIASES[event] ?? event;
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  // =====================================================================================
  // events

  private emit(type: string, payload: Record<string, unknown> | GroupJoinPayload): void {
    const set = this.listeners.get(type);
    if (!set || set.size === 0) return;
    const e: ConsumerEvent = { id: ++this.eventId, type, timestamp: Date.now(), payload: payload as Record<string, unknown> };
    for (const l of set) {
      try {
        l(e);
      } catch (err) {
        this.logger.error('consumer event listener threw', { event: type, error: (err as Error).message });
      }
    }
  }

  // =====================================================================================
  // lifecycle

  private async stopInternal(leave: boolean): Promise<void> {
    this.running = false;
    const jw = this.joinWaiter;
    this.joinWaiter = null;
    jw?.reject(new BrookError(ErrorCode.INVALID_REQUEST, 'consumer stopped before it joined the group'));
    if (this.autoCommitTimer) clearInterval(this.autoCommitTimer);
    this.autoCommitTimer = null;
    if (this.scheduleTimer) clearTimeout(this.scheduleTimer);
    this.scheduleTimer = null;
    this.wakeFetch();
    // Drop what is buffered; let in-flight handlers finish.
    for (const ps of this.owned.values()) this.dropQueue(ps);
    await Promise.allSettled([...this.owned.values()].map((ps) => ps.worker ?? Promise.resolve()));
    if (this.reconciling) await this.reconciling.catch(() => {});
    if (this.memberEpoch > 0 && this.run_?.autoCommit && this.run_.guarantee === 'at-least-once') {
      await this.autoCommit(true).catch((e: unknown) => this.logger.warn('final commit failed', { error: (e as Error).message }));
    }
    await this.commitChain.catch(() => {});
    const owned = this.assignment();
    for (const ps of this.owned.values()) ps.gone = true;
    if (owned.length > 0 && this.memberEpoch > 0) {
      await this.callListener('onPartitionsRevoked', owned);
    }
    // Leave the group at once.
    if (this.hbTimer) clearTimeout(this.hbTimer);
    this.hbTimer = null;
    if (this.hbInFlight) await this.hbInFlight.catch(() => {});
    const wasMember = this.inGroup && this.memberEpoch > 0;
    this.inGroup = false;
    this.session++;
    if (this.hbTimer) clearTimeout(this.hbTimer);
    this.hbTimer = null;
    if (leave && wasMember && this.conn.isConnected) {
      const epoch = this.instanceId !== null ? STATIC_LEAVE_EPOCH : LEAVE_EPOCH;
      try {
        await this.conn.request('ConsumerGroupHeartbeat', this.heartbeatBody(epoch), { timeoutMs: 5000 });
      } catch (e) {
        this.logger.debug('leave heartbeat failed', { error: (e as Error).message });
      }
    }
    this.owned.clear();
    this.target.clear();
    this.bufferedBytes = 0;
    this.memberEpoch = JOIN_EPOCH;
    if (this.fetchLoop) {
      const loop = this.fetchLoop;
      this.fetchLoop = null;
      await Promise.race([loop, sleep(50)]);
    }
    for (const w of this.hbWaiters.splice(0)) w();
    this.run_ = null;
    this.emit(ConsumerEvents.STOP, {});
  }

  private crash(error: Error): void {
    if (!this.running) return;
    this.logger.error('consumer crashed', { groupId: this.groupId, error: error.message });
    this.emit(ConsumerEvents.CRASH, { error, groupId: this.groupId, restart: false });
    const w = this.joinWaiter;
    this.joinWaiter = null;
    w?.reject(error);
    if (!this.stopping) {
      this.stopping = this.stopInternal(true).finally(() => {
        this.stopping = null;
      });
    }
  }

  // =====================================================================================
  // heartbeats

  private heartbeatBody(epoch: number): ConsumerGroupHeartbeatRequest {
    const joining = epoch === JOIN_EPOCH;
    const sendSub = joining || this.subscriptionDirty;
    const assignor = this.config.serverAssignor ?? this.config.assignor ?? null;
    return {
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: epoch,
      instanceId: this.instanceId,
      rackId: this.config.rackId ?? null,
      rebalanceTimeoutMs: joining ? (this.config.rebalanceTimeout ?? DEFAULTS.rebalanceTimeout) : -1,
      sessionTimeoutMs: joining ? this.sessionTimeout : -1,
      subscribedTopicNames: sendSub ? [...this.subscription.names] : null,
      subscribedTopicRegex: sendSub ? this.regexSource() : null,
      serverAssignor: joining ? assignor : null,
      topicPartitions: epoch < 0 ? null : this.ownedTopicPartitions(),
    };
  }

  private get sessionTimeout(): number {
    return this.config.sessionTimeout ?? DEFAULTS.sessionTimeout;
  }

  /**
   * The broker matches `subscribedTopicRegex` against whole topic names; wrapping each RegExp in
   * `.*(?:…).*` keeps JavaScript's `RegExp.test` (substring) semantics, as KafkaJS users expect.
   * Flags travel as RE2 inline flags: `/x/i` becomes `.*(?i:x).*`.
   */
  private regexSource(): string | null {
    const rs = this.subscription.regexes;
    if (rs.length === 0) return null;
    return rs.map((r) => `.*(?${re2Flags(r)}:${r.source}).*`).join('|');
  }

  private ownedTopicPartitions(): Array<{ topic: string; partitions: number[] }> {
    const m = new Map<string, number[]>();
    for (const ps of this.owned.values()) {
      let a = m.get(ps.topic);
      if (!a) m.set(ps.topic, (a = []));
      a.push(ps.partition);
    }
    return [...m].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
  }

  private heartbeatNow(): void {
    if (!this.inGroup) return;
    if (this.hbInFlight) {
      this.hbAgain = true;
      return;
    }
    if (this.hbTimer) clearTimeout(this.hbTimer);
    this.hbTimer = null;
    this.startHeartbeat();
  }

  private scheduleHeartbeat(ms: number): void {
    if (!this.inGroup) return;
    if (this.hbTimer) clearTimeout(this.hbTimer);
    this.hbTimer = setTimeout(() => {
      this.hbTimer = null;
      if (this.hbInFlight) {
        this.hbAgain = true;
        return;
      }
      this.startHeartbeat();
    }, ms);
  }

  private startHeartbeat(): void {
    const p = this.doHeartbeat().then(
      (next) => {
        this.hbInFlight = null;
        if (!this.inGroup) return;
        if (this.hbAgain) {
          this.hbAgain = false;
          this.scheduleHeartbeat(0);
        } else this.scheduleHeartbeat(next);
      },
      (e: unknown) => {
        this.hbInFlight = null;
        this.logger.error('heartbeat loop error', { error: (e as Error).message });
        if (this.inGroup) this.scheduleHeartbeat(1000);
      },
    );
    this.hbInFlight = p;
  }

  /** One heartbeat; returns the delay to the next one. */
  private async doHeartbeat(): Promise<number> {
    const epoch = this.memberEpoch;
    const body = this.heartbeatBody(epoch);
    const membership = this.memberId;
    const session = this.session;
    let errorCode = 0;
    let errorMessage: string | null = null;
    let res: ConsumerGroupHeartbeatResponse | null = null;
    try {
      const timeoutMs = Math.max(1000, Math.min(this.ctx.requestTimeout, this.sessionTimeout));
      const r = await this.conn.request('ConsumerGroupHeartbeat', body, { timeoutMs });
      res = r;
      errorCode = r.errorCode;
      errorMessage = r.errorMessage;
    } catch (e) {
      if (e instanceof BrookError) {
        errorCode = e.code;
        errorMessage = e.message;
      } else {
        errorCode = ErrorCode.UNKNOWN_SERVER_ERROR;
        errorMessage = (e as Error).message;
      }
    }
    if (!this.inGroup || membership !== this.memberId || session !== this.session) return this.heartbeatIntervalMs;
    if (errorCode === 0 && res) {
      const r = res;
      this.lastHeartbeatOkAt = Date.now();
      this.hbFailures = 0;
      this.unreleasedSince = 0;
      if (body.subscribedTopicNames !== null) this.subscriptionDirty = false;
      if (r.memberId && r.memberId !== this.memberId) this.memberId = r.memberId;
      this.memberEpoch = r.memberEpoch;
      if (r.heartbeatIntervalMs > 0) this.heartbeatIntervalMs = r.heartbeatIntervalMs;
      this.emit(ConsumerEvents.HEARTBEAT, { groupId: this.groupId, memberId: this.memberId, groupGenerationId: this.memberEpoch });
      if (epoch === JOIN_EPOCH) this.announceJoin = true;
      if (r.assignment !== null) {
        const t = new Set<PartitionKey>();
        for (const tp of r.assignment) for (const p of tp.partitions) t.add(keyOf(tp.topic, p));
        this.target = t;
      }
      for (const w of this.hbWaiters.splice(0)) w();
      this.requestReconcile();
      return this.heartbeatIntervalMs;
    }
    const name = errorName(errorCode);
    switch (errorCode) {
      case ErrorCode.FENCED_MEMBER_EPOCH:
      case ErrorCode.UNKNOWN_MEMBER_ID: {
        this.logger.warn('member fenced by the broker; dropping partitions and rejoining', { groupId: this.groupId, memberId: this.memberId, error: name, reason: errorMessage });
        this.loseAll();
        this.memberEpoch = JOIN_EPOCH;
        this.subscriptionDirty = true;
        // Rejoin at once, unless the refused heartbeat was already a join.
        return epoch === JOIN_EPOCH ? this.backoff(this.hbFailures++, 2000) : 0;
      }
      case ErrorCode.UNRELEASED_INSTANCE_ID: {
        const now = Date.now();
        if (this.unreleasedSince === 0) this.unreleasedSince = now;
        if (now - this.unreleasedSince > this.sessionTimeout) {
          this.crash(new BrookError(errorCode, `instance id ${this.instanceId} is still used by another member of group ${this.groupId} (after ${this.sessionTimeout} ms): ${errorMessage ?? ''}`));
          return this.heartbeatIntervalMs;
        }
        this.logger.info('instance id not released yet; retrying', { groupId: this.groupId, instanceId: this.instanceId });
        return this.backoff(this.hbFailures++, 1000);
      }
      case ErrorCode.STALE_MEMBER_EPOCH:
        return this.backoff(this.hbFailures++, this.heartbeatIntervalMs);
      default: {
        const info = new BrookError(errorCode, errorMessage);
        if (info.retriable || errorCode === ErrorCode.REBALANCE_IN_PROGRESS) {
          this.logger.debug('heartbeat failed; retrying', { error: name, reason: errorMessage });
          if (this.memberEpoch > 0 && Date.now() - this.lastHeartbeatOkAt > this.sessionTimeout) {
            // The broker has expelled us by now: stop processing what others may own, rejoin when it answers.
            this.logger.warn('no heartbeat for a session timeout; partitions lost', { groupId: this.groupId });
            this.loseAll();
            this.memberEpoch = JOIN_EPOCH;
            this.subscriptionDirty = true;
          }
          return this.backoff(this.hbFailures++, this.heartbeatIntervalMs);
        }
        this.crash(info);
        return this.heartbeatIntervalMs;
      }
    }
  }

  private backoff(attempt: number, cap: number): number {
    const base = Math.min(100 * 2 ** Math.min(attempt, 10), Math.max(100, cap));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  /** Resolves after the next successful heartbeat (or after `ms`). */
  private nextHeartbeat(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.hbWaiters.push(done);
      this.heartbeatNow();
    });
  }

  // =====================================================================================
  // reconciliation

  private requestReconcile(): void {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return;
    }
    this.reconciling = this.reconcileLoop().finally(() => {
      this.reconciling = null;
    });
  }

  private async reconcileLoop(): Promise<void> {
    do {
      this.reconcileAgain = false;
      try {
        await this.reconcileOnce();
      } catch (e) {
        this.crash(e instanceof Error ? e : new Error(String(e)));
        return;
      }
    } while (this.reconcileAgain && this.running);
  }

  private async reconcileOnce(): Promise<void> {
    if (!this.running) return;
    if (this.pendingLost.length > 0) {
      const lost = this.pendingLost.splice(0);
      this.emit(ConsumerEvents.REBALANCING, { groupId: this.groupId, memberId: this.memberId, lost });
      await this.callListener('onPartitionsLost', lost);
    }
    if (this.memberEpoch <= 0) return;
    const target = this.target;
    const revoked = [...this.owned.keys()].filter((k) => !target.has(k));
    const added = [...target].filter((k) => !this.owned.has(k));
    if (revoked.length > 0) {
      await this.revoke(revoked);
      this.heartbeatNow();
    }
    if (added.length > 0 && this.running && this.memberEpoch > 0) {
      await this.assign(added.filter((k) => this.target.has(k) && !this.owned.has(k)));
      this.heartbeatNow();
    }
    if (revoked.length > 0 || added.length > 0) this.reconcileAgain = true;
    if ((revoked.length > 0 || added.length > 0 || this.announceJoin) && this.running && this.memberEpoch > 0) {
      this.announceJoin = false;
      const memberAssignment: { [topic: string]: number[] } = {};
      for (const tp of this.assignment()) (memberAssignment[tp.topic] ??= []).push(tp.partition);
      const payload: GroupJoinPayload = {
        groupId: this.groupId,
        memberId: this.memberId,
        memberEpoch: this.memberEpoch,
        leaderId: null,
        isLeader: false,
        groupProtocol: this.config.serverAssignor ?? this.config.assignor ?? 'uniform',
        memberAssignment,
        duration: Date.now() - this.joinStartedAt,
      };
      this.emit(ConsumerEvents.GROUP_JOIN, payload);
    }
    if (!this.joinedOnce && this.memberEpoch > 0) {
      this.joinedOnce = true;
      const w = this.joinWaiter;
      this.joinWaiter = null;
      w?.resolve();
    }
  }

  /** Revocation: stop fetching, drop buffered messages, wait for handlers, commit, callback. */
  private async revoke(keys: PartitionKey[]): Promise<void> {
    const states = keys.map((k) => this.owned.get(k)).filter((ps): ps is PartitionState => ps !== undefined);
    for (const ps of states) {
      ps.gone = true;
      ps.ready = false;
      this.dropQueue(ps);
    }
    await Promise.allSettled(states.map((ps) => ps.worker ?? Promise.resolve()));
    if (this.run_?.autoCommit && this.run_.guarantee === 'at-least-once') {
      await this.commitResolved(states).catch((e: unknown) => this.logger.warn('commit on revoke failed', { error: (e as Error).message }));
    }
    const tps = states.map((ps) => ({ topic: ps.topic, partition: ps.partition }));
    await this.callListener('onPartitionsRevoked', tps);
    for (const ps of states) if (this.owned.get(ps.key) === ps) this.owned.delete(ps.key);
    this.emit(ConsumerEvents.REBALANCING, { groupId: this.groupId, memberId: this.memberId, revoked: tps });
  }

  /** Partitions lost without a chance to commit (fenced / expelled): drop them now. */
  private loseAll(): void {
    const lost: TopicPartition[] = [];
    for (const ps of this.owned.values()) {
      ps.gone = true;
      ps.ready = false;
      ps.gen++;
      this.dropQueue(ps);
      if (ps.worker) {
        const w = ps.worker;
        this.draining.set(ps.key, w);
        void w.finally(() => {
          if (this.draining.get(ps.key) === w) this.draining.delete(ps.key);
        });
      }
      lost.push({ topic: ps.topic, partition: ps.partition });
    }
    this.owned.clear();
    this.target = new Set();
    if (lost.length > 0) {
      this.pendingLost.push(...lost);
      this.requestReconcile();
    }
  }

  /** Newly assigned partitions: committed offset (or reset), pending seeks, callback, then fetch. */
  private async assign(keys: PartitionKey[]): Promise<void> {
    if (keys.length === 0) return;
    const states: PartitionState[] = keys.map((k) => {
      const { topic, partition } = parseKey(k);
      const ps: PartitionState = {
        topic,
        partition,
        key: k,
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
      this.owned.set(k, ps);
      return ps;
    });
    await Promise.allSettled(states.map((ps) => this.draining.get(ps.key) ?? Promise.resolve()));
    const committed = await this.fetchCommitted(states);
    const toReset: PartitionState[] = [];
    for (const ps of states) {
      const c = committed.get(ps.key) ?? -1;
      ps.committed = c;
      const seek = this.pendingSeeks.get(ps.key);
      if (seek !== undefined) {
        this.pendingSeeks.delete(ps.key);
        ps.fetchOffset = seek;
        ps.resolved = seek;
      } else if (c >= 0) {
        ps.fetchOffset = c;
        ps.resolved = c;
      } else toReset.push(ps);
    }
    if (toReset.length > 0) await this.resetPositions(toReset);
    const live = states.filter((ps) => !ps.gone && this.owned.get(ps.key) === ps);
    if (live.length === 0) return;
    await this.callListener(
      'onPartitionsAssigned',
      live.map((ps) => ({ topic: ps.topic, partition: ps.partition })),
    );
    for (const ps of live) {
      if (ps.gone) continue;
      const seek = this.pendingSeeks.get(ps.key);
      if (seek !== undefined) {
        this.pendingSeeks.delete(ps.key);
        this.applySeek(ps, seek);
      }
      ps.ready = true;
    }
    this.wakeFetch();
  }

  private async fetchCommitted(states: PartitionState[]): Promise<Map<PartitionKey, number>> {
    const byTopic = new Map<string, number[]>();
    for (const ps of states) {
      let a = byTopic.get(ps.topic);
      if (!a) byTopic.set(ps.topic, (a = []));
      a.push(ps.partition);
    }
    const res = await this.withRetry('OffsetFetch', () =>
      this.conn.request('OffsetFetch', {
        groupId: this.groupId,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        requireStable: true,
      }),
    );
    if (res.errorCode !== 0) throw new BrookError(res.errorCode, res.errorMessage);
    const out = new Map<PartitionKey, number>();
    for (const t of res.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0) throw new BrookError(p.errorCode, `offset fetch ${t.topic}-${p.partition}`);
        out.set(keyOf(t.topic, p.partition), p.offset);
      }
    }
    return out;
  }

  private resetPolicy(topic: string): AutoOffsetReset {
    for (const e of this.subscription.entries) {
      if (e.fromBeginning === undefined) continue;
      const matches = typeof e.match === 'string' ? e.match === topic : new RegExp(e.match.source, re2Flags(e.match)).test(topic);
      if (matches) return e.fromBeginning ? 'earliest' : (this.config.autoOffsetReset ?? 'latest');
    }
    return this.config.autoOffsetReset ?? 'latest';
  }

  /** Positions from autoOffsetReset (ListOffsets earliest/latest); 'none' crashes with a clear error. */
  private async resetPositions(states: PartitionState[]): Promise<void> {
    const none = states.filter((ps) => this.resetPolicy(ps.topic) === 'none');
    if (none.length > 0) {
      const list = none.map((ps) => `${ps.topic}-${ps.partition}`).join(', ');
      throw new BrookError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `group ${this.groupId} has no valid committed offset for ${list} and autoOffsetReset is 'none'`,
      );
    }
    const byTopic = new Map<string, Array<{ partition: number; timestamp: number }>>();
    for (const ps of states) {
      let a = byTopic.get(ps.topic);
      if (!a) byTopic.set(ps.topic, (a = []));
      a.push({ partition: ps.partition, timestamp: this.resetPolicy(ps.topic) === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP });
    }
    const res = await this.withRetry('ListOffsets', () =>
      this.conn.request('ListOffsets', {
        isolationLevel: this.isolationLevel,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      }),
    );
    for (const t of res.topics) {
      for (const p of t.partitions) {
        const ps = states.find((s) => s.topic === t.topic && s.partition === p.partition);
        if (!ps) continue;
        if (p.errorCode !== 0) {
          // The partition may be going away (topic deleted); fetch from 0 and let the broker tell.
          this.logger.warn('list offsets failed', { topic: t.topic, partition: p.partition, error: errorName(p.errorCode) });
          ps.fetchOffset = 0;
          ps.resolved = 0;
          ps.retryAt = Date.now() + 1000;
          continue;
        }
        ps.fetchOffset = p.offset;
        ps.resolved = p.offset;
      }
    }
  }

  private get isolationLevel(): number {
    const level = this.config.isolationLevel ?? (this.config.readUncommitted ? 'read_uncommitted' : 'read_committed');
    return level === 'read_committed' ? 1 : 0;
  }

  private applySeek(ps: PartitionState, offset: number): void {
    this.dropQueue(ps);
    ps.gen++;
    ps.fetchOffset = offset;
    ps.resolved = offset;
    ps.preCommitted = -1;
    ps.retryAt = 0;
    ps.handlerFailures = 0;
    this.wakeFetch();
  }

  private dropQueue(ps: PartitionState): void {
    this.bufferedBytes -= ps.queueBytes;
    ps.queue = [];
    ps.qi = 0;
    ps.queueBytes = 0;
  }

  private async callListener(name: 'onPartitionsAssigned' | 'onPartitionsRevoked' | 'onPartitionsLost', parts: TopicPartition[]): Promise<void> {
    if (parts.length === 0) return;
    const fns: PartitionsListener[] = [];
    const a = this.config[name];
    const b = this.run_?.config[name];
    if (a) fns.push(a);
    if (b && b !== a) fns.push(b);
    for (const fn of fns) {
      try {
        await fn(parts.map((p) => ({ ...p })));
      } catch (e) {
        this.logger.error(`${name} listener threw`, { error: (e as Error).message });
      }
    }
  }

  private isPaused(ps: PartitionState): boolean {
    return this.pausedTopics.has(ps.topic) || this.pausedPartitions.has(ps.key);
  }

  // =====================================================================================
  // fetching

  private wakeFetch(): void {
    const w = this.fetchWake;
    this.fetchWake = null;
    w?.();
  }

  private waitForWake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.fetchWake = null;
        resolve();
      }, ms);
      this.fetchWake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /**
   * Partitions to put in the next Fetch. One with records still queued for its handler is fetched
   * too (from after them) while its queue is under maxBytesPerPartition: left out, its next records
   * would wait for a long poll on the other partitions (up to maxWaitTimeInMs) when only it gets
   * traffic. Like Kafka's consumer, which drains its buffer before sending the next fetch.
   */
  private fetchable(now: number): PartitionState[] {
    const out: PartitionState[] = [];
    const queueLimit = this.config.maxBytesPerPartition ?? DEFAULTS.maxBytesPerPartition;
    for (const ps of this.owned.values()) {
      if (!ps.ready || ps.gone || ps.fetchOffset < 0 || this.isPaused(ps)) continue;
      if ((ps.qi < ps.queue.length && ps.queueBytes >= queueLimit) || ps.retryAt > now) continue;
      out.push(ps);
    }
    return out;
  }

  private async fetchLoopMain(): Promise<void> {
    let failures = 0;
    const maxBytes = this.config.maxBytes ?? DEFAULTS.maxBytes;
    const session = this.session;
    const active = () => this.running && session === this.session;
    while (active()) {
      const now = Date.now();
      const parts = this.bufferedBytes >= maxBytes ? [] : this.fetchable(now);
      if (parts.length === 0) {
        await this.waitForWake(100);
        continue;
      }
      const req = this.fetchRequest(parts);
      const gens = new Map(parts.map((ps) => [ps.key, { gen: ps.gen, offset: ps.fetchOffset, ps }]));
      this.emit(ConsumerEvents.FETCH_START, {});
      const started = Date.now();
      let res: FetchResponse;
      try {
        res = await this.conn.request('Fetch', req, { timeoutMs: this.ctx.requestTimeout + req.maxWaitMs });
        failures = 0;
      } catch (e) {
        if (!active()) break;
        const err = e as BrookError;
        this.logger.debug('fetch failed', { error: err.message });
        if (err instanceof BrookError && !err.retriable && err.code !== ErrorCode.NETWORK_EXCEPTION) {
          this.logger.warn('fetch failed', { error: err.message, code: err.code });
        }
        await sleep(this.backoff(failures++, 2000));
        continue;
      }
      if (!active()) break;
      let batches = 0;
      for (const t of res.topics) {
        for (const p of t.partitions) {
          const k = keyOf(t.topic, p.partition);
          const g = gens.get(k);
          if (!g) continue;
          const ps = g.ps;
          if (this.owned.get(k) !== ps || ps.gone || ps.gen !== g.gen || ps.fetchOffset !== g.offset) continue;
          if (p.errorCode !== 0) {
            this.onFetchError(ps, p.errorCode, p.errorMessage);
            continue;
          }
          ps.highWatermark = p.highWatermark;
          if (p.records.length === 0) continue;
          let decoded;
          try {
            decoded = decodeFetched(p.records, ps.fetchOffset, this.isolationLevel === 1, p.abortedTransactions);
          } catch (e) {
            this.logger.error('corrupt fetch data', { topic: t.topic, partition: p.partition, error: (e as Error).message });
            ps.retryAt = Date.now() + 1000;
            continue;
          }
          ps.fetchOffset = decoded.nextOffset;
          if (decoded.messages.length > 0) {
            batches++;
            let bytes = 0;
            for (const m of decoded.messages) bytes += m.message.size;
            ps.queue = ps.qi < ps.queue.length ? ps.queue.slice(ps.qi).concat(decoded.messages) : decoded.messages;
            ps.qi = 0;
            this.bufferedBytes += bytes;
            ps.queueBytes += bytes;
          }
        }
      }
      this.emit(ConsumerEvents.FETCH, { numberOfBatches: batches, duration: Date.now() - started });
      this.schedule();
    }
  }

  private fetchRequest(parts: PartitionState[]): FetchRequest {
    const perPartition = this.config.maxBytesPerPartition ?? DEFAULTS.maxBytesPerPartition;
    const byTopic = new Map<string, Array<{ partition: number; fetchOffset: number; partitionMaxBytes: number }>>();
    for (const ps of parts) {
      let a = byTopic.get(ps.topic);
      if (!a) byTopic.set(ps.topic, (a = []));
      a.push({ partition: ps.partition, fetchOffset: ps.fetchOffset, partitionMaxBytes: perPartition });
    }
    return {
      maxWaitMs: this.config.maxWaitTimeInMs ?? DEFAULTS.maxWaitTimeInMs,
      minBytes: this.config.minBytes ?? DEFAULTS.minBytes,
      maxBytes: this.config.maxBytes ?? DEFAULTS.maxBytes,
      isolationLevel: this.isolationLevel,
      topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    };
  }

  private onFetchError(ps: PartitionState, code: number, message: string | null): void {
    if (code === ErrorCode.OFFSET_OUT_OF_RANGE) {
      const policy = this.resetPolicy(ps.topic);
      this.logger.warn('offset out of range; resetting', { topic: ps.topic, partition: ps.partition, offset: ps.fetchOffset, policy });
      if (policy === 'none') {
        this.crash(new BrookError(code, `offset ${ps.fetchOffset} is out of range for ${ps.topic}-${ps.partition} and autoOffsetReset is 'none'`));
        return;
      }
      ps.ready = false;
      const gen = ++ps.gen;
      this.resetPositions([ps])
        .catch((e: unknown) => {
          this.logger.warn('offset reset failed', { error: (e as Error).message });
          ps.retryAt = Date.now() + 1000;
        })
        .finally(() => {
          if (ps.gen === gen && !ps.gone) ps.ready = true;
          this.wakeFetch();
        });
      return;
    }
    this.logger.debug('fetch partition error', { topic: ps.topic, partition: ps.partition, error: errorName(code), message });
    ps.retryAt = Date.now() + (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? 1000 : 300);
  }

  // =====================================================================================
  // processing

  /** Starts workers for partitions with buffered messages, up to partitionsConsumedConcurrently. */
  private schedule(): void {
    const run = this.run_;
    if (!run || !this.running) return;
    const now = Date.now();
    const list = [...this.owned.values()];
    let soonest = Infinity;
    const start = this.rr;
    for (let i = 0; i < list.length && this.activeWorkers < run.concurrency; i++) {
      const ps = list[(start + i) % list.length]!;
      if (ps.worker || ps.gone || !ps.ready || ps.qi >= ps.queue.length || this.isPaused(ps)) continue;
      if (ps.retryAt > now) {
        soonest = Math.min(soonest, ps.retryAt);
        continue;
      }
      this.rr = (start + i + 1) % list.length;
      this.activeWorkers++;
      const w = this.work(ps, run)
        .catch((e: unknown) => this.logger.error('partition worker failed', { topic: ps.topic, partition: ps.partition, error: (e as Error).message }))
        .finally(() => {
        ps.worker = null;
        this.activeWorkers--;
        this.schedule();
        this.wakeFetch();
      });
      ps.worker = w;
    }
    if (soonest !== Infinity && !this.scheduleTimer) {
      this.scheduleTimer = setTimeout(() => {
        this.scheduleTimer = null;
        this.schedule();
        this.wakeFetch();
      }, Math.max(0, soonest - now));
    }
  }

  private live(ps: PartitionState, gen: number): boolean {
    return this.running && !ps.gone && ps.gen === gen && this.owned.get(ps.key) === ps;
  }

  private async work(ps: PartitionState, run: RunState): Promise<void> {
    const gen = ps.gen;
    if (run.guarantee === 'at-most-once') {
      const end = ps.queue[ps.queue.length - 1]!.offset + 1;
      if (ps.preCommitted < end) {
        const ok = await this.preCommit(ps, end);
        if (!ok || !this.live(ps, gen)) return;
      }
    }
    if (run.config.eachBatch) await this.workBatch(ps, run, gen, run.config.eachBatch);
    else if (run.config.eachMessage) await this.workMessages(ps, run, gen, run.config.eachMessage);
  }

  /**
   * At-most-once: records at or past this offset were not committed before processing. They were
   * fetched while the worker ran (the next Fetch includes a busy partition), and wait for the next
   * worker, which commits them first.
   */
  private processLimit(ps: PartitionState, run: RunState): number {
    return run.guarantee === 'at-most-once' ? ps.preCommitted : Infinity;
  }

  private consume(ps: PartitionState, n: number): void {
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

  private pauseFn(ps: PartitionState): () => () => void {
    return () => {
      this.pause([{ topic: ps.topic, partitions: [ps.partition] }]);
      return () => this.resume([{ topic: ps.topic, partitions: [ps.partition] }]);
    };
  }

  private async workMessages(ps: PartitionState, run: RunState, gen: number, handler: (p: EachMessagePayload) => Promise<void> | void): Promise<void> {
    const pause = this.pauseFn(ps);
    const heartbeat = () => Promise.resolve();
    const limit = this.processLimit(ps, run);
    while (this.live(ps, gen) && ps.qi < ps.queue.length && !this.isPaused(ps)) {
      const m = ps.queue[ps.qi]!;
      if (m.offset >= limit) return;
      try {
        await handler({ topic: ps.topic, partition: ps.partition, message: m.message, heartbeat, pause });
      } catch (e) {
        if (!this.live(ps, gen)) return;
        this.onHandlerError(ps, run, e, m.offset);
        if (run.guarantee === 'at-most-once') {
          // Never process twice: skip the failed message.
          this.consume(ps, 1);
          continue;
        }
        return;
      }
      ps.handlerFailures = 0;
      // Processed: count it unless a seek moved the position meanwhile (a revocation still commits it).
      if (ps.gen === gen && this.owned.get(ps.key) === ps) {
        ps.resolved = m.offset + 1;
        ps.uncommittedCount++;
      }
      if (!this.live(ps, gen)) return;
      this.consume(ps, 1);
      this.maybeCommitThreshold(run);
    }
  }

  private async workBatch(ps: PartitionState, run: RunState, gen: number, handler: (p: EachBatchPayload) => Promise<void> | void): Promise<void> {
    if (this.isPaused(ps)) return;
    const limit = this.processLimit(ps, run);
    let n = ps.qi;
    while (n < ps.queue.length && ps.queue[n]!.offset < limit) n++;
    const msgs = ps.queue.slice(ps.qi, n);
    if (msgs.length === 0) return;
    const hw = ps.highWatermark;
    const messages = msgs.map((m) => m.message);
    const first = msgs[0]!.offset;
    const last = msgs[msgs.length - 1]!.offset;
    const batch: Batch = {
      topic: ps.topic,
      partition: ps.partition,
      highWatermark: String(hw),
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => (messages.length > 0 ? String(first) : null),
      lastOffset: () => (messages.length > 0 ? String(last) : String(hw - 1)),
      offsetLag: () => String(Math.max(0, hw - 1 - last)),
      offsetLagLow: () => String(Math.max(0, hw - 1 - first)),
    };
    const startResolved = ps.resolved;
    const resolveOffset = (offset: string) => {
      const o = parseOffset(offset);
      if (ps.gen !== gen || this.owned.get(ps.key) !== ps) return;
      if (o + 1 > ps.resolved) {
        ps.uncommittedCount += o + 1 - Math.max(ps.resolved, first);
        ps.resolved = o + 1;
      }
    };
    const payload: EachBatchPayload = {
      batch,
      resolveOffset,
      heartbeat: () => Promise.resolve(),
      commitOffsetsIfNecessary: async (offsets?: OffsetsByTopicPartition) => {
        if (offsets) {
          const entries = offsets.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: parseOffset(p.offset) })));
          await this.sendCommit(entries, true);
          return;
        }
        if (run.autoCommit) await this.commitResolved([...this.owned.values()]);
      },
      uncommittedOffsets: () => this.uncommittedOffsets(),
      isRunning: () => this.running,
      isStale: () => !this.live(ps, gen),
      pause: this.pauseFn(ps),
    };
    this.emit(ConsumerEvents.START_BATCH_PROCESS, { topic: ps.topic, partition: ps.partition, highWatermark: batch.highWatermark, offsetLag: batch.offsetLag(), batchSize: messages.length, firstOffset: batch.firstOffset(), lastOffset: batch.lastOffset() });
    const started = Date.now();
    try {
      await handler(payload);
    } catch (e) {
      if (!this.live(ps, gen)) return;
      this.onHandlerError(ps, run, e, Math.max(ps.resolved, first));
      // Keep unresolved messages buffered: the retry starts from the first unprocessed one.
      const done = ps.resolved - startResolved > 0 ? msgs.filter((m) => m.offset < ps.resolved).length : 0;
      this.consume(ps, run.guarantee === 'at-most-once' ? msgs.length : done);
      return;
    }
    ps.handlerFailures = 0;
    if (run.config.eachBatchAutoResolve ?? true) resolveOffset(String(last));
    if (!this.live(ps, gen)) return;
    // As in KafkaJS, the position moves past the batch; resolved offsets only decide what is committed.
    this.consume(ps, msgs.length);
    this.emit(ConsumerEvents.END_BATCH_PROCESS, { topic: ps.topic, partition: ps.partition, highWatermark: batch.highWatermark, offsetLag: batch.offsetLag(), batchSize: messages.length, firstOffset: batch.firstOffset(), lastOffset: batch.lastOffset(), duration: Date.now() - started });
    this.maybeCommitThreshold(run);
  }

  private onHandlerError(ps: PartitionState, run: RunState, e: unknown, offset: number): void {
    const err = e instanceof Error ? e : new Error(String(e));
    const delay = Math.min(HANDLER_RETRY_MS * 2 ** Math.min(ps.handlerFailures, 10), HANDLER_RETRY_MAX_MS);
    ps.handlerFailures++;
    this.logger.error(run.guarantee === 'at-most-once' ? 'handler failed; skipping (at-most-once)' : `handler failed; retrying in ${delay} ms`, {
      topic: ps.topic,
      partition: ps.partition,
      offset: String(offset),
      error: err.message,
    });
    if (run.guarantee === 'at-least-once') ps.retryAt = Date.now() + delay;
  }

  private uncommittedOffsets(): OffsetsByTopicPartition {
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const ps of this.owned.values()) {
      if (ps.resolved < 0 || ps.resolved <= ps.committed) continue;
      let a = byTopic.get(ps.topic);
      if (!a) byTopic.set(ps.topic, (a = []));
      a.push({ partition: ps.partition, offset: String(ps.resolved) });
    }
    return { topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) };
  }

  // =====================================================================================
  // commits

  private maybeCommitThreshold(run: RunState): void {
    if (!run.autoCommit || run.guarantee !== 'at-least-once' || run.autoCommitThreshold === null) return;
    let n = 0;
    for (const ps of this.owned.values()) n += ps.uncommittedCount;
    if (n >= run.autoCommitThreshold) void this.autoCommit(true);
  }

  private async autoCommit(force: boolean): Promise<void> {
    const run = this.run_;
    if (!run || !run.autoCommit || run.guarantee !== 'at-least-once') return;
    if (!force && (run.autoCommitInterval === null || Date.now() - this.lastCommitAt < run.autoCommitInterval)) return;
    this.lastCommitAt = Date.now();
    try {
      await this.commitResolved([...this.owned.values()]);
    } catch (e) {
      this.logger.warn('auto commit failed', { error: (e as Error).message });
    }
  }

  private async commitResolved(states: PartitionState[]): Promise<void> {
    const entries = states
      .filter((ps) => ps.resolved >= 0 && ps.resolved > ps.committed)
      .map((ps) => ({ topic: ps.topic, partition: ps.partition, offset: ps.resolved }));
    for (const ps of states) ps.uncommittedCount = 0;
    if (entries.length === 0) return;
    await this.sendCommit(entries, false);
  }

  /** At-most-once: commit a buffered chunk's end before handing it out. False: do not process it. */
  private async preCommit(ps: PartitionState, end: number): Promise<boolean> {
    try {
      const ok = await this.sendCommit([{ topic: ps.topic, partition: ps.partition, offset: end }], false);
      if (ok.has(ps.key)) {
        ps.preCommitted = end;
        return true;
      }
    } catch (e) {
      this.logger.warn('at-most-once commit failed', { error: (e as Error).message });
    }
    // Not committed: do not process (that could process twice); retry later unless the partition is gone.
    ps.retryAt = Date.now() + 500;
    return false;
  }

  /**
   * Serialized OffsetCommit with member id and epoch. STALE_MEMBER_EPOCH waits for the next
   * heartbeat and retries; partitions no longer owned are dropped. `strict` (manual commits)
   * throws on refusals. Resolves with the keys that were committed.
   */
  private sendCommit(entries: Array<{ topic: string; partition: number; offset: number }>, strict: boolean): Promise<Set<PartitionKey>> {
    const p = this.commitChain.catch(() => {}).then(() => this.commitNow(entries, strict));
    this.commitChain = p;
    return p;
  }

  private async commitNow(entries: Array<{ topic: string; partition: number; offset: number }>, strict: boolean): Promise<Set<PartitionKey>> {
    const done = new Set<PartitionKey>();
    let pending = entries;
    let refusal: BrookError | null = null;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > Math.max(5, this.ctx.retries)) {
        throw refusal ?? new BrookError(ErrorCode.REQUEST_TIMED_OUT, `commit of ${pending.length} offsets did not succeed after ${attempt} attempts`);
      }
      const member = this.inGroup && this.memberEpoch > 0;
      const byTopic = new Map<string, Array<{ partition: number; offset: number; metadata: null }>>();
      for (const e of pending) {
        let a = byTopic.get(e.topic);
        if (!a) byTopic.set(e.topic, (a = []));
        a.push({ partition: e.partition, offset: e.offset, metadata: null });
      }
      let res;
      try {
        res = await this.conn.request('OffsetCommit', {
          groupId: this.groupId,
          memberId: member ? this.memberId : null,
          memberEpoch: member ? this.memberEpoch : -1,
          topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        });
      } catch (e) {
        if (e instanceof BrookError && e.retriable && this.connected) {
          await sleep(this.backoff(attempt, 2000));
          continue;
        }
        throw e;
      }
      const retry: typeof pending = [];
      let stale = false;
      const committed: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> = [];
      for (const t of res.topics) {
        const ok: Array<{ partition: number; offset: string }> = [];
        for (const p of t.partitions) {
          const e = pending.find((x) => x.topic === t.topic && x.partition === p.partition);
          if (!e) continue;
          const k = keyOf(t.topic, p.partition);
          if (p.errorCode === 0) {
            done.add(k);
            ok.push({ partition: p.partition, offset: String(e.offset) });
            const ps = this.owned.get(k);
            if (ps && e.offset > ps.committed) ps.committed = e.offset;
            continue;
          }
          const err = new BrookError(p.errorCode, p.errorMessage);
          if (p.errorCode === ErrorCode.STALE_MEMBER_EPOCH) {
            stale = true;
            retry.push(e);
          } else if (
            p.errorCode === ErrorCode.NOT_PARTITION_OWNER ||
            p.errorCode === ErrorCode.UNKNOWN_MEMBER_ID ||
            p.errorCode === ErrorCode.FENCED_MEMBER_EPOCH ||
            p.errorCode === ErrorCode.ILLEGAL_GENERATION
          ) {
            this.logger.warn('commit refused: partition no longer owned', { topic: t.topic, partition: p.partition, error: err.type, reason: err.message });
            refusal ??= err;
          } else if (err.retriable) {
            retry.push(e);
          } else {
            this.logger.error('commit failed', { topic: t.topic, partition: p.partition, error: err.type, reason: err.message });
            refusal ??= err;
          }
        }
        if (ok.length > 0) committed.push({ topic: t.topic, partitions: ok });
      }
      if (committed.length > 0) {
        this.emit(ConsumerEvents.COMMIT_OFFSETS, { groupId: this.groupId, memberId: this.memberId, groupGenerationId: this.memberEpoch, topics: committed });
      }
      pending = retry;
      if (pending.length === 0) break;
      if (stale && this.inGroup) await this.nextHeartbeat(Math.min(this.sessionTimeout, 5000));
      else await sleep(this.backoff(attempt, 1000));
    }
    if (strict && refusal) throw refusal;
    return done;
  }

  private async withRetry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof BrookError) || !e.retriable || attempt >= Math.max(5, this.ctx.retries) || !this.running) throw e;
        this.logger.debug(`${what} failed; retrying`, { error: e.message });
        await sleep(this.backoff(attempt, 2000));
      }
    }
  }
}

function parseOffset(o: string | number | bigint): number {
  const n = typeof o === 'string' ? Number(o.trim()) : Number(o);
  if (!Number.isSafeInteger(n) || n < 0 || (typeof o === 'string' && o.trim() === '')) {
    throw new BrookError(ErrorCode.INVALID_REQUEST, `invalid offset ${String(o)}: a non-negative integer (decimal string)`);
  }
  return n;
}

function errorName(code: number): string {
  return new BrookError(code).type;
}

function newMemberId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  // Fallback for old runtimes: a random v4-shaped id.
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(Math.random() * 4)).toString(16)}${hex(3)}-${hex(12)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A RegExp's flags as RE2 inline flags (the broker matches with RE2, as Kafka): i, m and s carry
 * over; d, g and u change nothing for a subscription; y and v have no RE2 form and are refused.
 */
function re2Flags(r: RegExp): string {
  const unsupported = [...r.flags].filter((f) => !'imsdgu'.includes(f));
  if (unsupported.length > 0) {
    throw new BrookError(ErrorCode.INVALID_REGULAR_EXPRESSION, `RegExp ${String(r)}: flag ${unsupported.join(', ')} cannot be sent to the broker (its RE2 engine supports i, m and s)`);
  }
  return [...r.flags].filter((f) => 'ims'.includes(f)).join('');
}
