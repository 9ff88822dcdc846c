/**
 * Kafka framing on a TCP stream: every request and response is an int32 size then that many
 * bytes; a request starts with a request header (v1: apiKey, apiVersion, correlationId, clientId;
 * v2 adds tagged fields), a response with a response header (v0: correlationId; v1 adds tagged
 * fields). Flexible versions of an API use the flexible header versions, except that ApiVersions
 * responses always use response header v0 (a client must read them before it knows our versions).
 */
import { ProtocolError, Reader, Writer } from '../io.js';
import { KafkaApis, isSupportedVersion, kafkaApiNameOf, type KafkaApiName, type KafkaRequestOf, type KafkaResponseOf } from './apis.js';
import { encodeChunksWith, encodeWith } from './message.js';
import { RequestHeader, ResponseHeader } from './messages/headers.js';

/** Kafka's default socket.request.max.bytes (100 MiB). */
export const DEFAULT_MAX_FRAME_SIZE = 100 * 1024 * 1024;

export function requestHeaderVersion(apiKey: number, apiVersion: number): 1 | 2 {
  const name = kafkaApiNameOf(apiKey);
  // Unknown APIs: header v1 still yields the correlation id needed to answer.
  return name !== undefined && KafkaApis[name].request.isFlexible(apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  const name = kafkaApiNameOf(apiKey);
  if (name === undefined || name === 'ApiVersions') return 0;
  return KafkaApis[name].response.isFlexible(apiVersion) ? 1 : 0;
}

/**
 * Splits a TCP byte stream into frames (without their size prefix). A size that is negative or
 * above `maxFrameSize` is refused as soon as its 4 bytes arrive, before anything is allocated.
 * Frames are views of the pushed chunks when a frame lies within one chunk, else a copy.
 */
export class FrameSplitter {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private size = -1;

  constructor(readonly maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {}

  /** Bytes received but not yet returned as part of a frame. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.size < 0) {
        if (this.buffered < 4) break;
        const p = this.take(4);
        const size = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) | 0;
        if (size < 0 || size > this.maxFrameSize) {
          throw new ProtocolError(`frame size ${size} outside 0..${this.maxFrameSize}`);
        }
        this.size = size;
      }
      if (this.buffered < this.size) break;
      frames.push(this.take(this.size));
      this.size = -1;
    }
    return frames;
  }

  private take(n: number): Uint8Array {
    this.buffered -= n;
    const first = this.chunks[0];
    if (n === 0) return new Uint8Array(0);
    if (first!.length >= n) {
      if (first!.length === n) this.chunks.shift();
      else this.chunks[0] = first!.subarray(n);
      return first!.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}

type Known = { [N in KafkaApiName]: { kind: 'request'; api: N; header: RequestHeader; body: KafkaRequestOf<N> } }[KafkaApiName];

/**
 * A decoded request frame. `unsupported`: the header was read but the API or its version is not
 * one we serve; answer UNSUPPORTED_VERSION (for ApiVersions: a v0 response with our ranges).
 */
export type DecodedKafkaRequest = Known | { kind: 'unsupported'; header: RequestHeader; apiName: KafkaApiName | undefined };

/** Decodes a request frame (size prefix removed). Malformed bytes: ProtocolError. */
export function decodeKafkaRequest(frame: Uint8Array): DecodedKafkaRequest {
  const r = new Reader(frame);
  if (r.remaining < 4) throw new ProtocolError('request shorter than its api key and version');
  const apiKey = r.view.getInt16(0);
  const apiVersion = r.view.getInt16(2);
  const header = RequestHeader.read(r, requestHeaderVersion(apiKey, apiVersion));
  const name = kafkaApiNameOf(apiKey);
  if (name === undefined || !isSupportedVersion(name, apiVersion)) return { kind: 'unsupported', header, apiName: name };
  const body = KafkaApis[name].request.read(r, apiVersion);
  if (r.remaining !== 0) throw new ProtocolError(`${name} v${apiVersion} request: ${r.remaining} trailing bytes`);
  return { kind: 'request', api: name, header, body } as Known;
}

function sized(write: (w: Writer) => void): Uint8Array {
  const out = encodeWith((w) => {
    w.int32(0);
    write(w);
  });
  new DataView(out.buffer, out.byteOffset, 4).setInt32(0, out.length - 4);
  return out;
}

/** A whole request frame, size prefix included. */
export function encodeKafkaRequest<N extends KafkaApiName>(
  name: N,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: KafkaRequestOf<N>,
): Uint8Array {
  const api = KafkaApis[name];
  return sized((w) => {
    RequestHeader.write(w, requestHeaderVersion(api.key, apiVersion), { requestApiKey: api.key, requestApiVersion: apiVersion, correlationId, clientId });
    (api.request.write as (w: Writer, v: number, b: unknown) => void)(w, apiVersion, body);
  });
}

/** Writes a response's header and body (no size prefix). */
function responseWriter<N extends KafkaApiName>(name: N, apiVersion: number, correlationId: number, body: KafkaResponseOf<N>): (w: Writer) => void {
  const api = KafkaApis[name];
  return (w) => {
    ResponseHeader.write(w, responseHeaderVersion(api.key, apiVersion), { correlationId });
    (api.response.write as (w: Writer, v: number, b: unknown) => void)(w, apiVersion, body);
  };
}

/** A whole response frame, size prefix included. */
export function encodeKafkaResponse<N extends KafkaApiName>(name: N, apiVersion: number, correlationId: number, body: KafkaResponseOf<N>): Uint8Array {
  return sized(responseWriter(name, apiVersion, correlationId, body));
}

/**
 * The same frame as `encodeKafkaResponse`, as pieces: record sets (Fetch) are referenced, not
 * copied, for a socket to write with one writev.
 */
export function encodeKafkaResponseChunks<N extends KafkaApiName>(name: N, apiVersion: number, correlationId: number, body: KafkaResponseOf<N>): Uint8Array[] {
  const write = responseWriter(name, apiVersion, correlationId, body);
  const chunks = encodeChunksWith((w) => {
    w.int32(0);
    write(w);
  });
  let size = -4;
  for (const c of chunks) size += c.length;
  // the first piece is a copy of the writer's first segment, the size prefix included
  const first = chunks[0]!;
  new DataView(first.buffer, first.byteOffset, 4).setInt32(0, size);
  return chunks;
}

/** Decodes a response frame (size prefix removed) to the request it answers. */
export function decodeKafkaResponse<N extends KafkaApiName>(
  name: N,
  apiVersion: number,
  frame: Uint8Array,
): { correlationId: number; body: KafkaResponseOf<N> } {
  const api = KafkaApis[name];
  const r = new Reader(frame);
  const { correlationId } = ResponseHeader.read(r, responseHeaderVersion(api.key, apiVersion));
  const body = api.response.read(r, apiVersion) as KafkaResponseOf<N>;
  if (r.remaining !== 0) throw new ProtocolError(`${name} v${apiVersion} response: ${r.remaining} trailing bytes`);
  return { correlationId, body };
}
