/**
 * startBroker: opens the log, replays committed offsets and groups, and serves everything on one
 * port: the WebSocket protocol at /ws, the admin API, /health, /metrics, /docs.
 */
import { setMaxListeners } from 'node:events';
import { AnswerMemory, RequestMemory } from './services/answerMemory.js';
import { BatchChecks } from './services/batchChecks.js';
import { createSecureContext } from 'node:tls';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import websocket from '@fastify/websocket';
import { pino, type Logger } from 'pino';
import { encodeHeartbeatNow } from '@brook/protocol';
import { defaultOptions, type BrokerOptions } from './config.js';
import type { Storage } from './log/storage.js';
import { openDataDir, StartupError } from './dataDir.js';
import { TopicManager } from './log/topicManager.js';
import { OffsetStore } from './offsets/offsetStore.js';
import { GroupCoordinator } from './groups/index.js';
import { ClassicGroupCoordinator } from './groups/classic/index.js';
import { TransactionCoordinator } from './txn/coordinator.js';
import { createHandlers } from './api/index.js';
import type { BrokerContext } from './api/types.js';
import { ClientConnection } from './transport/clientConnection.js';
import { registerAdmin } from './admin/plugin.js';
import { consolePlugin } from './console/plugin.js';
import { frameworkErrors, installErrorHandler } from './admin/errors.js';
import { BrokerMetrics } from './metrics.js';
import { Authorizer, can, type AuthConfig } from './auth/authorizer.js';
import { cleanupGroups, groupHasMembers, groupLagRows, listAllGroups } from './services/groups.js';
import { validateGroupCommit } from './services/offsetCommits.js';
import { ClusterIdentity } from './services/cluster.js';
import { KafkaListener } from './transport/kafka/listener.js';
import { OriginPolicy } from './transport/originPolicy.js';

export interface Broker {
  /** The WebSocket URL clients connect to: ws://host:port/ws */
  readonly url: string;
  readonly httpUrl: string;
  readonly host: string;
  readonly port: number;
  /** The Kafka listener's `host:port` (the advertised host); null when it is off. */
  readonly kafkaAddress: string | null;
  readonly logger: Logger;
  readonly context: BrokerContext;
  close(): Promise<void>;
}

/** `auth` gives principals and ACLs inline (tests, embedding); `authFile` reads them from JSON. */
export type StartOptions = Partial<BrokerOptions> & { logger?: Logger; auth?: AuthConfig };

export async function startBroker(opts: StartOptions = {}): Promise<Broker> {
  const options: BrokerOptions = { ...defaultOptions, ...stripUndefined(opts) };
  if (options.tls) createSecureContext(options.tls); // a bad certificate or key fails here, before anything is opened
  const logger =
    opts.logger ??
    pino(
      options.prettyLogs
        ? { level: options.logLevel, transport: { target: 'pino-pretty', options: { colorize: true } } }
        : { level: options.logLevel },
    );
  const auth = opts.auth ? new Authorizer(opts.auth) : options.authFile ? Authorizer.fromFile(options.authFile) : null;
  if (!auth && !['127.0.0.1', 'localhost', '::1'].includes(options.host)) {
    logger.warn(
      { host: options.host },
      'AUTHENTICATION IS OFF on a non-loopback address: anyone who can reach this port can read, write and delete everything. Set BROOK_AUTH_FILE (see server/README.md).',
    );
  }
  const started = Date.now();
  const dataDir = await openDataDir(options.dataDir, { flushIntervalMs: options.logFlushIntervalMs });
  try {
    return await serve(options, logger, auth, dataDir.storage, started);
  } catch (err) {
    await dataDir.abandon();
    throw err;
  }
}

