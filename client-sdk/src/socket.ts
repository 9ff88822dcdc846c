/**
 * The one place that picks a WebSocket implementation: the browser's native one, or `ws` in Node
 * (Node 20 has no global WebSocket). Both expose the WHATWG API used here.
 *
 * TLS: `wss://` URLs work everywhere. In Node, KafkaJS's `ssl` option (`true`, or tls options
 * such as `{ ca, cert, key, rejectUnauthorized }`) is handed to the `ws` constructor; in a browser
 * the browser does TLS and the options are ignored.
 */
import { loadNodeCodecs } from './codecs.js';
import type { Logger } from './logger.js';

export interface MinimalSocket {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** PEM text or bytes, as Node's tls module takes them. */
type Pem = string | Uint8Array;

/**
 * TLS options for Node (KafkaJS's `ssl` object: Node's `tls.connect` options, all passed on to
 * `ws`): the CA that signed the broker's certificate, a client certificate and key,
 * `rejectUnauthorized: false` to skip verification (tests only), and the usual others.
 */
export interface TlsOptions {
  ca?: Pem | Pem[];
  cert?: Pem | Pem[];
  key?: Pem | Pem[];
  pfx?: Pem | Pem[];
  passphrase?: string;
  rejectUnauthorized?: boolean;
  servername?: string;
  checkServerIdentity?: (host: string, cert: unknown) => Error | undefined;
  minVersion?: string;
  maxVersion?: string;
  ciphers?: string;
}

/** KafkaJS's `ssl` option: `true` (TLS with the system's CAs) or tls options. */
export type SslOption = boolean | TlsOptions;

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** The URL a client connects to: `ssl` turns `ws://` into `wss://`. */
export function socketUrl(url: string, ssl?: SslOption): string {
  return ssl ? url.replace(/^ws:\/\//i, 'wss://') : url;
}

/**
 * Why a broker URL cannot work, or null: checked when the client is made, so a typo fails at once
 * with the fix instead of after a round of reconnect attempts.
 */
export function brokerUrlProblem(url: string): string | null {
  const u = url.trim();
  // KafkaJS habit: `url: 'host:port'`. (`brokers: ['host:port']` is the place for that form.)
  if (/^(\[[^\]]+\]|[^/:@\s]+):\d+$/.test(u)) return `url '${url}' has no scheme: use url: 'ws://${u}/ws' (or brokers: ['${u}'])`;
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return `url '${url}' is not a valid URL: use url: 'ws://host:port/ws'`;
  }
  // `ws` (and current browsers) also take http(s):// for the same endpoint.
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(parsed.protocol)) {
    return `url '${url}' must be a ws:// or wss:// URL: use url: 'ws://${parsed.host || 'host:port'}/ws'`;
  }
  return null;
}

/** The broker's HTTP server answered the WebSocket upgrade with something other than 101. */
export class UpgradeRefused extends Error {
  override readonly name = 'UpgradeRefused';
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`${url} answered the WebSocket upgrade with HTTP ${status}`);
  }
}

/** The error behind a socket's error event: `ws` hands it over as `event.error`; browsers give none. */
export function socketErrorOf(event: unknown): Error | undefined {
  const error = (event as { error?: unknown } | null)?.error;
  return error instanceof Error ? error : undefined;
}

/** Certificate problems, worth a clear log line: a retry will not fix them. */
const CERT_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/;

export interface SocketOptions {
  /** Node only: tls options for `wss://` (ignored by browsers, which do TLS themselves). */
  tls?: TlsOptions;
  /** Reports certificate failures, which a retry will not fix. */
  logger?: Logger;
}

type OpenSocket = (url: string, opts: SocketOptions) => MinimalSocket;
let factory: Promise<OpenSocket> | null = null;

/** Opens a WebSocket with the implementation of this platform. */
export async function openSocket(url: string, opts: SocketOptions = {}): Promise<MinimalSocket> {
  factory ??= makeFactory();
  return (await factory)(url, opts);
}

async function makeFactory(): Promise<OpenSocket> {
  const native = (globalThis as { WebSocket?: new (url: string) => MinimalSocket }).WebSocket;
  if (!isNode && native) return (url) => new native(url);
  await loadNodeCodecs(); // Node only: fetched batches may be compressed
  // A variable specifier keeps browser bundlers from trying to bundle `ws`.
  const mod = 'ws';
  const m = (await import(/* @vite-ignore */ mod)) as { default: unknown };
  type UpgradeRequest = { destroy(err: Error): void };
  type UpgradeResponse = { statusCode?: number; resume(): void };
  type WsSocket = MinimalSocket & {
    on(ev: 'error', f: (err: Error & { code?: string }) => void): void;
    on(ev: 'unexpected-response', f: (req: UpgradeRequest, res: UpgradeResponse) => void): void;
  };
  const Ws = m.default as new (url: string, protocols?: string[], options?: object) => WsSocket;
  return (url, opts) => {
    const socket = new Ws(url, undefined, opts.tls ? { ...opts.tls } : undefined);
    // A non-101 answer (404 for a wrong path): fail with its status rather than a bare error.
    // Destroying the request with an error makes `ws` emit it as the socket's error event.
    socket.on('unexpected-response', (req, res) => {
      res.resume();
      req.destroy(new UpgradeRefused(url, res.statusCode ?? 0));
    });
    const logger = opts.logger;
    if (logger && /^wss:/i.test(url)) {
      socket.on('error', (err) => {
        if (CERT_ERRORS.test(err.code ?? '')) {
          logger.error(`TLS connection to ${url} failed: ${err.message} (${err.code}); give the CA that signed the broker's certificate with ssl: { ca }`, {
            code: err.code,
          });
        }
      });
    }
    return socket;
  };
}

/** Turns a Uint8Array view into a Node Buffer (no copy) when running in Node, as KafkaJS users expect. */
export function asBuffer(b: Uint8Array): Uint8Array {
  const B = (globalThis as { Buffer?: { from(ab: ArrayBufferLike, off: number, len: number): Uint8Array } }).Buffer;
  return B ? B.from(b.buffer, b.byteOffset, b.byteLength) : b;
}
