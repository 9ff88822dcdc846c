/**
 * The group consumer: a thin KIP-848 client. The broker computes assignments; this side runs a
 * heartbeat loop on its own timer (a slow handler never delays it), reconciles the assignment the
 * broker sends (revoke before assign: stop fetching, finish in-flight handlers, commit, callback,
 * report), fetches with one long poll over every owned partition, and processes each partition in
 * order, different partitions possibly in parallel.
 *
 * This file holds the public API and the lifecycle (run, stop, crash) and wires the parts:
 * membership.ts (heartbeats), reconciler.ts (revoke/assign/lose), positions.ts (committed offsets,
 * resets, seeks), fetchLoop.ts, processor.ts (handlers), committer.ts, pauseState.ts,
 * missingTopics.ts (warns of subscribed topics that do not exist).
 */
import { BrookError, ErrorCode, type DescribedGroup } from '@brook/protocol';
import { openCluster, type ClientContext } from '../context.js';
import type { Cluster } from '../transport/types.js';
import type { Logger } from '../logger.js';
import { sleep } from '../util/time.js';
import { Committer } from './committer.js';
import { ConsumerEventEmitter, type Listener } from './events.js';
import { FetchLoop } from './fetchLoop.js';
import { Membership } from './membership.js';
import { MissingTopics } from './missingTopics.js';
import { OwnedPartitions, parseOffset } from './partitions.js';
import { PauseState } from './pauseState.js';
import { Positions } from './positions.js';
import { Processor } from './processor.js';
import { Reconciler, type RebalanceListenerName } from './reconciler.js';
import { autoCommits, isolationLevelOf, runStateOf, sessionTimeoutOf, type RunState } from './settings.js';
import { Subscription } from './subscription.js';
import {
  ConsumerEvents,
  type ConsumerConfig,
  type ConsumerEventName,
  type ConsumerRunConfig,
  type ConsumerSubscribeTopic,
  type ConsumerSubscribeTopics,
  type PartitionsListener,
  type TopicPartition,
  type TopicPartitionOffset,
  type TopicPartitions,
  type TopicPartitionsSelector,
} from './types.js';

export * from './types.js';

export class Consumer {
  readonly events = ConsumerEvents;

  private readonly ctx: ClientContext;
  private readonly config: ConsumerConfig;
  private readonly logger: Logger;
  private readonly cluster: Cluster;
  private readonly groupId: string;

  private runState: RunState | null = null;
  /** True from run() until stop/disconnect/crash. */
  private running = false;
  private stopping: Promise<void> | null = null;
  /** Bumped by every run and stop: a fetch loop of an earlier run ends. */
  private session = 0;
  private connected = false;
  private joinWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private fetchLoopDone: Promise<void> | null = null;

  private readonly emitter: ConsumerEventEmitter;
  private readonly subscription = new Subscription();
  private readonly owned = new OwnedPartitions();
  private readonly pauseState: PauseState;
  private readonly membership: Membership;
  private readonly reconciler: Reconciler;
  private readonly positions: Positions;
  private readonly fetcher: FetchLoop;
  private readonly processor: Processor;
  private readonly committer: Committer;

