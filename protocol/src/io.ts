/**
 * Bounded binary reader and growable writer over Uint8Array/DataView (isomorphic: no Node API).
 * The reader checks every length it reads against the bytes that remain, so a hostile frame can
 * neither read out of bounds nor make us allocate more than it sent.
 */

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(message: string) {
    super(message);
  }
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const textEncoder = new TextEncoder();
const TWO_32 = 0x1_0000_0000;

export class Reader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new ProtocolError(`truncated: ${what} needs ${n} bytes at ${this.pos}, ${this.remaining} left`);
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.view.getInt8(this.pos++);
  }
  uint8(): number {
    this.need(1, 'uint8');
    return this.buf[this.pos++]!;
  }
  int16(): number {
    this.need(2, 'int16');
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4, 'int32');
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }
  uint32(): number {
    this.need(4, 'uint32');
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  /** int64 as a JS number; values outside the safe-integer range are refused. */
  int64(): number {
    this.need(8, 'int64');
    const hi = this.view.getInt32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    this.pos += 8;
    const v = hi * TWO_32 + lo;
    if (!Number.isSafeInteger(v)) throw new ProtocolError(`int64 out of safe range at ${this.pos - 8}`);
    return v;
  }
  bool(): boolean {
    const b = this.uint8();
    if (b > 1) throw new ProtocolError(`bool must be 0 or 1, got ${b}`);
    return b === 1;
  }
  /** Zigzag varint (int32 range), as in Kafka's record format. */
  varint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.uint8();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return (result >>> 1) ^ -(result & 1);
      shift += 7;
    }
    throw new ProtocolError('varint longer than 5 bytes');
  }
  /** Zigzag varlong limited to the safe-integer range. */
  varlong(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.uint8();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new ProtocolError('varlong out of safe range');
        return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      }
      mul *= 128;
    }
    throw new ProtocolError('varlong longer than 8 bytes');
  }
  /** Moves past the next n bytes without making a view of them. */
  skip(n: number, what = 'bytes'): void {
    this.need(n, what);
    this.pos += n;
  }
  /** A view (no copy) of the next n bytes. */
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /**
   * Moves past a UTF-8 string of n bytes, checking it without making it: ASCII in a loop (a
   * decode per header key cost about 100 ns, most of a record walk), anything else decoded.
   */
  skipUtf8(n: number): void {
    this.need(n, 'string');
    const { buf } = this;
    const end = this.pos + n;
    for (let i = this.pos; i < end; i++) {
      if (buf[i]! >= 0x80) {
        this.utf8(n);
        return;
      }
    }
    this.pos = end;
  }
  utf8(n: number): string {
    const b = this.bytes(n, 'string');
    try {
      return textDecoder.decode(b);
    } catch {
      throw new ProtocolError('string is not valid UTF-8');
    }
  }
}

/** In chunk mode, byte arrays at least this long are kept by reference (see `Writer.bulk`). */
const BULK_REF_MIN = 16 * 1024;

