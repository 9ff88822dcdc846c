/**
 * The one place that picks a WebSocket implementation: the browser's native one, or `ws` in Node
 * (Node 20 has no global WebSocket). Both expose the WHATWG API used here.
 */
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

type SocketCtor = new (url: string) => MinimalSocket;

let ctorPromise: Promise<SocketCtor> | null = null;

export function socketConstructor(): Promise<SocketCtor> {
  if (ctorPromise) return ctorPromise;
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  const native = (globalThis as { WebSocket?: SocketCtor }).WebSocket;
  if (!isNode && native) {
    ctorPromise = Promise.resolve(native);
  } else {
    // A variable specifier keeps browser bundlers from trying to bundle `ws`.
    const mod = 'ws';
    ctorPromise = import(/* @vite-ignore */ mod).then((m: { default: SocketCtor }) => m.default);
  }
  return ctorPromise;
}

/** Turns a Uint8Array view into a Node Buffer (no copy) when running in Node, as KafkaJS users expect. */
export function asBuffer(b: Uint8Array): Uint8Array {
  const B = (globalThis as { Buffer?: { from(ab: ArrayBufferLike, off: number, len: number): Uint8Array } }).Buffer;
  return B ? B.from(b.buffer, b.byteOffset, b.byteLength) : b;
}
