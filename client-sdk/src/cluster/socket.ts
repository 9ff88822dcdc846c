/**
 * The byte stream a Kafka connection runs on. The cluster code is isomorphic; only the opener is
 * Node's (transport/kafka.ts: node:net and node:tls), loaded when the first connection is made.
 */
import type { TlsOptions } from '../socket.js';

export interface ByteSocket {
  write(bytes: Uint8Array): void;
  /** Bytes queued in the socket, not yet sent. */
  readonly bufferedAmount: number;
  close(): void;
  onData: ((chunk: Uint8Array) => void) | null;
  /** Called once, when the socket is closed or failed (with the error if it failed). */
  onClose: ((error?: Error) => void) | null;
}

export interface SocketOptions {
  /** TLS: `true` for the system's CAs, or tls options (KafkaJS's `ssl`). */
  tls?: boolean | TlsOptions;
  /** Fails the connection attempt after this long. */
  timeoutMs: number;
}

export type SocketOpener = (host: string, port: number, opts: SocketOptions) => Promise<ByteSocket>;