/** Everything after the data directory is open; a failure here makes startBroker abandon it. */
async function serve(options: BrokerOptions, logger: Logger, auth: Authorizer | null, storage: Storage, started: number): Promise<Broker> {
  const metrics = new BrokerMetrics();
  // Produce's checks, timestamp lookups and the cleaner share one budget and worker pool.
  const batchChecks = new BatchChecks(logger, metrics);
  const topics = await TopicManager.open(storage, {
    logger,
    defaults: { 'max.message.bytes': options.maxMessageBytes },
    maxPartitionsPerTopic: options.maxPartitionsPerTopic,
    maintenanceIntervalMs: options.logMaintenanceIntervalMs,
    cleanerWork: batchChecks.cleanerWork,
  });
  const offsets = await OffsetStore.open(topics, logger);
  const connections = new Map<string, ClientConnection>();
  const shutdown = new AbortController();
  // Every waiting long poll listens for shutdown: many at once is normal, not a leak.
  setMaxListeners(0, shutdown.signal);

  // One namespace of group ids: each coordinator asks the other before it creates a group.
  const groups: GroupCoordinator = new GroupCoordinator({
    topics: () => new Map(topics.list().filter((t) => !t.internal).map((t) => [t.name, t.numPartitions])),
    notify: (connectionId, push) => connections.get(connectionId)?.push(encodeHeartbeatNow(push)),
    persist: (groupId, records) => offsets.saveGroup(groupId, records),
    topicDescribable: (principal, topic) => can(auth !== null, principal === null ? null : (auth?.principal(principal) ?? null), 'topic', topic, 'describe'),
    claimGroupId: (groupId, joining) => classicGroups.claimForConsumerGroup(groupId, joining),
    logger,
    minSessionTimeoutMs: options.groupMinSessionTimeoutMs,
    maxSessionTimeoutMs: options.groupMaxSessionTimeoutMs,
    heartbeatIntervalMs: options.groupHeartbeatIntervalMs,
    defaultSessionTimeoutMs: options.groupSessionTimeoutMs,
    maxGroupSize: options.groupMaxSize,
  });
  const classicGroups = new ClassicGroupCoordinator({
    persist: (groupId, snapshot) => offsets.saveClassicGroup(groupId, snapshot),
    consumerGroups: groups,
    logger,
    minSessionTimeoutMs: options.groupMinSessionTimeoutMs,
    maxSessionTimeoutMs: options.groupMaxSessionTimeoutMs,
    initialRebalanceDelayMs: options.groupInitialRebalanceDelayMs,
    maxGroupSize: options.groupMaxSize,
  });
  groups.load(offsets.storedGroups());
  classicGroups.load(offsets.classicGroupSnapshots().map(([, s]) => s));
  const txns = await TransactionCoordinator.open({
    storage,
    topics,
    offsets,
    validateOffsetCommit: (g, m, e, t, p) => validateGroupCommit({ groups, classicGroups }, g, m, e, t, p, true),
    logger,
    maxTimeoutMs: options.transactionMaxTimeoutMs,
  });
  topics.onChange((e) => {
    groups.topicsChanged();
    if (e.type === 'deleted') void offsets.deleteTopic(e.topic).catch((err) => logger.error({ err }, 'deleting offsets of a deleted topic failed'));
  });

  const cluster = await ClusterIdentity.open(options.dataDir, topics);
  const answers = new AnswerMemory(options.maxQueuedAnswerBytes);
  const requests = new RequestMemory(options.maxQueuedRequestBytes);
  const ctx: BrokerContext = { options, topics, offsets, groups, classicGroups, txns, logger, metrics, shutdown: shutdown.signal, auth, cluster, answers, requests, batchChecks };
  metrics.bind({
    dataDir: options.dataDir,
    groups: () => ({ consumer: groups.stats(), classic: classicGroups.stats() }),
    transactions: () => txns.stats(),
    lag: () =>
      listAllGroups(ctx).flatMap((g) =>
        groupLagRows(ctx, g.groupId)
          .filter((row) => row.lag !== null)
          .map((row) => ({ group: g.groupId, topic: row.topic, partition: row.partition, lag: Number(row.lag) })),
      ),
    partitions: () =>
      topics.list().flatMap((t) => t.partitions.map((log, partition) => ({ topic: t.name, partition, endOffset: log.highWatermark, startOffset: log.logStartOffset }))),
  });
  const handlers = createHandlers(ctx);

  const expiry = setInterval(() => {
    void cleanupGroups(ctx, Date.now(), options.offsetsRetentionMs).catch((err) => logger.error({ err }, 'offset expiry and group cleanup failed'));
  }, options.offsetsRetentionCheckIntervalMs);
  expiry.unref();

  storage.queue.onWriteError = (err, failedWrites) => logger.error({ err, failedWrites }, 'LevelDB write failed; its requests were refused with STORAGE_ERROR');
  storage.queue.onWrite = (t) => metrics.observeLogWrite(t);
  storage.queue.onReadError = (err, failedReads) => logger.error({ err, failedReads }, 'LevelDB read failed; its requests were answered KAFKA_STORAGE_ERROR');
  // Per-request logs only at warn and above: one line per request would drown the broker's own events.
  // With `tls` the one port serves https:// and wss:// (the WebSocket server rides on fastify's).
  const app = Fastify({
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    loggerInstance: logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Errors raised before routing (a bad percent-encoding) answer in Brook's shape too.
    frameworkErrors,
    // A topic name may be 249 characters (find-my-way's default limit for a path segment is 100).
    routerOptions: { maxParamLength: 2048 },
  });
  // Pages of other origins are refused; first, so a listed origin's CORS preflight is answered.
  const origins = new OriginPolicy({ allowedOrigins: options.allowedOrigins, listenHost: options.host, tls: options.tls !== null, logger: logger.child({ component: 'http' }) });
  origins.install(app);
  installErrorHandler(app); // before any route: it records them to answer 405 for a wrong method
  await app.register(websocket, {
    options: { maxPayload: options.maxFrameBytes },
    // Socket errors come from clients (oversized frames, unclean disconnects): not broker errors.
    errorHandler: (error, socket) => {
      logger.debug({ err: error.message }, 'client socket error');
      socket.terminate();
    },
  });
  app.get('/ws', { websocket: true, schema: { hide: true }, onRequest: origins.upgradeHook }, (socket, req) => {
    if (shutdown.signal.aborted || connections.size >= options.maxConnections) {
      socket.close(1013, shutdown.signal.aborted ? 'broker shutting down' : 'too many connections');
      return;
    }
    const conn = new ClientConnection(socket, req.socket.remoteAddress ?? 'unknown', handlers, logger, options.maxInFlightRequests, metrics, answers, requests, (c) => {
      connections.delete(c.connectionId);
      metrics.connections.dec({ listener: 'ws' });
      groups.connectionClosed(c.connectionId);
    });
    connections.set(conn.connectionId, conn);
    metrics.connections.inc({ listener: 'ws' });
  });
  await registerAdmin(app, ctx, () => !shutdown.signal.aborted);
  await app.register(consolePlugin);

  let kafka: KafkaListener | null = null;
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      logger.info('shutting down');
      shutdown.abort();
      clearInterval(expiry);
      // Answer what is in flight (long polls return at once on the abort), then close sockets.
      const deadline = Date.now() + 5000;
      const kafkaClosed = kafka?.close(Math.max(0, deadline - Date.now()));
      while ([...connections.values()].some((c) => c.busy) && Date.now() < deadline) await sleep(10);
      for (const c of connections.values()) c.close(1001, 'broker shutting down');
      await kafkaClosed;
      await app.close();
      groups.close();
      classicGroups.close();
      txns.close();
      // After the topics: a compaction still running may need the worker to finish.
      await topics.close();
      await batchChecks.close();
      await storage.close();
      logger.info('stopped');
    })());

  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (err) {
    await close();
    const inUse = (err as { code?: unknown }).code === 'EADDRINUSE';
    throw inUse ? new StartupError(`port ${options.port} on ${options.host} is in use (another broker? pick another with --port)`, err) : err;
  }
  if (options.kafkaPort !== null) {
    try {
      kafka = await KafkaListener.start({
        host: options.kafkaHost ?? options.host,
        port: options.kafkaPort,
        advertisedHost: options.kafkaAdvertisedHost,
        tls: options.tls,
        ctx,
        handlers,
        logger: logger.child({ component: 'kafka' }),
      });
      cluster.kafkaEndpoint = { host: kafka.advertisedHost, port: kafka.port };
    } catch (err) {
      // Nothing may stay open when start-up fails (a Kafka port in use, say).
      await close();
      throw err; // the listener's message already says which port and what to do
    }
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const hostForUrl = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const kafkaAddress = kafka ? `${kafka.advertisedHost}:${kafka.port}` : null;
  const scheme = options.tls ? 's' : '';
  logger.info(
    { host: options.host, port, console: `http${scheme}://${hostForUrl}:${port}/ui`, kafka: kafka ? { host: kafka.host, port: kafka.port, advertised: kafkaAddress } : null, tls: options.tls !== null, dataDir: options.dataDir, startupMs: Date.now() - started },
    `Brook listening on ${options.host}:${port}` + (kafka ? `, Kafka protocol on ${kafka.host}:${kafka.port}` : ''),
  );

  return { url: `ws${scheme}://${hostForUrl}:${port}/ws`, httpUrl: `http${scheme}://${hostForUrl}:${port}`, host: options.host, port, kafkaAddress, logger, context: ctx, close };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
