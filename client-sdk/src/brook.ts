/**
 * The entry point: `new Brook({ url, clientId })` hands out producers, consumers and admin
 * clients that share its settings. Two transports: `url: 'ws://host:port/ws'` speaks Brook's
 * WebSocket protocol (Node and browsers); `brokers: ['host:port', ...]` speaks Kafka's protocol
 * over TCP in Node, to Brook's Kafka port or any Apache Kafka 4.x cluster (in a browser a
 * `host:port` broker maps to `ws://host:port/ws`). `Kafka` is the KafkaJS-compatible twin.
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import { Admin, type AdminConfig } from './admin.js';
import { Consumer, type ConsumerConfig } from './consumer/consumer.js';
import type { ClientContext } from './context.js';
import { createLogger, logLevel as LOG_LEVEL, type LogCreator, type LogLevel, type Logger } from './logger.js';
import { Producer, type ProducerConfig } from './producer/index.js';
import type { SaslOptions } from './connection.js';
import { brokerUrlProblem } from './socket.js';

export interface BrookRetryOptions {
  /** Retries for retriable errors and reconnects (default 5), with exponential backoff. */
  retries?: number;
  initialRetryTime?: number;
  maxRetryTime?: number;
}

export interface BrookConfig {
  /** The broker's WebSocket endpoint, e.g. `ws://127.0.0.1:7092/ws`. Give this or `brokers`. */
  url?: string;
  /**
   * Kafka bootstrap servers (`host:port`): in Node the client speaks Kafka's protocol over TCP (to
   * Brook's Kafka port or a Kafka cluster); in a browser the first maps to `ws://host:port/ws`.
   * ws:// and wss:// entries choose the WebSocket protocol (the first is used).
   */
  brokers?: string[] | string;
  clientId?: string;
  logLevel?: LogLevel;
  logCreator?: LogCreator;
  /** Per-request timeout in ms (default 30000). */
  requestTimeout?: number;
  /** Connection (WebSocket open) timeout in ms (default 10000). */
  connectionTimeout?: number;
  retry?: BrookRetryOptions;
  /** Credentials when the broker requires authentication (KafkaJS shape: plain, or over Kafka's protocol scram-sha-256 / scram-sha-512). */
  sasl?: SaslOptions;
  /** TLS (KafkaJS shape): `true`, or `{ ca, cert, key, rejectUnauthorized }` in Node; turns ws:// into wss:// and Kafka connections into TLS ones. */
  ssl?: import('./socket.js').SslOption;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Which transport a config asks for: the WebSocket URL, or Kafka bootstrap servers (Node only). */
export function transportOf(config: Pick<BrookConfig, 'url' | 'brokers' | 'ssl'>): { url: string; kafkaBrokers?: string[] } {
  if (typeof config.url === 'string' && config.url.length > 0) {
    const problem = brokerUrlProblem(config.url);
    if (problem) throw new BrookError(ErrorCode.INVALID_CONFIG, problem);
    return { url: config.url };
  }
  const list = (typeof config.brokers === 'string' ? [config.brokers] : (config.brokers ?? [])).map((b) => (typeof b === 'string' ? b.trim() : b));
  if (list.length === 0 || list.some((b) => typeof b !== 'string' || b.length === 0)) {
    throw new BrookError(ErrorCode.INVALID_REQUEST, "Brook needs { url: 'ws://host:port/ws' } or { brokers: ['host:port'] }");
  }
  const ssl = config.ssl !== undefined && config.ssl !== false;
  if (!isNode || /^[a-z][a-z0-9+.-]*:\/\//i.test(list[0]!)) return { url: brokerToUrl(list[0]!, ssl) };
  return { url: `kafka://${list.join(',')}`, kafkaBrokers: list };
}

export class Brook {
  protected readonly ctx: ClientContext;
  private readonly retryDefaults: BrookRetryOptions;

  constructor(config: BrookConfig) {
    if (!config || typeof config !== 'object') throw new BrookError(ErrorCode.INVALID_REQUEST, "Brook needs { url: 'ws://host:port/ws' } or { brokers: ['host:port'] }");
    const transport = transportOf(config);
    this.retryDefaults = config.retry ?? {};
    this.ctx = {
      ...transport,
      clientId: config.clientId ?? 'brook',
      logger: createLogger(config.logLevel ?? LOG_LEVEL.INFO, config.logCreator),
      requestTimeout: config.requestTimeout ?? 30_000,
      connectionTimeout: config.connectionTimeout ?? 10_000,
      retries: config.retry?.retries ?? 5,
      sasl: config.sasl,
      ssl: config.ssl,
      groupMembers: new Map(),
    };
  }

  producer(config: ProducerConfig = {}): Producer {
    const retry = { ...this.retryDefaults, ...config.retry };
    return new Producer(this.ctx, { ...config, retry });
  }

  consumer(config: ConsumerConfig): Consumer {
    return new Consumer(this.ctx, config);
  }

  admin(config: AdminConfig = {}): Admin {
    const retry = { ...this.retryDefaults, ...config.retry };
    return new Admin(this.ctx, { ...config, retry });
  }

  logger(): Logger {
    return this.ctx.logger;
  }
}

export interface KafkaConfig extends Omit<BrookConfig, 'url' | 'brokers'> {
  /**
   * `host:port` entries: Kafka's protocol over TCP in Node (every entry a bootstrap server), in a
   * browser `ws://host:port/ws` (the first). Or full ws:// / wss:// URLs (the first is used).
   */
  brokers: string[] | string;
  /** Accepted for KafkaJS compatibility; ignored. */
  authenticationTimeout?: number;
  reauthenticationThreshold?: number;
  enforceRequestTimeout?: boolean;
}

/** Maps a KafkaJS broker entry to a Brook WebSocket URL. */
export function brokerToUrl(broker: string, ssl = false): string {
  const b = broker.trim();
  if (/^wss?:\/\//i.test(b)) return b;
  if (/^https?:\/\//i.test(b)) {
    const u = new URL(b);
    const path = u.pathname && u.pathname !== '/' ? u.pathname : '/ws';
    return `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}${path}`;
  }
  if (b.length === 0) throw new BrookError(ErrorCode.INVALID_REQUEST, 'empty broker address');
  return `${ssl ? 'wss' : 'ws'}://${b}/ws`;
}

export class Kafka extends Brook {
  constructor(config: KafkaConfig) {
    const list = typeof config?.brokers === 'string' ? [config.brokers] : config?.brokers;
    if (!Array.isArray(list) || list.length === 0 || typeof list[0] !== 'string') {
      throw new BrookError(ErrorCode.INVALID_REQUEST, "Kafka needs { brokers: ['host:port'] }");
    }
    super({ ...config, brokers: list });
  }
}
