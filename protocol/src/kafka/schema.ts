/**
 * Kafka's versioned schema language, in the spirit of Kafka's own JSON message specs: each
 * message is declared once, and every field says in which versions it exists (`versions`), may be
 * null (`nullable`), is a tagged field (`tag` + `tagged`), its `default`, and whether it may be
 * dropped when a version lacks it (`ignorable`). From that one declaration come, for each version,
 * an encoder and a bounded decoder (compiled once per version and cached) and the TypeScript type.
 *
 *   const Topic = struct('Topic', {
 *     name: field(string, '0+'),
 *     topicId: field(uuid, '10+'),
 *     partitions: field(array(int32), '0+', { nullable: '4+', default: null }),
 *     clusterId: field(string, '12+', { nullable: '12+', default: null, tag: 0, tagged: '12+' }),
 *   });
 *
 * Decoding: a field absent in a version decodes to its default, and so does a tagged field the
 * sender left out; unknown tags are skipped. Encoding: a value for a field the version lacks is an
 * UnsupportedVersionError unless it is the default or the field is `ignorable` (then it is dropped),
 * as Kafka's generated code does.
 */
import { ProtocolError, Reader, Writer } from '../io.js';
import type { Codec } from '../schema.js';
import { readUvarint, writeUvarint, type KType } from './types.js';
import { NO_VERSIONS, inVersions, parseVersions, type VersionRange } from './versions.js';

/** Raised when a value cannot be written in the version asked for (Kafka's UnsupportedVersionException). */
export class UnsupportedVersionError extends Error {
  override readonly name = 'UnsupportedVersionError';
}

export interface FieldOptions<D> {
  /** Versions in which the field may be null (Kafka's nullableVersions). */
  nullable?: string;
  /** The value when absent; else 0, false, '', empty bytes/array, the zero uuid, null for records. */
  default?: D;
  /** Tagged-field number, with `tagged` (Kafka's taggedVersions). */
  tag?: number;
  tagged?: string;
  /** A version lacking the field drops a non-default value instead of refusing it. */
  ignorable?: boolean;
  /** 'none' keeps the non-compact encoding in flexible versions (the request header's clientId). */
  flexible?: 'none';
}

export interface KField<T> {
  readonly type: KType<unknown>;
  readonly versions: VersionRange;
  readonly nullable: VersionRange;
  readonly tagged: VersionRange;
  readonly tag: number | undefined;
  readonly hasDefault: boolean;
  readonly default: unknown;
  readonly ignorable: boolean;
  readonly neverCompact: boolean;
  /** Phantom: the field's TypeScript value type. */
  readonly __value?: T;
}

