/**
 * One Kafka connection to one broker: size-prefixed frames, requests matched to answers by
 * correlation id, request timeouts; on connect ApiVersions (the versions both sides speak) and
 * SASL. A dropped socket fails what is in flight with the retriable NETWORK_EXCEPTION; the next
 * request connects again.
 */
import { BrookError, ErrorCode, kafka } from '@brook/protocol';
import type { Logger } from '../logger.js';
import { saslExchange, type SaslCredentials } from './sasl.js';
import type { ByteSocket, SocketOpener, SocketOptions } from './socket.js';
import type { KafkaApiName, KafkaRequestOf, KafkaResponseOf, Loose } from './apis/types.js';

export interface BrokerConnectionOptions {
  open: SocketOpener;
  clientId: string;
  logger: Logger;
  requestTimeout: number;
  connectionTimeout: number;
  tls?: SocketOptions['tls'];
  sasl?: SaslCredentials;
}

interface Pending {
  name: KafkaApiName;
  version: number;
  resolve: (body: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const CLIENT_SOFTWARE = { clientSoftwareName: 'brook-client', clientSoftwareVersion: '0.1.0' };
/** The ApiVersions version asked first; a broker that does not know it answers with its range (v0). */
const API_VERSIONS_VERSION = 3;

export class BrokerConnection {
  private socket: ByteSocket | null = null;
  private connecting: Promise<void> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private closed = false;
  /** The broker's version range per API key (from ApiVersions). */
  private versions = new Map<number, { min: number; max: number }>();

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly opts: BrokerConnectionOptions,
  ) {}

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get isConnected(): boolean {
    return this.socket !== null && this.connecting === null;
  }

  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new BrookError(ErrorCode.NETWORK_EXCEPTION, 'connection is closed'));
    if (this.socket && !this.connecting) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /** The version both sides speak for an API, at most `cap`; UNSUPPORTED_VERSION if there is none. */
  version(name: KafkaApiName, cap = Infinity): number {
    const api = kafka.KafkaApis[name];
    const theirs = this.versions.get(api.key);
    const hi = Math.min(api.maxVersion, cap, theirs?.max ?? -1);
    const lo = Math.max(api.minVersion, theirs?.min ?? 0);
    if (!theirs || hi < lo) {
      throw new BrookError(ErrorCode.UNSUPPORTED_VERSION, `broker ${this.address} does not serve ${name} in a version this client speaks (${api.minVersion}-${Math.min(api.maxVersion, cap)})`);
    }
    return hi;
  }

  /**
   * Connects if needed, builds the request for the negotiated version and sends it; resolves with
   * the answer and the version. `expectResponse: false` (Produce acks 0) resolves once written.
   */
  async call<N extends KafkaApiName>(
    name: N,
    build: (version: number) => Loose<KafkaRequestOf<N>>,
    opts: { cap?: number; timeoutMs?: number; expectResponse?: boolean } = {},
  ): Promise<{ version: number; body: KafkaResponseOf<N> }> {
    await this.connect();
    const version = this.version(name, opts.cap);
    const body = await this.send(name, version, build(version) as KafkaRequestOf<N>, opts.timeoutMs, opts.expectResponse ?? true);
    return { version, body };
  }

  close(): void {
    this.closed = true;
    this.drop(new BrookError(ErrorCode.NETWORK_EXCEPTION, `connection to ${this.address} closed`));
  }

  private async open(): Promise<void> {
    const socket = await this.opts.open(this.host, this.port, { tls: this.opts.tls, timeoutMs: this.opts.connectionTimeout }).catch((e: unknown) => {
      throw new BrookError(ErrorCode.NETWORK_EXCEPTION, `cannot connect to ${this.address}: ${(e as Error).message}`, { cause: e });
    });
    const splitter = new kafka.FrameSplitter();
    socket.onData = (chunk) => {
      try {
        for (const frame of splitter.push(chunk)) this.onFrame(frame);
      } catch (e) {
        this.opts.logger.error('malformed frame from broker', { broker: this.address, error: (e as Error).message });
        socket.close();
      }
    };
    socket.onClose = (error) => {
      if (this.socket !== socket) return;
      this.drop(new BrookError(ErrorCode.NETWORK_EXCEPTION, `connection to ${this.address} closed${error ? `: ${error.message}` : ''}`, { cause: error }));
    };
    this.socket = socket;
    try {
      await this.negotiateVersions(socket);
      if (this.opts.sasl) await this.authenticate(socket, this.opts.sasl);
    } catch (e) {
      this.drop(e as Error);
      throw e;
    }
  }

