/**
 * One WebSocket to the broker: handshake, pipelined requests matched by correlation id, pushes,
 * request timeouts, and transparent reconnect (a request made while disconnected reconnects with
 * backoff; requests in flight when the socket drops fail with the retriable NETWORK_EXCEPTION).
 */
import {
  BrookError,
  ErrorCode,
  PROTOCOL_VERSION,
  PushType,
  decodeHeartbeatNow,
  decodeResponseBody,
  decodeServerFrame,
  encodeRequest,
  type ApiName,
  type HandshakeResponse,
  type HeartbeatNowPush,
  type RequestOf,
  type ResponseOf,
} from '@brook/protocol';
import { openSocket, socketErrorOf, UpgradeRefused, type MinimalSocket, type TlsOptions } from './socket.js';
import type { Logger } from './logger.js';
import type { SaslCredentials } from './cluster/sasl.js';
import { sleep } from './util/time.js';

export const CLIENT_SOFTWARE = '@brook/client 0.1.0';

/**
 * Credentials (KafkaJS's `sasl` shape). Over Kafka's protocol the mechanism is used as named
 * (plain, scram-sha-256, scram-sha-512); Brook's WebSocket handshake carries the name and secret
 * whatever the mechanism.
 */
export type SaslOptions = SaslCredentials;

export interface ConnectionOptions {
  url: string;
  clientId: string;
  logger: Logger;
  /** Per-request timeout (ms). Default 30000, like Kafka's request.timeout.ms. */
  requestTimeout?: number;
  connectionTimeout?: number;
  /** Reconnect attempts before a request fails (default 5), with exponential backoff from 100 ms. */
  retries?: number;
  /** Credentials for a broker that requires authentication (KafkaJS's `sasl` shape, mechanism plain). */
  sasl?: SaslOptions;
  /** Node only: tls options for a `wss://` URL (KafkaJS's `ssl` object). */
  tls?: TlsOptions;
  onHeartbeatNow?: (push: HeartbeatNowPush) => void;
  /** Called after a reconnect (not the first connect). */
  onReconnect?: () => void;
}

interface Pending {
  name: ApiName;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;

/** Why a connection attempt failed, with the socket's own error as `cause`. */
function connectError(url: string, cause: Error | undefined): BrookError {
  if (cause instanceof UpgradeRefused) {
    // Not a broker that is down: something else answers at this URL, and retrying will not change that.
    const u = new URL(url);
    const hint = u.pathname === '/ws' ? '' : ` (Brook serves its WebSocket at /ws: ${u.protocol}//${u.host}/ws)`;
    return new BrookError(ErrorCode.INVALID_CONFIG, `no Brook broker at this path: ${cause.message}${hint}`, { cause });
  }
  return new BrookError(ErrorCode.NETWORK_EXCEPTION, `cannot connect to ${url}${cause ? `: ${cause.message}` : ''}`, { cause });
}

/** The last attempt's error, saying how many attempts were made; `cause` stays the underlying error. */
function gaveUp(e: unknown, attempts: number): unknown {
  if (!(e instanceof BrookError)) return e;
  return new BrookError(e.code, `${e.message} (gave up after ${attempts} attempts)`, { cause: e.cause ?? e });
}

export class Connection {
  private readonly opts: ConnectionOptions;
  private socket: MinimalSocket | null = null;
  private connecting: Promise<void> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private closedByUser = false;
  private everConnected = false;
  handshake: HandshakeResponse | null = null;

  constructor(opts: ConnectionOptions) {
    this.opts = opts;
  }

