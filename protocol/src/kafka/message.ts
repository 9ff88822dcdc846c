/**
 * A top-level message (a request, a response or a header): a struct plus the versions it exists
 * in and the versions that are flexible (compact encodings and tagged fields), as in the
 * `validVersions` / `flexibleVersions` of Kafka's JSON specs.
 */
import { ProtocolError, Reader, Writer } from '../io.js';
import type { Codec } from '../schema.js';
import { UnsupportedVersionError, struct, type KField, type KStruct, type ValueOf } from './schema.js';
import { inVersions, parseVersions, type VersionRange } from './versions.js';

export interface MessageSpec {
  /** Absent for headers. */
  apiKey?: number;
  validVersions: string;
  flexibleVersions: string;
}

export interface KMessage<T> extends KStruct<T> {
  readonly apiKey: number | undefined;
  readonly validVersions: VersionRange;
  readonly flexibleVersions: VersionRange;
  isFlexible(version: number): boolean;
  /** The codec of one valid version; UnsupportedVersionError for any other. */
  version(version: number): Codec<T>;
  write(w: Writer, version: number, value: T): void;
  /** Reads one value; the caller checks what follows (see `decode`). */
  read(r: Reader, version: number): T;
  encode(version: number, value: T): Uint8Array;
  /** Decodes exactly `bytes`: trailing bytes are a ProtocolError. */
  decode(version: number, bytes: Uint8Array): T;
}

const SCRATCH_SIZE = 64 * 1024;
let scratch = new Writer(SCRATCH_SIZE);

/**
 * Runs `write` on a reused writer and returns a copy of exactly what it wrote: one allocation per
 * message instead of a writer that grows by doubling. A writer grown past 1 MiB is let go.
 */
export function encodeWith(write: (w: Writer) => void): Uint8Array {
  const w = scratch;
  w.pos = 0;
  write(w);
  const out = w.buf.slice(0, w.pos);
  if (w.buf.length > 1024 * 1024) scratch = new Writer(SCRATCH_SIZE);
  return out;
}

/**
 * Like `encodeWith`, but large record sets are not copied: the message comes back as pieces, in
 * order (copies of what the writer wrote between them, and the record sets themselves).
 */
export function encodeChunksWith(write: (w: Writer) => void): Uint8Array[] {
  const w = scratch;
  w.pos = 0;
  w.startChunks();
  let chunks: Uint8Array[];
  try {
    write(w);
  } finally {
    chunks = w.endChunks();
  }
  if (w.buf.length > 1024 * 1024) scratch = new Writer(SCRATCH_SIZE);
  return chunks;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function message<F extends Record<string, KField<any>>>(name: string, spec: MessageSpec, fields: F): KMessage<ValueOf<F>> {
  type T = ValueOf<F>;
  const s = struct(name, fields);
  const validVersions = parseVersions(spec.validVersions);
  const flexibleVersions = parseVersions(spec.flexibleVersions);
  const isFlexible = (v: number) => inVersions(flexibleVersions, v);
  const version = (v: number): Codec<T> => {
    if (!inVersions(validVersions, v)) throw new UnsupportedVersionError(`${name} has no version ${v} (valid: ${validVersions.text})`);
    return s.at(v, isFlexible(v));
  };
  return {
    ...s,
    apiKey: spec.apiKey,
    validVersions,
    flexibleVersions,
    isFlexible,
    version,
    write: (w, v, value) => version(v).write(w, value),
    read: (r, v) => version(v).read(r),
    encode(v, value) {
      const c = version(v);
      return encodeWith((w) => c.write(w, value));
    },
    decode(v, bytes) {
      const r = new Reader(bytes);
      const value = version(v).read(r);
      if (r.remaining !== 0) throw new ProtocolError(`${name} v${v}: ${r.remaining} trailing bytes`);
      return value;
    },
  } as KMessage<T>;
}
