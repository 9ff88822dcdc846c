/**
 * The value types of Kafka's message specs. A type is version-independent; `codec(flexible,
 * nullable)` picks its encoding for one version: flexible versions use the compact forms
 * (unsigned-varint length + 1, 0 for null), older ones the int16/int32 length (-1 for null).
 * Every length is checked against the bytes left before anything is allocated.
 */
import { ProtocolError, RecordSet, type RecordBytes, type Reader, type Writer } from '../io.js';
import { bool as boolCodec, int16 as int16Codec, int32 as int32Codec, int64 as int64Codec, int8 as int8Codec, type Codec } from '../schema.js';

export type Kind =
  | 'int8' | 'int16' | 'int32' | 'int64' | 'uint16' | 'uvarint' | 'varint' | 'float64' | 'bool' | 'uuid'
  | 'string' | 'bytes' | 'records' | 'array' | 'struct';

export interface KType<T> {
  readonly kind: Kind;
  /** As Kafka's specs write it: `int32`, `string`, `[]FetchTopic`, `FetchTopic`. */
  readonly name: string;
  /** The value a field of this type has when its declaration names no default. */
  zero(): T;
  /** The encoding in one version; `nullable` adds null to the values it takes. */
  codec(version: number, flexible: boolean, nullable: boolean): Codec<T | null>;
  /** For arrays: the element type. */
  readonly item?: KType<unknown>;
}

/** Kafka's unsigned varint (at most 5 bytes, so at most 2^32 - 1). */
export function readUvarint(r: Reader): number {
  let result = 0;
  for (let i = 0, mul = 1; i < 5; i++, mul *= 128) {
    const b = r.uint8();
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      if (result > 0xffff_ffff) throw new ProtocolError('unsigned varint exceeds 32 bits');
      return result;
    }
  }
  throw new ProtocolError('unsigned varint longer than 5 bytes');
}

export function writeUvarint(w: Writer, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new RangeError(`uvarint ${v} out of range`);
  w.ensure(5);
  while (v >= 0x80) {
    w.buf[w.pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  w.buf[w.pos++] = v;
}

/** Length of a compact string/bytes/array: uvarint(n + 1), 0 for null. Returns -1 for null. */
function readCompactLength(r: Reader): number {
  return readUvarint(r) - 1;
}

function fixed<T>(kind: Kind, zero: T, c: Codec<T>): KType<T> {
  return { kind, name: kind, zero: () => zero, codec: () => c as Codec<T | null> };
}

export const int8 = fixed('int8', 0, int8Codec);
export const int16 = fixed('int16', 0, int16Codec);
export const int32 = fixed('int32', 0, int32Codec);
/** int64 as a JS number: values outside the safe-integer range are refused by the reader. */
export const int64 = fixed('int64', 0, int64Codec);
export const bool = fixed('bool', false, boolCodec);
export const uint16 = fixed<number>('uint16', 0, {
  type: 'uint16',
  minSize: 2,
  write: (w, v) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`uint16 ${v} out of range`);
    w.int16(v << 16 >> 16);
  },
  read: (r) => r.int16() & 0xffff,
});
export const uvarint = fixed<number>('uvarint', 0, { type: 'uvarint', minSize: 1, write: writeUvarint, read: readUvarint });
export const varint = fixed<number>('varint', 0, { type: 'varint', minSize: 1, write: (w, v) => w.varint(v), read: (r) => r.varint() });
export const float64 = fixed<number>('float64', 0, {
  type: 'float64',
  minSize: 8,
  write: (w, v) => {
    w.ensure(8);
    w.view.setFloat64(w.pos, v);
    w.pos += 8;
  },
  read: (r) => {
    r.need(8, 'float64');
    const v = r.view.getFloat64(r.pos);
    r.pos += 8;
    return v;
  },
});

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_INDEX = new Map([...B64URL].map((c, i) => [c, i]));

