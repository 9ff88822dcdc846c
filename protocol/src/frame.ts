/**
 * Frames: one WebSocket binary message each.
 *
 *   request  = apiKey int16 | apiVersion int16 | correlationId int32 | body
 *   server   = kind int8, then
 *     kind 0 (response) = correlationId int32 | errorCode int16 | errorMessage string? | body
 *     kind 1 (push)     = pushType int16 | body
 *
 * A response's body is present only when errorCode is 0; a frame-level error means the request
 * was not processed at all (malformed, unsupported version, no handshake). Per-partition errors
 * live in the body. Decoders return results instead of throwing, and refuse trailing bytes.
 */
import { Apis, apiNameOf, type ApiName, type RequestOf, type ResponseOf } from './apis.js';
import { ErrorCode } from './errors.js';
import { ProtocolError, Reader, Writer } from './io.js';
import type { Codec } from './schema.js';
import { HeartbeatNowPush } from './messages/push.js';

export const PROTOCOL_VERSION = 1;
export const REQUEST_HEADER_SIZE = 8;
export const FRAME_RESPONSE = 0;
export const FRAME_PUSH = 1;
export const PushType = { HeartbeatNow: 1 } as const;

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export function decodeBody<T>(codec: Codec<T>, buf: Uint8Array, start = 0): Result<T> {
  try {
    const r = new Reader(buf, start);
    const value = codec.read(r);
    if (r.remaining !== 0) return { ok: false, error: `${r.remaining} unexpected bytes after ${codec.type}` };
    return { ok: true, value };
  } catch (e) {
    if (e instanceof ProtocolError) return { ok: false, error: e.message };
    return { ok: false, error: `malformed ${codec.type}: ${(e as Error).message}` };
  }
}

export function encodeRequest<N extends ApiName>(name: N, correlationId: number, body: RequestOf<N>, version = 0): Uint8Array {
  const codec = Apis[name].request as Codec<RequestOf<N>>;
  // Sized up front from the record batches it carries: a 1 MiB Produce request is not copied
  // again and again as the writer doubles.
  const w = new Writer(256 + (codec.payload?.(body) ?? 0));
  w.int16(Apis[name].key);
  w.int16(version);
  w.int32(correlationId);
  codec.write(w, body);
  return w.finish();
}

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
}

export type DecodedRequest = {
  [N in ApiName]: { name: N; header: RequestHeader; body: RequestOf<N> };
}[ApiName];

export type RequestDecodeError = {
  /** Null when the frame is too short to carry one: the connection should be closed. */
  header: RequestHeader | null;
  code: number;
  message: string;
};

export function decodeRequest(buf: Uint8Array): { ok: true; value: DecodedRequest } | { ok: false; error: RequestDecodeError } {
  if (buf.length < REQUEST_HEADER_SIZE) {
    return { ok: false, error: { header: null, code: ErrorCode.INVALID_REQUEST, message: `frame of ${buf.length} bytes is shorter than a request header` } };
  }
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const header = { apiKey: v.getInt16(0), apiVersion: v.getInt16(2), correlationId: v.getInt32(4) };
  const name = apiNameOf(header.apiKey);
  if (name === undefined) {
    return { ok: false, error: { header, code: ErrorCode.UNSUPPORTED_VERSION, message: `unknown API key ${header.apiKey}` } };
  }
  const api = Apis[name];
  if (header.apiVersion < api.minVersion || header.apiVersion > api.maxVersion) {
    return { ok: false, error: { header, code: ErrorCode.UNSUPPORTED_VERSION, message: `${name} v${header.apiVersion} is not supported (v${api.minVersion}-v${api.maxVersion})` } };
  }
  const body = decodeBody(api.request as Codec<unknown>, buf, REQUEST_HEADER_SIZE);
  if (!body.ok) return { ok: false, error: { header, code: ErrorCode.INVALID_REQUEST, message: `${name}: ${body.error}` } };
  return { ok: true, value: { name, header, body: body.value } as DecodedRequest };
}

export function encodeResponse<N extends ApiName>(name: N, correlationId: number, body: ResponseOf<N>): Uint8Array {
  const codec = Apis[name].response as Codec<ResponseOf<N>>;
  const w = new Writer(256 + (codec.payload?.(body) ?? 0));
  w.int8(FRAME_RESPONSE);
  w.int32(correlationId);
  w.int16(0);
  w.int16(-1);
  codec.write(w, body);
  return w.finish();
}

export function encodeErrorResponse(correlationId: number, errorCode: number, message: string): Uint8Array {
  const w = new Writer(64 + message.length * 3);
  w.int8(FRAME_RESPONSE);
  w.int32(correlationId);
  w.int16(errorCode);
  w.utf8(message, (n) => w.int16(n));
  return w.finish();
}

export function encodeHeartbeatNow(push: HeartbeatNowPush): Uint8Array {
  const w = new Writer(64);
  w.int8(FRAME_PUSH);
  w.int16(PushType.HeartbeatNow);
  HeartbeatNowPush.write(w, push);
  return w.finish();
}

export type ServerFrame =
  | { kind: 'response'; correlationId: number; errorCode: number; errorMessage: string | null; body: Uint8Array; bodyStart: number }
  | { kind: 'push'; pushType: number; body: Uint8Array; bodyStart: number };

export function decodeServerFrame(buf: Uint8Array): Result<ServerFrame> {
  try {
    const r = new Reader(buf);
    const kind = r.int8();
    if (kind === FRAME_RESPONSE) {
      const correlationId = r.int32();
      const errorCode = r.int16();
      const n = r.int16();
      const errorMessage = n < 0 ? null : r.utf8(n);
      return { ok: true, value: { kind: 'response', correlationId, errorCode, errorMessage, body: buf, bodyStart: r.pos } };
    }
    if (kind === FRAME_PUSH) {
      const pushType = r.int16();
      return { ok: true, value: { kind: 'push', pushType, body: buf, bodyStart: r.pos } };
    }
    return { ok: false, error: `unknown frame kind ${kind}` };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

export function decodeResponseBody<N extends ApiName>(name: N, buf: Uint8Array, start: number): Result<ResponseOf<N>> {
  return decodeBody(Apis[name].response as Codec<ResponseOf<N>>, buf, start);
}

export function decodeHeartbeatNow(buf: Uint8Array, start: number): Result<HeartbeatNowPush> {
  return decodeBody(HeartbeatNowPush, buf, start);
}
