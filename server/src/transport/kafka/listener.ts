/**
 * The Kafka listener: Kafka's own wire protocol on its own TCP port (TLS with the broker's
 * certificate: Kafka's SSL listener), beside the WebSocket door. It ends at "a decoded request
 * from principal P on connection C": the adapters call the same handlers as the WebSocket door.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { BrokerContext } from '../../api/types.js';
import type { BrokerHandlers } from '../../api/index.js';
import { kafkaAdapters } from './apis/index.js';
import { KafkaConnection } from './connection.js';

export interface KafkaListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** What Metadata and FindCoordinator name; null: the listen host (this machine's name for a wildcard). */
  advertisedHost: string | null;
  tls: { cert: string | Buffer; key: string | Buffer } | null;
  ctx: BrokerContext;
  handlers: BrokerHandlers;
  logger: Logger;
}

export class KafkaListener {
  private readonly connections = new Set<KafkaConnection>();
  private readonly server: Server;
  host = '';
  port = 0;
  advertisedHost = '';

  private constructor(private readonly o: KafkaListenerOptions) {
    const accept = (socket: Socket) => this.accept(socket);
    this.server = o.tls
      ? createTlsServer({ cert: o.tls.cert, key: o.tls.key }, accept).on('tlsClientError', (err) => o.logger.debug({ err: err.message }, 'kafka TLS handshake failed'))
      : createTcpServer(accept);
  }

  /** Binds the port; a port in use is a clear error. */
  static async start(o: KafkaListenerOptions): Promise<KafkaListener> {
    const listener = new KafkaListener(o);
    await listener.listen();
    return listener;
  }

  private async listen(): Promise<void> {
    const { o, server } = this;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? new Error(`the Kafka port ${o.port} on ${o.host} is already in use (set --kafka-port / BROOK_KAFKA_PORT to another port, or 0 for a free one)`)
            : err,
        );
      });
      server.listen({ host: o.host, port: o.port }, () => resolve());
    });
    server.on('error', (err) => o.logger.error({ err }, 'kafka listener error'));
    const address = server.address();
    this.host = o.host;
    this.port = typeof address === 'object' && address ? address.port : o.port;
    const wildcard = o.host === '0.0.0.0' || o.host === '::';
    this.advertisedHost = o.advertisedHost ?? (wildcard ? hostname() : o.host);
    if (wildcard && o.advertisedHost === null) {
      o.logger.warn({ advertisedHost: this.advertisedHost }, "the Kafka listener binds every interface: clients are told to connect to this machine's name; set --kafka-advertised-host to what they can reach");
    }
  }

  private accept(socket: Socket): void {
    const { ctx } = this.o;
    if (ctx.shutdown.aborted || this.connections.size >= ctx.options.maxConnections) {
      socket.destroy();
      return;
    }
    const conn = new KafkaConnection(socket, {
      ctx,
      handlers: this.o.handlers,
      adapters: kafkaAdapters,
      logger: this.o.logger,
      maxFrameBytes: ctx.options.maxFrameBytes,
      maxInFlight: ctx.options.maxInFlightRequests,
      onClose: (c) => {
        this.connections.delete(c);
        ctx.metrics.connections.dec({ listener: 'kafka' });
        ctx.groups.connectionClosed(c.connectionId);
      },
    });
    this.connections.add(conn);
    ctx.metrics.connections.inc({ listener: 'kafka' });
  }

  /** True while any connection has requests in flight or answers unsent. */
  get busy(): boolean {
    for (const c of this.connections) if (c.busy) return true;
    return false;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Stops accepting, lets every connection answer what it has read (long polls return at once on
   * the broker's shutdown signal), then closes what is left after `graceMs`.
   */
  async close(graceMs = 5000): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.connections) c.drain();
    const deadline = Date.now() + graceMs;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const c of [...this.connections]) c.destroy('broker shutting down');
    await stopped;
  }
}