  constructor(ctx: ClientContext, config: ConsumerConfig) {
    if (!config || typeof config.groupId !== 'string' || config.groupId.length === 0) {
      throw new BrookError(ErrorCode.INVALID_GROUP_ID, 'consumer needs a groupId');
    }
    this.ctx = ctx;
    this.config = config;
    this.groupId = config.groupId;
    this.logger = ctx.logger.namespace('Consumer');
    this.emitter = new ConsumerEventEmitter(this.logger);
    const { emit } = this.emitter;
    const { logger, owned, groupId } = this;
    const isRunning = () => this.running;
    const crash = (e: Error) => this.crash(e);
    const wakeFetch = () => this.fetcher.wake();
    const isolationLevel = isolationLevelOf(config);

    this.pauseState = new PauseState(() => owned.values());
    const missingTopics = new MissingTopics({
      groupId,
      describeTopics: (topics) => this.cluster.request('Metadata', { topics }),
      emit,
      logger,
    });
    this.membership = new Membership({
      groupId,
      config,
      sendHeartbeat: (body, timeoutMs) => this.cluster.request('ConsumerGroupHeartbeat', body, { timeoutMs }),
      connected: () => this.cluster.isConnected,
      requestTimeout: ctx.requestTimeout,
      subscription: this.subscription,
      ownedTopicPartitions: () => owned.byTopic(),
      emit,
      logger,
      onAccepted: (joined, assignment) => this.reconciler.accept(joined, assignment),
      onSubscriptionAccepted: (names) => void missingTopics.check(names),
      requestReconcile: () => this.reconciler.requestReconcile(),
      loseAll: () => this.reconciler.loseAll(),
      crash,
    });
    const member = () => this.membership;
    this.committer = new Committer({
      groupId,
      sendOffsetCommit: (body) => this.cluster.request('OffsetCommit', body),
      member,
      nextHeartbeat: (ms) => this.membership.nextHeartbeat(ms),
      connected: () => this.connected,
      owned,
      run: () => this.runState,
      emit,
      logger,
      retries: ctx.retries,
      sessionTimeout: sessionTimeoutOf(config),
    });
    this.positions = new Positions({
      groupId,
      lookups: {
        offsetFetch: (body) => this.cluster.request('OffsetFetch', body),
        listOffsets: (body) => this.cluster.request('ListOffsets', body),
      },
      resetPolicy: (topic) => this.subscription.resetPolicy(topic, config.autoOffsetReset ?? 'latest'),
      isolationLevel,
      owned,
      wakeFetch,
      isRunning,
      retries: ctx.retries,
      crash,
      logger,
    });
    this.reconciler = new Reconciler({
      groupId,
      groupProtocol: config.serverAssignor ?? config.assignor ?? 'uniform',
      owned,
      member,
      heartbeatNow: () => this.membership.heartbeatNow(),
      positions: this.positions,
      commitRevoked: async (states) => {
        if (!autoCommits(this.runState)) return;
        await this.committer.commitResolved(states).catch((e: unknown) => logger.warn('commit on revoke failed', { error: (e as Error).message }));
      },
      listeners: (name) => this.rebalanceListeners(name),
      isRunning,
      wakeFetch,
      onJoined: () => {
        const w = this.joinWaiter;
        this.joinWaiter = null;
        w?.resolve();
      },
      crash,
      emit,
      logger,
    });
    this.processor = new Processor({
      owned,
      paused: this.pauseState,
      committer: this.committer,
      run: () => this.runState,
      isRunning,
      pause: (s) => this.pause(s),
      resume: (s) => this.resume(s),
      wakeFetch,
      emit,
      logger,
    });
    this.fetcher = new FetchLoop({
      config,
      isolationLevel,
      requestTimeout: ctx.requestTimeout,
      sendFetch: (body, timeoutMs) => this.cluster.request('Fetch', body, { timeoutMs }),
      leaderOf: (topic, partition) => this.cluster.leaderOf(topic, partition),
      owned,
      paused: this.pauseState,
      positions: this.positions,
      schedule: () => this.processor.schedule(),
      crash,
      emit,
      logger,
    });
    this.cluster = openCluster(ctx, {
      onHeartbeatNow: (p) => {
        if (p.groupId === this.groupId && (p.memberId === this.membership.memberId || p.memberId === '')) this.membership.heartbeatNow();
      },
      onReconnect: () => {
        this.logger.debug('reconnected; heartbeating at once', { groupId: this.groupId, memberId: this.membership.memberId });
        this.membership.heartbeatNow();
      },
    });
  }

  // =====================================================================================
  // public API

  async connect(): Promise<void> {
    await this.cluster.connect();
    this.connected = true;
    let members = this.ctx.groupMembers.get(this.groupId);
    if (!members) this.ctx.groupMembers.set(this.groupId, (members = new Set()));
    members.add(this);
    this.emitter.emit(ConsumerEvents.CONNECT, {});
  }

  /** Stops consuming, lets in-flight handlers finish, commits, leaves the group at once, closes. */
  async disconnect(): Promise<void> {
    await this.stop();
    const members = this.ctx.groupMembers.get(this.groupId);
    members?.delete(this);
    if (members?.size === 0) this.ctx.groupMembers.delete(this.groupId);
    if (this.connected) {
      this.connected = false;
      await this.cluster.close();
      this.emitter.emit(ConsumerEvents.DISCONNECT, {});
    }
  }

  /**
   * Adds topics (names or RegExps) to the subscription; several calls accumulate. A name that does
   * not exist is waited for, and reported once (warn log, MISSING_TOPICS) after the next heartbeat.
   */
  async subscribe(sub: ConsumerSubscribeTopics | ConsumerSubscribeTopic, fromBeginning?: boolean): Promise<void> {
    const topics: Array<string | RegExp> =
      sub && 'topics' in sub && Array.isArray(sub.topics)
        ? sub.topics
        : sub && 'topic' in sub && sub.topic !== undefined
          ? [sub.topic]
          : [];
    if (topics.length === 0) throw new BrookError(ErrorCode.INVALID_REQUEST, 'subscribe needs { topics: [...] } or { topic }');
    this.subscription.add(topics, sub.fromBeginning ?? fromBeginning);
    if (this.running) this.membership.heartbeatNow();
  }

