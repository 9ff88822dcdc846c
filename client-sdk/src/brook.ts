/**
 * The entry point: `new Brook({ url, clientId })` hands out producers, consumers and admin
 * clients that share its settings. `Kafka` is the KafkaJS-compatible twin: `new Kafka({ clientId,
 * brokers: ['host:port'] })` maps the first broker to `ws://host:port/ws`.
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
  /** The broker's WebSocket endpoint, e.g. `ws://127.0.0.1:7092/ws`. */
  url: string;
  clientId?: string;
  logLevel?: LogLevel;
  logCreator?: LogCreator;
  /** Per-request timeout in ms (default 30000). */
  requestTimeout?: number;
  /** Connection (WebSocket open) timeout in ms (default 10000). */
  connectionTimeout?: number;
  retry?: BrookRetryOptions;
  /** Credentials when the broker requires authentication (KafkaJS shape; mechanism 'plain'). */
  sasl?: SaslOptions;
  /** TLS (KafkaJS shape): `true`, or `{ ca, cert, key, rejectUnauthorized }` for `ws` in Node; turns ws:// into wss://. */
  ssl?: import('./socket.js').SslOption;
}

export class Brook {
  protected readonly ctx: ClientContext;
  private readonly retryDefaults: BrookRetryOptions;

  constructor(config: BrookConfig) {
    if (!config || typeof config.url !== 'string' || config.url.length === 0) {
      throw new BrookError(ErrorCode.INVALID_REQUEST, 'Brook needs { url: "ws://host:port/ws" }');
    }
    const problem = brokerUrlProblem(config.url);
    if (problem) throw new BrookError(ErrorCode.INVALID_CONFIG, problem);
    this.retryDefaults = config.retry ?? {};
    this.ctx = {
      url: config.url,
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

export interface KafkaConfig extends Omit<BrookConfig, 'url'> {
  /** `host:port` entries (mapped to `ws://host:port/ws`), or full ws:// / wss:// URLs. Brook is single-node: the first is used. */
  brokers: string[] | string;
  /** true: use wss:// for host:port entries. */
  ssl?: boolean | object;
  /** Accepted for KafkaJS compatibility; ignored. */
  sasl?: SaslOptions;
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
    const { brokers: _brokers, ssl, ...rest } = config;
    super({ ...rest, ssl, url: brokerToUrl(list[0], ssl !== undefined && ssl !== false) });
  }
}