  get isConnected(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN && this.handshake !== null;
  }

  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Connects (with retries and backoff) unless already connected. */
  async connect(): Promise<void> {
    this.closedByUser = false;
    if (this.isConnected) return;
    if (!this.connecting) {
      this.connecting = this.connectWithRetry().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async connectWithRetry(): Promise<void> {
    const retries = this.opts.retries ?? 5;
    let delay = 100;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.open();
        return;
      } catch (e) {
        // Wrong credentials or versions will not get better by trying again.
        if (this.closedByUser || (e instanceof BrookError && !e.retriable && e.code !== ErrorCode.NETWORK_EXCEPTION)) throw e;
        if (attempt >= retries) throw gaveUp(e, attempt + 1);
        this.opts.logger.debug('connect failed, retrying', { url: this.opts.url, attempt, error: (e as Error).message });
        await sleep(delay * (0.8 + Math.random() * 0.4));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private async open(): Promise<void> {
    const socket = await openSocket(this.opts.url, { tls: this.opts.tls, logger: this.opts.logger });
    socket.binaryType = 'arraybuffer';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new BrookError(ErrorCode.REQUEST_TIMED_OUT, `connection to ${this.opts.url} timed out`));
        try {
          socket.close();
        } catch {
          /* already closed */
        }
      }, this.opts.connectionTimeout ?? 10_000);
      socket.onopen = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.onerror = (ev) => {
        clearTimeout(timer);
        reject(connectError(this.opts.url, socketErrorOf(ev)));
      };
      socket.onclose = () => {
        clearTimeout(timer);
        reject(new BrookError(ErrorCode.NETWORK_EXCEPTION, `connection to ${this.opts.url} closed`));
      };
    });
    socket.onmessage = (ev) => this.onMessage(ev.data);
    socket.onerror = () => {};
    socket.onclose = (ev) => this.onClose(socket, ev.code, ev.reason);
    this.socket = socket;
    this.handshake = null;
    const hs = await this.send(
      'Handshake',
      {
        clientId: this.opts.clientId,
        clientSoftware: CLIENT_SOFTWARE,
        minProtocol: PROTOCOL_VERSION,
        maxProtocol: PROTOCOL_VERSION,
        username: this.opts.sasl?.username ?? null,
        password: this.opts.sasl?.password ?? null,
      },
      socket,
    );
    this.handshake = hs;
    if (this.everConnected) this.opts.onReconnect?.();
    this.everConnected = true;
  }

  private onClose(socket: MinimalSocket, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.handshake = null;
    const err = new BrookError(
      ErrorCode.NETWORK_EXCEPTION,
      `connection to ${this.opts.url} closed (${code}${reason ? `: ${reason}` : ''})`,
    );
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
  }

  private onMessage(data: unknown): void {
    const buf = data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array);
    const frame = decodeServerFrame(buf);
    if (!frame.ok) {
      this.opts.logger.error('malformed frame from broker', { error: frame.error });
      return;
    }
    const f = frame.value;
    if (f.kind === 'push') {
      if (f.pushType === PushType.HeartbeatNow) {
        const push = decodeHeartbeatNow(f.body, f.bodyStart);
        if (push.ok) this.opts.onHeartbeatNow?.(push.value);
      }
      return;
    }
    const p = this.pending.get(f.correlationId);
    if (!p) return;
    this.pending.delete(f.correlationId);
    clearTimeout(p.timer);
    if (f.errorCode !== 0) {
      p.reject(new BrookError(f.errorCode, f.errorMessage));
      return;
    }
    const body = decodeResponseBody(p.name, f.body, f.bodyStart);
    if (body.ok) p.resolve(body.value);
    else p.reject(new BrookError(ErrorCode.CORRUPT_MESSAGE, `malformed ${p.name} response: ${body.error}`));
  }

  private send<N extends ApiName>(name: N, body: RequestOf<N>, socket: MinimalSocket, timeoutMs?: number): Promise<ResponseOf<N>> {
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = this.nextCorrelationId >= 0x7fffffff ? 1 : this.nextCorrelationId + 1;
    const frame = encodeRequest(name, correlationId, body);
    return new Promise<ResponseOf<N>>((resolve, reject) => {
      const timeout = timeoutMs ?? this.opts.requestTimeout ?? 30_000;
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new BrookError(ErrorCode.REQUEST_TIMED_OUT, `${name} timed out after ${timeout} ms`));
      }, timeout);
      this.pending.set(correlationId, { name, resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        socket.send(frame);
      } catch (e) {
        clearTimeout(timer);
        this.pending.delete(correlationId);
        reject(new BrookError(ErrorCode.NETWORK_EXCEPTION, (e as Error).message));
      }
    });
  }

  /** Sends a request and resolves with its decoded response; connects first if needed. */
  async request<N extends ApiName>(name: N, body: RequestOf<N>, opts: { timeoutMs?: number } = {}): Promise<ResponseOf<N>> {
    if (!this.isConnected) {
      if (this.closedByUser) throw new BrookError(ErrorCode.NETWORK_EXCEPTION, 'connection is closed');
      await this.connect();
    }
    return this.send(name, body, this.socket!, opts.timeoutMs);
  }

  /** Fire-and-forget (Produce with acks 0): no response is expected. */
  async sendOnly<N extends ApiName>(name: N, body: RequestOf<N>): Promise<void> {
    if (!this.isConnected) await this.connect();
    this.socket!.send(encodeRequest(name, this.nextCorrelationId++, body));
  }

  async close(): Promise<void> {
    this.closedByUser = true;
    const socket = this.socket;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      const prev = socket.onclose;
      const t = setTimeout(resolve, 2000);
      socket.onclose = (ev) => {
        clearTimeout(t);
        prev?.(ev);
        resolve();
      };
      socket.close(1000, 'client closing');
    });
  }
}

export { sleep } from './util/time.js';
