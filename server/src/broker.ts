/**
 * startBroker: opens the log, replays committed offsets and groups, and serves everything on one
 * port: the WebSocket protocol at /ws, the admin API, /health, /metrics, /docs.
 */
import { setMaxListeners } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import websocket from '@fastify/websocket';
import { pino, type Logger } from 'pino';
import { encodeHeartbeatNow } from '@brook/protocol';
import { defaultOptions, type BrokerOptions } from './config.js';
import { Storage } from './log/storage.js';
import { TopicManager } from './log/topicManager.js';
import { OffsetStore } from './offsets/offsetStore.js';
import { GroupCoordinator, type PersistedGroup } from './groups/index.js';
import { TransactionCoordinator } from './txn/coordinator.js';
import { createHandlers } from './api/index.js';
import type { BrokerContext } from './api/types.js';
import { ClientConnection } from './transport/clientConnection.js';
import { registerAdmin } from './admin/plugin.js';
import { BrokerMetrics } from './metrics.js';
import { Authorizer, type AuthConfig } from './auth/authorizer.js';
import { groupLagRows, listAllGroups } from './services/groups.js';
import { ClusterIdentity } from './services/cluster.js';
import { KafkaListener } from './transport/kafka/listener.js';

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
  await mkdir(options.dataDir, { recursive: true });
  const started = Date.now();
  const storage = await Storage.open(options.dataDir);
  const topics = await TopicManager.open(storage, {
    logger,
    defaults: { 'max.message.bytes': options.maxMessageBytes },
    maxPartitionsPerTopic: options.maxPartitionsPerTopic,
    maintenanceIntervalMs: options.logMaintenanceIntervalMs,
  });
  const offsets = await OffsetStore.open(topics, logger);
  const connections = new Map<string, ClientConnection>();
  const shutdown = new AbortController();
  // Every waiting long poll listens for shutdown: many at once is normal, not a leak.
  setMaxListeners(0, shutdown.signal);
  const metrics = new BrokerMetrics();

  const groups = new GroupCoordinator({
    topics: () => new Map(topics.list().filter((t) => !t.internal).map((t) => [t.name, t.numPartitions])),
    notify: (connectionId, push) => connections.get(connectionId)?.push(encodeHeartbeatNow(push)),
    persist: (groupId, snapshot) => offsets.saveGroup(groupId, snapshot),
    logger,
    minSessionTimeoutMs: options.groupMinSessionTimeoutMs,
    maxSessionTimeoutMs: options.groupMaxSessionTimeoutMs,
    heartbeatIntervalMs: options.groupHeartbeatIntervalMs,
    maxGroupSize: options.groupMaxSize,
  });
  groups.load(offsets.groupSnapshots().map(([, s]) => s as PersistedGroup));
  const txns = await TransactionCoordinator.open({
    storage,
    topics,
    offsets,
    validateOffsetCommit: (g, m, e, t, p) => groups.validateOffsetCommit(g, m, e, t, p),
    logger,
    maxTimeoutMs: options.transactionMaxTimeoutMs,
  });
  topics.onChange((e) => {
    groups.topicsChanged();
    if (e.type === 'deleted') void offsets.deleteTopic(e.topic).catch((err) => logger.error({ err }, 'deleting offsets of a deleted topic failed'));
  });

  const cluster = await ClusterIdentity.open(options.dataDir, topics);
  const ctx: BrokerContext = { options, topics, offsets, groups, txns, logger, metrics, shutdown: shutdown.signal, auth, cluster };
  metrics.bind({
    dataDir: options.dataDir,
    groups: () => groups.stats(),
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
    void offsets
      .expire(
        Date.now(),
        options.offsetsRetentionMs,
        (g) => !groups.hasMembers(g),
        (g, t, p) => txns.hasPendingOffset(g, t, p),
      )
      .catch((err) => logger.error({ err }, 'offset expiry failed'));
  }, options.offsetsRetentionCheckIntervalMs);
  expiry.unref();

  storage.queue.onWriteError = (err, failedWrites) => logger.error({ err, failedWrites }, 'LevelDB write failed; its requests were refused with STORAGE_ERROR');
  // Per-request logs only at warn and above: one line per request would drown the broker's own events.
  // With `tls` the one port serves https:// and wss:// (the WebSocket server rides on fastify's).
  const app = Fastify({
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
    loggerInstance: logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { allowUnionTypes: true } },
  });
  await app.register(websocket, {
    options: { maxPayload: options.maxFrameBytes },
    // Socket errors come from clients (oversized frames, unclean disconnects): not broker errors.
    errorHandler: (error, socket) => {
      logger.debug({ err: error.message }, 'client socket error');
      socket.terminate();
    },
  });
  app.get('/ws', { websocket: true, schema: { hide: true } }, (socket, req) => {
    if (shutdown.signal.aborted || connections.size >= options.maxConnections) {
      socket.close(1013, shutdown.signal.aborted ? 'broker shutting down' : 'too many connections');
      return;
    }
    const conn = new ClientConnection(socket, req.socket.remoteAddress ?? 'unknown', handlers, logger, options.maxInFlightRequests, metrics, (c) => {
      connections.delete(c.connectionId);
      metrics.connections.dec({ listener: 'ws' });
      groups.connectionClosed(c.connectionId);
    });
    connections.set(conn.connectionId, conn);
    metrics.connections.inc({ listener: 'ws' });
  });
  await registerAdmin(app, ctx, () => !shutdown.signal.aborted);

  let kafka: KafkaListener | null = null;
  try {
    await app.listen({ host: options.host, port: options.port });
    if (options.kafkaPort !== null) {
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
    }
  } catch (err) {
    // Nothing may stay open when start-up fails (a Kafka port in use, say).
    shutdown.abort();
    clearInterval(expiry);
    await app.close();
    groups.close();
    txns.close();
    await topics.close();
    await storage.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const hostForUrl = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const kafkaAddress = kafka ? `${kafka.advertisedHost}:${kafka.port}` : null;
  logger.info(
    { host: options.host, port, kafka: kafka ? { host: kafka.host, port: kafka.port, advertised: kafkaAddress } : null, tls: options.tls !== null, dataDir: options.dataDir, startupMs: Date.now() - started },
    `Brook listening on ${options.host}:${port}` + (kafka ? `, Kafka protocol on ${kafka.host}:${kafka.port}` : ''),
  );

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
      txns.close();
      await topics.close();
      await storage.close();
      logger.info('stopped');
    })());

  const scheme = options.tls ? 's' : '';
  return { url: `ws${scheme}://${hostForUrl}:${port}/ws`, httpUrl: `http${scheme}://${hostForUrl}:${port}`, host: options.host, port, kafkaAddress, logger, context: ctx, close };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
