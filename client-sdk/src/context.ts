/** What every producer, consumer and admin client of one `Brook` instance shares. */
import { Connection, type SaslOptions } from './connection.js';
import type { Logger } from './logger.js';
import { loadNodeCodecs } from './codecs.js';
import { KafkaCluster } from './cluster/kafkaCluster.js';
import type { SocketOpener } from './cluster/socket.js';
import { socketUrl, type SslOption } from './socket.js';
import { WsCluster } from './transport/ws.js';
import type { Cluster, ClusterHooks } from './transport/types.js';

/**
 * The first retry backoff of sends and admin requests, as KafkaJS's: with 5 retries doubling from
 * it, about 9 s in all, long enough to ride out a Kafka leader election (broker session timeout 9 s).
 */
export const DEFAULT_INITIAL_RETRY_MS = 300;

/** The wait before retry `attempt` (0-based): KafkaJS's exponential backoff with jitter. */
export function retryBackoff(
  r: { initialRetryTime?: number; maxRetryTime?: number; multiplier?: number; factor?: number } | undefined,
  attempt: number,
): number {
  const initial = r?.initialRetryTime ?? DEFAULT_INITIAL_RETRY_MS;
  const max = r?.maxRetryTime ?? 30_000;
  const factor = r?.factor ?? 0.2;
  const base = Math.min(initial * (r?.multiplier ?? 2) ** attempt, max);
  return Math.max(0, base * (1 - factor + Math.random() * 2 * factor));
}

export interface ClientContext {
  /** The WebSocket endpoint; for a Kafka cluster, the bootstrap servers for logs (kafka://h1:9092,h2:9092). */
  url: string;
  /** Set when the client speaks Kafka's protocol over TCP (Node): the bootstrap servers, `host:port`. */
  kafkaBrokers?: string[];
  clientId: string;
  logger: Logger;
  requestTimeout: number;
  connectionTimeout: number;
  /** Retries for retriable errors (and reconnects), with exponential backoff. */
  retries: number;
  sasl?: SaslOptions;
  /** TLS: `true` or tls options (KafkaJS's `ssl`); see socket.ts. */
  ssl?: SslOption;
  /** The consumers running in this client, by group (a transaction's sendOffsets takes their member id and epoch). */
  groupMembers: Map<string, Set<GroupMemberHandle>>;
}

/** What a transaction needs of a consumer: its group membership right now. */
export interface GroupMemberHandle {
  groupMetadata(): { groupId: string; memberId: string; memberEpoch: number };
}

export function openConnection(ctx: Omit<ClientContext, 'groupMembers'>, hooks: ClusterHooks = {}): Connection {
  return new Connection({
    url: socketUrl(ctx.url, ctx.ssl),
    tls: typeof ctx.ssl === 'object' ? ctx.ssl : undefined,
    clientId: ctx.clientId,
    logger: ctx.logger,
    requestTimeout: ctx.requestTimeout,
    connectionTimeout: ctx.connectionTimeout,
    retries: ctx.retries,
    sasl: ctx.sasl,
    ...hooks,
  });
}

/**
 * Node's TCP sockets, loaded on the first Kafka connection: a variable specifier keeps browser
 * bundlers from following it into node:net.
 */
const openTcp: SocketOpener = async (host, port, opts) => {
  const specifier = './transport/kafka.js';
  const [mod] = await Promise.all([import(/* @vite-ignore */ specifier) as Promise<{ openTcpSocket: SocketOpener }>, loadNodeCodecs()]);
  return mod.openTcpSocket(host, port, opts);
};

/** The cluster a producer, consumer or admin client talks to: Kafka's protocol for `brokers`, else the WebSocket. */
export function openCluster(ctx: Omit<ClientContext, 'groupMembers'>, hooks: ClusterHooks = {}): Cluster {
  if (ctx.kafkaBrokers) {
    return new KafkaCluster({
      brokers: ctx.kafkaBrokers,
      open: openTcp,
      clientId: ctx.clientId,
      logger: ctx.logger,
      requestTimeout: ctx.requestTimeout,
      connectionTimeout: ctx.connectionTimeout,
      retries: ctx.retries,
      tls: ctx.ssl,
      sasl: ctx.sasl,
    });
  }
  return new WsCluster(openConnection(ctx, hooks));
}