export class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  /** Chunk mode: the output so far as pieces (copies of the buffer's segments and referenced arrays). */
  private refs: Uint8Array[] | null = null;
  private segStart = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  int8(v: number): void {
    this.ensure(1);
    this.view.setInt8(this.pos++, v);
  }
  uint8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  int16(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
  }
  int32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }
  uint32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }
  int64(v: number): void {
    this.ensure(8);
    writeInt64(this.view, this.pos, v);
    this.pos += 8;
  }
  bool(v: boolean): void {
    this.uint8(v ? 1 : 0);
  }
  varint(v: number): void {
    let z = ((v << 1) ^ (v >> 31)) >>> 0;
    this.ensure(5);
    while (z >= 0x80) {
      this.buf[this.pos++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    this.buf[this.pos++] = z;
  }
  varlong(v: number): void {
    if (v >= -0x40000000 && v < 0x40000000) return this.varint(v);
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    this.ensure(10);
    while (z >= 0x80) {
      this.buf[this.pos++] = (z % 128) | 0x80;
      z = Math.floor(z / 128);
    }
    this.buf[this.pos++] = z;
  }
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /**
   * Like `raw`, but in chunk mode a large array (record batches in a Fetch answer) is referenced,
   * not copied: the socket writes the pieces with one writev. Nothing may be written back into a
   * position before it once it has been referenced (the codecs only ever append).
   */
  bulk(b: Uint8Array): void {
    if (this.refs === null || b.length < BULK_REF_MIN) return this.raw(b);
    if (this.pos > this.segStart) this.refs.push(this.buf.slice(this.segStart, this.pos));
    this.refs.push(b);
    this.segStart = this.pos;
  }
  /**
   * `bulk` for the pieces of a RecordSet, in order: large pieces are referenced as they are, and a
   * run of small ones is joined first (one copy, as before) so that a writev gets few, large pieces.
   */
  bulkPieces(pieces: readonly Uint8Array[]): void {
    if (this.refs === null) {
      for (const p of pieces) this.raw(p);
      return;
    }
    let run: Uint8Array[] = [];
    const endRun = () => {
      if (run.length > 0) this.bulk(run.length === 1 ? run[0]! : concatBytes(run));
      run = [];
    };
    for (const p of pieces) {
      if (p.length < BULK_REF_MIN) run.push(p);
      else {
        endRun();
        this.bulk(p);
      }
    }
    endRun();
  }
  /** Starts chunk mode at the current position. */
  startChunks(): void {
    this.refs = [];
    this.segStart = this.pos;
  }
  /** Ends chunk mode: the pieces written since `startChunks`, in order. */
  endChunks(): Uint8Array[] {
    const refs = this.refs ?? [];
    if (this.pos > this.segStart) refs.push(this.buf.slice(this.segStart, this.pos));
    this.refs = null;
    return refs;
  }
  /** Writes a string's UTF-8 bytes preceded by a length written by `writeLen`. */
  utf8(s: string, writeLen: (n: number) => void): void {
    // Fast path: ASCII strings are common (topic names, ids) and need no encoder call.
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      writeLen(s.length);
      this.ensure(s.length);
      for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
      return;
    }
    const b = textEncoder.encode(s);
    writeLen(b.length);
    this.raw(b);
  }
  /** The bytes written so far (a view; copy it if the writer is reused). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export function writeInt64(view: DataView, at: number, v: number): void {
  if (!Number.isSafeInteger(v)) throw new RangeError(`int64 value ${v} is not a safe integer`);
  const hi = Math.floor(v / TWO_32);
  view.setInt32(at, hi);
  view.setUint32(at + 4, v - hi * TWO_32);
}

export function readInt64(view: DataView, at: number): number {
  return view.getInt32(at) * TWO_32 + view.getUint32(at + 4);
}

export function utf8Encode(s: string): Uint8Array {
  return textEncoder.encode(s);
}

export function utf8Decode(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** Decodes strict UTF-8, or returns null when the bytes are not valid UTF-8. */
export function utf8DecodeStrict(b: Uint8Array): string | null {
  try {
    return textDecoder.decode(b);
  } catch {
    return null;
  }
}

/** Base64 without Node's Buffer (btoa exists in browsers and Node 16+). */
export function asBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Joins byte arrays into one (returns the only part as is, without copying). */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * Whole record batches kept as the pieces they were read in (a Fetch answer's batches, from
 * LevelDB or the broker's cache). A records field writes them one after another, so the broker
 * does not copy every byte of an answer once more only to join them: that copy doubled the memory
 * a fetch allocates, and that memory drove V8's full GCs. Decoders never make one: what is read off
 * the wire is one Uint8Array.
 */
export class RecordSet {
  readonly length: number;
  private constructor(readonly pieces: readonly Uint8Array[]) {
    let n = 0;
    for (const p of pieces) n += p.byteLength;
    this.length = n;
  }
  /** The pieces as a records value: one piece is itself, none is an empty array. */
  static of(pieces: readonly Uint8Array[]): RecordBytes {
    if (pieces.length === 0) return new Uint8Array(0);
    return pieces.length === 1 ? pieces[0]! : new RecordSet(pieces);
  }
}

/** A records field's value: one array, or pieces written in order (RecordSet). */
export type RecordBytes = Uint8Array | RecordSet;

/** The pieces of a records value, in order (one array is one piece). */
export function recordPieces(v: RecordBytes): readonly Uint8Array[] {
  return v instanceof RecordSet ? v.pieces : [v];
}

/** A records value as one array: joins a RecordSet (a copy), returns an array as it is. */
export function joinRecords(v: RecordBytes): Uint8Array {
  return v instanceof RecordSet ? concatBytes([...v.pieces]) : v;
}
