/**
 * A tiny schema language: each protocol message is declared once as a `Codec`, and that one
 * declaration gives the encoder, the bounded decoder, the TypeScript type, and the byte-for-byte
 * documentation in protocol/README.md (scripts/gen-protocol-docs.mjs renders `describe()`).
 */
import { ProtocolError, RecordSet, type RecordBytes, type Reader, type Writer } from './io.js';

export interface Codec<T> {
  /** Short name used in the docs: `int32`, `string`, `[Partition]`. */
  readonly type: string;
  /** Smallest encoding in bytes; bounds array counts before anything is allocated. */
  readonly minSize: number;
  write(w: Writer, v: T): void;
  read(r: Reader): T;
  /** For structs: the named fields, used to render documentation. */
  readonly fields?: ReadonlyArray<FieldDoc>;
  readonly name?: string;
  /** For arrays: the element codec. */
  readonly item?: Codec<unknown>;
  /**
   * The length of the byte arrays in a value (record batches), to size a writer up front; absent
   * where none can hold any, so a message without them costs nothing to size.
   */
  payload?(v: T): number;
}

export interface FieldDoc {
  name: string;
  codec: Codec<unknown>;
  doc: string;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

function prim<T>(type: string, minSize: number, write: (w: Writer, v: T) => void, read: (r: Reader) => T): Codec<T> {
  return { type, minSize, write, read };
}

export const int8 = prim<number>('int8', 1, (w, v) => w.int8(v), (r) => r.int8());
export const int16 = prim<number>('int16', 2, (w, v) => w.int16(v), (r) => r.int16());
export const int32 = prim<number>('int32', 4, (w, v) => w.int32(v), (r) => r.int32());
export const int64 = prim<number>('int64', 8, (w, v) => w.int64(v), (r) => r.int64());
export const bool = prim<boolean>('bool', 1, (w, v) => w.bool(v), (r) => r.bool());

/** int16 length (bytes) then UTF-8. */
export const string = prim<string>(
  'string',
  2,
  (w, v) => w.utf8(v, (n) => w.int16(n)),
  (r) => {
    const n = r.int16();
    if (n < 0) throw new ProtocolError('null string where a string is required');
    return r.utf8(n);
  },
);

/** int16 length, -1 for null, then UTF-8. */
export const nullableString = prim<string | null>(
  'string?',
  2,
  (w, v) => (v === null ? w.int16(-1) : w.utf8(v, (n) => w.int16(n))),
  (r) => {
    const n = r.int16();
    if (n === -1) return null;
    if (n < 0) throw new ProtocolError(`bad string length ${n}`);
    return r.utf8(n);
  },
);

/** int32 length then raw bytes (decoded as a view, never copied). */
export const bytes: Codec<Uint8Array> = {
  ...prim<Uint8Array>(
    'bytes',
    4,
    (w, v) => {
      w.int32(v.length);
      w.raw(v);
    },
    (r) => {
      const n = r.int32();
      if (n < 0) throw new ProtocolError('null bytes where bytes are required');
      return r.bytes(n);
    },
  ),
  payload: (v) => v.length,
};

/**
 * Record batches: on the wire exactly `bytes`; written from one array or from a RecordSet's pieces
 * (the broker's Fetch answers), read as one array.
 */
export const recordBytes: Codec<RecordBytes> = {
  ...prim<RecordBytes>(
    'bytes',
    4,
    (w, v) => {
      w.int32(v.length);
      if (v instanceof RecordSet) for (const p of v.pieces) w.raw(p);
      else w.raw(v);
    },
    (r) => bytes.read(r),
  ),
  payload: (v) => v.length,
};

export const nullableBytes: Codec<Uint8Array | null> = {
  ...prim<Uint8Array | null>(
    'bytes?',
    4,
    (w, v) => {
      if (v === null) return w.int32(-1);
      w.int32(v.length);
      w.raw(v);
    },
    (r) => {
      const n = r.int32();
      if (n === -1) return null;
      if (n < 0) throw new ProtocolError(`bad bytes length ${n}`);
      return r.bytes(n);
    },
  ),
  payload: (v) => (v === null ? 0 : v.length),
};

function readCount(r: Reader, minSize: number, what: string): number {
  const n = r.int32();
  if (n < 0) throw new ProtocolError(`negative count ${n} for ${what}`);
  // Every element takes at least minSize bytes: a count the frame cannot hold is refused
  // before any array is allocated.
  if (n * Math.max(minSize, 1) > r.remaining) {
    throw new ProtocolError(`count ${n} for ${what} exceeds the ${r.remaining} bytes left`);
  }
  return n;
}

/** int32 count then the elements. */
export function array<T>(item: Codec<T>): Codec<T[]> {
  return {
    type: `[${item.name ?? item.type}]`,
    minSize: 4,
    write(w, v) {
      w.int32(v.length);
      for (const x of v) item.write(w, x);
    },
    read(r) {
      const n = readCount(r, item.minSize, item.type);
      const out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = item.read(r);
      return out;
    },
    fields: item.fields,
    name: item.name,
    item: item as Codec<unknown>,
    payload: itemsPayload(item),
  };
}

function itemsPayload<T>(item: Codec<T>): ((v: T[]) => number) | undefined {
  const of = item.payload;
  if (!of) return undefined;
  return (v) => {
    let n = 0;
    for (const x of v) n += of(x);
    return n;
  };
}

/** int32 count (-1 for null) then the elements. */
export function nullableArray<T>(item: Codec<T>): Codec<T[] | null> {
  const a = array(item);
  return {
    type: `[${item.name ?? item.type}]?`,
    minSize: 4,
    write(w, v) {
      if (v === null) return w.int32(-1);
      a.write(w, v);
    },
    read(r) {
      if (r.int32() === -1) return null;
      r.pos -= 4;
      return a.read(r);
    },
    fields: item.fields,
    name: item.name,
    item: item as Codec<unknown>,
    payload: a.payload && ((v) => (v === null ? 0 : a.payload!(v))),
  };
}

type FieldSpec = Codec<any> | [Codec<any>, string]; // eslint-disable-line @typescript-eslint/no-explicit-any
type FieldType<F> = F extends [Codec<infer T>, string] ? T : F extends Codec<infer T> ? T : never;
export type StructOf<F extends Record<string, FieldSpec>> = { [K in keyof F]: FieldType<F[K]> };

/** Fields in declaration order; each may carry a doc string: `{ offset: [int64, 'first offset'] }`. */
export function struct<F extends Record<string, FieldSpec>>(name: string, spec: F): Codec<StructOf<F>> {
  const fields: FieldDoc[] = Object.entries(spec).map(([fname, f]) =>
    Array.isArray(f) ? { name: fname, codec: f[0], doc: f[1] } : { name: fname, codec: f, doc: '' },
  );
  const n = fields.length;
  const names = fields.map((f) => f.name);
  const codecs = fields.map((f) => f.codec);
  // Only the fields that may hold byte arrays are visited to size a writer.
  const holding = fields.filter((f) => f.codec.payload);
  const payload =
    holding.length === 0
      ? undefined
      : (v: StructOf<F>) => {
          const o = v as Record<string, unknown>;
          let total = 0;
          for (const f of holding) {
            const val = o[f.name];
            if (val !== undefined) total += f.codec.payload!(val);
          }
          return total;
        };
  return {
    payload,
    type: name,
    name,
    minSize: codecs.reduce((s, c) => s + c.minSize, 0),
    fields,
    write(w, v) {
      const o = v as Record<string, unknown>;
      for (let i = 0; i < n; i++) {
        const val = o[names[i]!];
        if (val === undefined) throw new TypeError(`${name}.${names[i]} is missing`);
        codecs[i]!.write(w, val);
      }
    },
    read(r) {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) o[names[i]!] = codecs[i]!.read(r);
      return o as StructOf<F>;
    },
  };
}