/** A uuid as Kafka prints it (Uuid.toString): 22 characters of unpadded URL-safe base64. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export const uuid = fixed<string>('uuid', ZERO_UUID, {
  type: 'uuid',
  minSize: 16,
  write(w, v) {
    if (v.length !== 22) throw new RangeError(`uuid '${v}' is not 22 base64url characters`);
    w.ensure(16);
    // 22 characters carry 132 bits: 16 bytes and 4 trailing zero bits.
    let acc = 0;
    let bits = 0;
    let out = 0;
    for (let i = 0; i < 22; i++) {
      const d = B64URL_INDEX.get(v[i]!);
      if (d === undefined) throw new RangeError(`uuid '${v}' is not base64url`);
      acc = (acc << 6) | d;
      bits += 6;
      if (bits >= 8 && out < 16) {
        bits -= 8;
        w.buf[w.pos + out++] = (acc >> bits) & 0xff;
        acc &= (1 << bits) - 1;
      }
    }
    if (acc !== 0) throw new RangeError(`uuid '${v}' has non-zero trailing bits`);
    w.pos += 16;
  },
  read(r) {
    r.need(16, 'uuid');
    let s = '';
    let acc = 0;
    let bits = 0;
    for (let i = 0; i < 16; i++) {
      acc = (acc << 8) | r.buf[r.pos + i]!;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        s += B64URL[(acc >> bits) & 0x3f];
      }
      acc &= (1 << bits) - 1;
    }
    s += B64URL[acc << (6 - bits)];
    r.pos += 16;
    return s;
  },
});

function stringCodec(flexible: boolean, nullable: boolean): Codec<string | null> {
  return {
    type: flexible ? 'compact_string' : 'string',
    minSize: flexible ? 1 : 2,
    write(w, v) {
      if (v === null) return flexible ? writeUvarint(w, 0) : w.int16(-1);
      if (flexible) return w.utf8(v, (n) => writeUvarint(w, n + 1));
      w.utf8(v, (n) => {
        if (n > 0x7fff) throw new RangeError(`string of ${n} bytes is longer than 32767`);
        w.int16(n);
      });
    },
    read(r) {
      const n = flexible ? readCompactLength(r) : r.int16();
      if (n < 0) {
        if (n === -1 && nullable) return null;
        throw new ProtocolError(n === -1 ? 'null string where a string is required' : `bad string length ${n}`);
      }
      return r.utf8(n);
    },
  };
}

export const string: KType<string> = { kind: 'string', name: 'string', zero: () => '', codec: (_v, f, n) => stringCodec(f, n) };

function bytesCodec(kind: 'bytes' | 'records', flexible: boolean, nullable: boolean): Codec<RecordBytes | null> {
  return {
    type: flexible ? `compact_${kind}` : kind,
    minSize: flexible ? 1 : 4,
    write(w, v) {
      if (v === null) return flexible ? writeUvarint(w, 0) : w.int32(-1);
      if (flexible) writeUvarint(w, v.length + 1);
      else w.int32(v.length);
      // A RecordSet (only records fields are given one) is written piece by piece.
      if (v instanceof RecordSet) w.bulkPieces(v.pieces);
      else if (kind === 'records') w.bulk(v);
      else w.raw(v);
    },
    read(r) {
      const n = flexible ? readCompactLength(r) : r.int32();
      if (n < 0) {
        if (n === -1 && nullable) return null;
        throw new ProtocolError(n === -1 ? `null ${kind} where ${kind} are required` : `bad ${kind} length ${n}`);
      }
      return r.bytes(n, kind); // a view: record batches are passed on, never decoded here
    },
  };
}

export const bytes: KType<Uint8Array> = {
  kind: 'bytes',
  name: 'bytes',
  zero: () => new Uint8Array(0),
  // sound: it writes any RecordBytes and reads only arrays
  codec: (_v, f, n) => bytesCodec('bytes', f, n) as Codec<Uint8Array | null>,
};

/**
 * Raw record-batch bytes (Kafka's `records`): kept as a view, decoded elsewhere; written from one
 * array or from a RecordSet's pieces (the broker's Fetch answers). Defaults to null.
 */
export const records: KType<RecordBytes | null> = {
  kind: 'records',
  name: 'records',
  zero: () => null,
  codec: (_v, f, n) => bytesCodec('records', f, n),
};

/** `[]T`: int32 count (-1 for null), or in flexible versions uvarint count + 1 (0 for null). */
export function array<T>(item: KType<T>): KType<T[]> {
  return {
    kind: 'array',
    name: `[]${item.name}`,
    item: item as KType<unknown>,
    zero: () => [],
    codec(version, flexible, nullable) {
      const c = item.codec(version, flexible, false) as Codec<T>;
      const min = Math.max(c.minSize, 1);
      return {
        type: `[]${c.type}`,
        minSize: flexible ? 1 : 4,
        write(w, v) {
          if (v === null) return flexible ? writeUvarint(w, 0) : w.int32(-1);
          if (flexible) writeUvarint(w, v.length + 1);
          else w.int32(v.length);
          for (const x of v) c.write(w, x);
        },
        read(r) {
          const n = flexible ? readCompactLength(r) : r.int32();
          if (n < 0) {
            if (n === -1 && nullable) return null;
            throw new ProtocolError(n === -1 ? `null array of ${item.name} where an array is required` : `bad count ${n}`);
          }
          // Each element takes at least `min` bytes: a count the frame cannot hold is refused
          // before the array is allocated.
          if (n * min > r.remaining) throw new ProtocolError(`count ${n} of ${item.name} exceeds the ${r.remaining} bytes left`);
          const out = new Array<T>(n);
          for (let i = 0; i < n; i++) out[i] = c.read(r);
          return out;
        },
      };
    },
  };
}