export function field<T>(type: KType<T>, versions: string): KField<T>;
export function field<T, O extends FieldOptions<T | null> & { nullable: string }>(type: KType<T>, versions: string, opts: O): KField<T | null>;
export function field<T>(type: KType<T>, versions: string, opts: FieldOptions<T>): KField<T>;
export function field<T>(type: KType<T>, versions: string, opts: FieldOptions<T | null> = {}): KField<T> {
  if ((opts.tag === undefined) !== (opts.tagged === undefined)) throw new Error('tag and tagged go together');
  return {
    type: type as KType<unknown>,
    versions: parseVersions(versions),
    nullable: opts.nullable ? parseVersions(opts.nullable) : NO_VERSIONS,
    tagged: opts.tagged ? parseVersions(opts.tagged) : NO_VERSIONS,
    tag: opts.tag,
    hasDefault: 'default' in opts,
    default: opts.default,
    ignorable: opts.ignorable ?? false,
    neverCompact: opts.flexible === 'none',
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Fields = Record<string, KField<any>>;
export type ValueOf<F extends Fields> = { [K in keyof F]: F[K] extends KField<infer T> ? T : never };
export type Infer<S> = S extends KType<infer T> ? T : never;

export interface FieldDecl extends KField<unknown> {
  readonly name: string;
}

export interface KStruct<T> extends KType<T> {
  readonly kind: 'struct';
  readonly fields: ReadonlyArray<FieldDecl>;
  /** The codec of one version (compiled on first use, then cached). */
  at(version: number, flexible: boolean): Codec<T>;
  /** A value with every field at its default. */
  defaults(): T;
}

export function defaultOf(f: KField<unknown>): unknown {
  if (!f.hasDefault || f.default === null) return f.hasDefault ? null : f.type.zero();
  // Arrays and structs get a fresh value: decoded objects are the caller's to change.
  return f.type.kind === 'array' || f.type.kind === 'struct' ? f.type.zero() : f.default;
}

export function isDefault(f: KField<unknown>, v: unknown): boolean {
  if (v === undefined) return true;
  // Checked on every encode for each field the version lacks: no default is built for the
  // common kinds.
  if (f.hasDefault && f.default === null) return v === null;
  switch (f.type.kind) {
    case 'array':
      return Array.isArray(v) && v.length === 0;
    case 'bytes':
      return v instanceof Uint8Array && v.length === 0;
    case 'struct': {
      if (v === null || typeof v !== 'object') return false;
      const o = v as Record<string, unknown>;
      return (f.type as KStruct<unknown>).fields.every((d) => isDefault(d, o[d.name]));
    }
    default:
      return v === (f.hasDefault ? f.default : f.type.zero());
  }
}

interface Present {
  name: string;
  codec: Codec<unknown>;
  nullable: boolean;
  decl: FieldDecl;
}

/** The fields of one version, sorted into what goes on the wire, what is tagged and what is absent. */
function compile(structName: string, decls: ReadonlyArray<FieldDecl>, version: number, flexible: boolean): Codec<unknown> {
  const regular: Present[] = [];
  const tagged: Array<Present & { tag: number }> = [];
  const absent: FieldDecl[] = [];
  for (const d of decls) {
    if (!inVersions(d.versions, version)) {
      absent.push(d);
      continue;
    }
    const nullable = inVersions(d.nullable, version);
    const codec = d.type.codec(version, flexible && !d.neverCompact, nullable) as Codec<unknown>;
    const p = { name: d.name, codec, nullable, decl: d };
    if (d.tag !== undefined && inVersions(d.tagged, version)) tagged.push({ ...p, tag: d.tag });
    else regular.push(p);
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const byTag = new Map(tagged.map((t) => [t.tag, t]));
  const where = (name: string) => `${structName}.${name} at version ${version}`;

  function writeField(w: Writer, p: Present, v: unknown): void {
    if (v === null && !p.nullable) throw new UnsupportedVersionError(`${where(p.name)} is not nullable`);
    p.codec.write(w, v);
  }

  return {
    type: structName,
    name: structName,
    minSize: regular.reduce((s, p) => s + p.codec.minSize, 0) + (flexible ? 1 : 0),
    write(w, value) {
      const o = value as Record<string, unknown>;
      for (const d of absent) {
        if (!d.ignorable && !isDefault(d, o[d.name])) {
          throw new UnsupportedVersionError(`${where(d.name)} does not exist; cannot send a non-default value`);
        }
      }
      for (const p of regular) {
        const v = o[p.name];
        writeField(w, p, v === undefined ? defaultOf(p.decl) : v);
      }
      if (!flexible) return;
      if (tagged.length === 0) return w.uint8(0);
      // Tagged fields are written only when they differ from their default, in tag order.
      const send = tagged.filter((t) => !isDefault(t.decl, o[t.name]));
      writeUvarint(w, send.length);
      for (const t of send) {
        const inner = new Writer(64);
        writeField(inner, t, o[t.name]);
        writeUvarint(w, t.tag);
        writeUvarint(w, inner.pos);
        w.raw(inner.finish());
      }
    },
    read(r) {
      const o: Record<string, unknown> = {};
      for (const p of regular) o[p.name] = p.codec.read(r);
      if (flexible) {
        const n = readUvarint(r);
        if (n > r.remaining) throw new ProtocolError(`${n} tagged fields in ${r.remaining} bytes`);
        for (let i = 0; i < n; i++) {
          const tag = readUvarint(r);
          const size = readUvarint(r);
          r.need(size, 'tagged field');
          const t = byTag.get(tag);
          if (t) {
            const sub = new Reader(r.buf, r.pos, r.pos + size);
            o[t.name] = t.codec.read(sub);
            if (sub.remaining !== 0) throw new ProtocolError(`tagged field ${where(t.name)} has ${sub.remaining} extra bytes`);
          }
          r.pos += size; // unknown tags are skipped
        }
        for (const t of tagged) if (!(t.name in o)) o[t.name] = defaultOf(t.decl);
      }
      for (const d of absent) o[d.name] = defaultOf(d);
      return o;
    },
  };
}

export function struct<F extends Fields>(name: string, fields: F): KStruct<ValueOf<F>> {
  const decls: FieldDecl[] = Object.entries(fields).map(([n, f]) => ({ ...f, name: n }));
  const tags = new Set<number>();
  for (const d of decls) {
    if (d.tag === undefined) continue;
    if (tags.has(d.tag)) throw new Error(`${name}: tag ${d.tag} used twice`);
    tags.add(d.tag);
  }
  const cache = new Map<number, Codec<unknown>>();
  const at = (version: number, flexible: boolean): Codec<ValueOf<F>> => {
    const key = version * 2 + (flexible ? 1 : 0);
    let c = cache.get(key);
    if (!c) cache.set(key, (c = compile(name, decls, version, flexible)));
    return c as Codec<ValueOf<F>>;
  };
  const defaults = () => Object.fromEntries(decls.map((d) => [d.name, defaultOf(d)])) as ValueOf<F>;
  return {
    kind: 'struct',
    name,
    fields: decls,
    at,
    defaults,
    zero: defaults,
    codec(version, flexible, nullable) {
      const c = at(version, flexible);
      if (!nullable) return c;
      // A nullable struct is preceded by an int8: -1 for null, 1 for present.
      return {
        type: `${name}?`,
        name,
        minSize: 1,
        write(w, v) {
          if (v === null) return w.int8(-1);
          w.int8(1);
          c.write(w, v);
        },
        read(r) {
          return r.int8() < 0 ? null : c.read(r);
        },
      };
    },
  };
}
