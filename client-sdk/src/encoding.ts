/**
 * Conversions between what users pass (KafkaJS shapes: strings, Buffers, Uint8Arrays, header
 * objects) and the bytes a record batch carries. Browser-safe: only Uint8Array and TextEncoder.
 */
import { varintSize, type RecordHeader } from '@brook/protocol';

/** A key, value or header value as users give it: text (UTF-8 encoded), bytes (a Buffer is a Uint8Array), or null. */
export type BytesInput = string | Uint8Array | null | undefined;

/** KafkaJS-style headers: a value may be an array, which becomes repeated headers with the same key. */
export interface IHeaders {
  [key: string]: string | Uint8Array | Array<string | Uint8Array> | null | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** `string` → UTF-8 bytes, `Uint8Array` (or Buffer) as-is, `null`/`undefined` → null. */
export function toBytes(v: BytesInput): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return v;
  // Anything else (a number, a boolean) is stringified, as KafkaJS does with Buffer.from(String(v)).
  return utf8(typeof v === 'string' ? v : String(v));
}

/** In Node, Buffer.from is several times faster than TextEncoder for short strings (it uses a pool). */
const NodeBuffer = (globalThis as { Buffer?: { from(s: string, enc: 'utf8'): Uint8Array } }).Buffer;
const utf8: (s: string) => Uint8Array = NodeBuffer ? (s) => NodeBuffer.from(s, 'utf8') : (s) => encoder.encode(s);

/** Bytes → UTF-8 text (null stays null). */
export function bytesToString(v: Uint8Array | null): string | null {
  return v === null ? null : decoder.decode(v);
}

/** Header object → the ordered header list a record carries. Undefined values are skipped. */
export function toRecordHeaders(headers: IHeaders | null | undefined): RecordHeader[] {
  if (!headers) return [];
  const out: RecordHeader[] = [];
  for (const [key, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      for (const item of v) out.push({ key, value: toBytes(item) });
    } else {
      out.push({ key, value: toBytes(v) });
    }
  }
  return out;
}

/**
 * Header list → a KafkaJS-style object: a key seen once maps to its value, a repeated key to an
 * array of values in record order. `wrap` lets Node callers turn values into Buffers.
 */
export function fromRecordHeaders(
  headers: readonly RecordHeader[],
  wrap: (b: Uint8Array) => Uint8Array = (b) => b,
): { [key: string]: Uint8Array | Uint8Array[] | null } {
  const out: { [key: string]: Uint8Array | Uint8Array[] | null } = {};
  for (const h of headers) {
    const value = h.value === null ? null : wrap(h.value);
    if (!Object.prototype.hasOwnProperty.call(out, h.key)) {
      out[h.key] = value;
      continue;
    }
    const prev = out[h.key];
    if (Array.isArray(prev)) {
      if (value !== null) prev.push(value);
    } else {
      const arr: Uint8Array[] = [];
      if (prev) arr.push(prev);
      if (value !== null) arr.push(value);
      out[h.key] = arr;
    }
  }
  return out;
}

/**
 * An upper bound on the bytes one record takes inside a v2 record batch (length prefix, attributes,
 * timestamp and offset deltas at their widest, key, value, headers). Used to split batches before
 * encoding; exact enough that a batch sized by it never exceeds its limit.
 */
export function recordSizeUpperBound(key: Uint8Array | null, value: Uint8Array | null, headers: readonly RecordHeader[]): number {
  let size = 1 + 10 + 5; // attributes, timestampDelta (varlong), offsetDelta (varint)
  size += key === null ? 1 : varintSize(key.length) + key.length;
  size += value === null ? 1 : varintSize(value.length) + value.length;
  size += varintSize(headers.length);
  for (const h of headers) {
    const kl = utf8Length(h.key);
    size += varintSize(kl) + kl;
    size += h.value === null ? 1 : varintSize(h.value.length) + h.value.length;
  }
  return size + varintSize(size);
}

/** UTF-8 byte length of a string without encoding it. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