  private drop(err: Error): void {
    const socket = this.socket;
    this.socket = null;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
    socket?.close();
  }

  private async negotiateVersions(socket: ByteSocket): Promise<void> {
    let res: KafkaResponseOf<'ApiVersions'>;
    try {
      res = await this.send('ApiVersions', API_VERSIONS_VERSION, CLIENT_SOFTWARE as KafkaRequestOf<'ApiVersions'>, undefined, true, socket);
    } catch (e) {
      // A broker without v3 answers UNSUPPORTED_VERSION in v0's layout: retry at v0.
      if (!(e instanceof BrookError) || e.code !== ErrorCode.CORRUPT_MESSAGE) throw e;
      res = await this.send('ApiVersions', 0, {} as KafkaRequestOf<'ApiVersions'>, undefined, true, socket);
    }
    if (res.errorCode === ErrorCode.UNSUPPORTED_VERSION) res = await this.send('ApiVersions', 0, {} as KafkaRequestOf<'ApiVersions'>, undefined, true, socket);
    if (res.errorCode !== 0) throw new BrookError(res.errorCode, `ApiVersions refused by ${this.address}`);
    this.versions = new Map(res.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
  }

  private async authenticate(socket: ByteSocket, creds: SaslCredentials): Promise<void> {
    const exchange = saslExchange(creds);
    const hs = await this.send('SaslHandshake', 1, { mechanism: exchange.mechanism }, undefined, true, socket);
    if (hs.errorCode !== 0) {
      throw new BrookError(hs.errorCode, `${this.address} refused SASL mechanism ${exchange.mechanism} (it offers ${hs.mechanisms.join(', ') || 'none'})`);
    }
    const version = this.version('SaslAuthenticate');
    let message: Uint8Array | null = await exchange.first();
    while (message !== null) {
      const res = await this.send('SaslAuthenticate', version, { authBytes: message }, undefined, true, socket);
      if (res.errorCode !== 0) throw new BrookError(res.errorCode, `authentication with ${this.address} failed${res.errorMessage ? `: ${res.errorMessage}` : ''}`);
      message = await exchange.next(res.authBytes);
    }
  }

  private send<N extends KafkaApiName>(
    name: N,
    version: number,
    body: KafkaRequestOf<N>,
    timeoutMs: number | undefined,
    expectResponse: boolean,
    socket: ByteSocket | null = this.socket,
  ): Promise<KafkaResponseOf<N>> {
    if (!socket) return Promise.reject(new BrookError(ErrorCode.NETWORK_EXCEPTION, `not connected to ${this.address}`));
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = correlationId >= 0x7fffffff ? 1 : correlationId + 1;
    let frame: Uint8Array;
    try {
      frame = kafka.encodeKafkaRequest(name, version, correlationId, this.opts.clientId, body);
    } catch (e) {
      return Promise.reject(new BrookError(ErrorCode.INVALID_REQUEST, `cannot write ${name} v${version}: ${(e as Error).message}`));
    }
    if (!expectResponse) {
      socket.write(frame);
      return Promise.resolve(null as KafkaResponseOf<N>);
    }
    return new Promise<KafkaResponseOf<N>>((resolve, reject) => {
      const timeout = timeoutMs ?? this.opts.requestTimeout;
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new BrookError(ErrorCode.REQUEST_TIMED_OUT, `${name} to ${this.address} timed out after ${timeout} ms`));
      }, timeout);
      this.pending.set(correlationId, { name, version, resolve: resolve as (b: unknown) => void, reject, timer });
      socket.write(frame);
    });
  }

  private onFrame(frame: Uint8Array): void {
    if (frame.length < 4) throw new Error('response shorter than its correlation id');
    const correlationId = new DataView(frame.buffer, frame.byteOffset, 4).getInt32(0);
    const p = this.pending.get(correlationId);
    if (!p) return; // timed out meanwhile
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    try {
      p.resolve(kafka.decodeKafkaResponse(p.name, p.version, frame).body);
    } catch (e) {
      p.reject(new BrookError(ErrorCode.CORRUPT_MESSAGE, `malformed ${p.name} v${p.version} answer from ${this.address}: ${(e as Error).message}`));
    }
  }
}