  /** Joins the group and starts consuming; resolves once the member has joined (it does not wait for the consumer to stop). */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    if (this.running) throw new BrookError(ErrorCode.INVALID_REQUEST, 'consumer is already running');
    if (this.stopping) await this.stopping;
    if (!config.eachMessage && !config.eachBatch) throw new BrookError(ErrorCode.INVALID_REQUEST, 'run needs eachMessage or eachBatch');
    if (this.subscription.isEmpty) {
      throw new BrookError(ErrorCode.INVALID_REQUEST, 'subscribe to at least one topic before run');
    }
    const guarantee = config.deliveryGuarantee ?? 'at-least-once';
    if (guarantee !== 'at-least-once' && guarantee !== 'at-most-once') {
      throw new BrookError(ErrorCode.INVALID_REQUEST, `deliveryGuarantee must be 'at-least-once' or 'at-most-once'`);
    }
    if (!this.connected) await this.connect();
    this.runState = runStateOf(config, guarantee);
    this.running = true;
    const session = ++this.session;
    this.membership.join();
    this.reconciler.begin();
    const joined = new Promise<void>((resolve, reject) => {
      this.joinWaiter = { resolve, reject };
    });
    this.membership.heartbeatNow();
    this.fetchLoopDone = this.fetcher.run(() => this.running && session === this.session);
    this.committer.start();
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
    await this.committer.commit(entries, true);
  }

  /** Moves a partition's position; applied when the partition is assigned if it is not owned yet. */
  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    this.positions.seek(topic, partition, parseOffset(offset));
  }

  pause(topics: TopicPartitionsSelector[]): void {
    this.pauseState.pause(topics);
  }

  resume(topics: TopicPartitionsSelector[]): void {
    this.pauseState.resume(topics);
    this.processor.schedule();
    this.fetcher.wake();
  }

  /** The paused topic-partitions. */
  paused(): TopicPartitions[] {
    return this.pauseState.paused();
  }

  /** The partitions this member owns now. */
  assignment(): TopicPartition[] {
    return this.owned.assignment();
  }

  /** The broker's view of this group: members, epochs, assignments. */
  async describeGroup(): Promise<DescribedGroup> {
    const res = await this.cluster.request('ConsumerGroupDescribe', { groupIds: [this.groupId] });
    const g = res.groups[0];
    if (!g) throw new BrookError(ErrorCode.GROUP_ID_NOT_FOUND, `group ${this.groupId} not described`);
    if (g.errorCode !== 0) throw new BrookError(g.errorCode, g.errorMessage);
    return g;
  }

  /** This member's identity in the group (the member id is a client-generated UUID). */
  groupMetadata(): { groupId: string; memberId: string; memberEpoch: number; groupInstanceId: string | null } {
    const { memberId, memberEpoch, instanceId } = this.membership;
    return { groupId: this.groupId, memberId, memberEpoch, groupInstanceId: instanceId };
  }

  /** Subscribes to an event (also KafkaJS's 'consumer.*' names); returns a function that unsubscribes. */
  on(event: ConsumerEventName | string, listener: Listener): () => void {
    return this.emitter.on(event, listener);
  }

  // =====================================================================================
  // lifecycle

  /** The configured listener first, then the run's (if it is another function). */
  private rebalanceListeners(name: RebalanceListenerName): PartitionsListener[] {
    const fns: PartitionsListener[] = [];
    const a = this.config[name];
    const b = this.runState?.config[name];
    if (a) fns.push(a);
    if (b && b !== a) fns.push(b);
    return fns;
  }

  private async stopInternal(leave: boolean): Promise<void> {
    this.running = false;
    const jw = this.joinWaiter;
    this.joinWaiter = null;
    // Stopped (e.g. by its handler) after the broker let it in but before GROUP_JOIN: run() succeeded.
    if (this.membership.memberEpoch > 0) jw?.resolve();
    else jw?.reject(new BrookError(ErrorCode.INVALID_REQUEST, 'consumer stopped before it joined the group'));
    this.committer.stopTimer();
    this.processor.stop();
    this.fetcher.wake();
    // Drop what is buffered; let in-flight handlers finish.
    for (const ps of this.owned.values()) this.owned.dropQueue(ps);
    await Promise.allSettled([...this.owned.values()].map((ps) => ps.worker ?? Promise.resolve()));
    await this.reconciler.idle();
    if (this.membership.memberEpoch > 0 && autoCommits(this.runState)) {
      await this.committer.autoCommit(true).catch((e: unknown) => this.logger.warn('final commit failed', { error: (e as Error).message }));
    }
    await this.committer.settled();
    const owned = this.owned.assignment();
    for (const ps of this.owned.values()) ps.gone = true;
    if (owned.length > 0 && this.membership.memberEpoch > 0) {
      await this.reconciler.callListener('onPartitionsRevoked', owned);
    }
    // Leave the group at once.
    await this.membership.leave(leave);
    this.session++;
    this.owned.clear();
    this.owned.bufferedBytes = 0;
    this.reconciler.clearTarget();
    if (this.fetchLoopDone) {
      const loop = this.fetchLoopDone;
      this.fetchLoopDone = null;
      await Promise.race([loop, sleep(50)]);
    }
    this.membership.releaseWaiters();
    this.runState = null;
    this.emitter.emit(ConsumerEvents.STOP, {});
  }

  private crash(error: Error): void {
    if (!this.running) return;
    this.logger.error('consumer crashed', { groupId: this.groupId, error: error.message });
    this.emitter.emit(ConsumerEvents.CRASH, { error, groupId: this.groupId, restart: false });
    const w = this.joinWaiter;
    this.joinWaiter = null;
    w?.reject(error);
    if (!this.stopping) {
      this.stopping = this.stopInternal(true).finally(() => {
        this.stopping = null;
      });
    }
  }
}
