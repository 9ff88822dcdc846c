import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Apis,
  ErrorCode,
  Reader,
  Writer,
  crc32c,
  decodeRequest,
  decodeResponseBody,
  decodeServerFrame,
  encodeErrorResponse,
  encodeRequest,
  encodeResponse,
  murmur2,
  defaultPartition,
  type ApiName,
} from '../src/index.js';
import { arbitraryFor } from './arbitrary.js';

const names = Object.keys(Apis) as ApiName[];
const enc = new TextEncoder();

// Node Buffers/Uint8Array views compare by content in toEqual; normalise views to plain arrays.
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

describe('message codecs', () => {
  for (const name of names) {
    it(`${name} request round-trips`, () => {
      fc.assert(
        fc.property(arbitraryFor(Apis[name].request as never), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (body, cid) => {
          const frame = encodeRequest(name, cid, body as never);
          const d = decodeRequest(frame);
          expect(d.ok).toBe(true);
          if (!d.ok) return;
          expect(d.value.name).toBe(name);
          expect(d.value.header.correlationId).toBe(cid);
          expect(plain(d.value.body)).toEqual(plain(body));
        }),
        { numRuns: 60, seed: 42 },
      );
    });
    it(`${name} response round-trips`, () => {
      fc.assert(
        fc.property(arbitraryFor(Apis[name].response as never), (body) => {
          const frame = encodeResponse(name, 9, body as never);
          const f = decodeServerFrame(frame);
          expect(f.ok && f.value.kind === 'response').toBe(true);
          if (!f.ok || f.value.kind !== 'response') return;
          const b = decodeResponseBody(name, f.value.body, f.value.bodyStart);
          expect(b.ok).toBe(true);
          if (b.ok) expect(plain(b.value)).toEqual(plain(body));
        }),
        { numRuns: 60, seed: 43 },
      );
    });
  }

  it('error responses carry code and message', () => {
    const f = decodeServerFrame(encodeErrorResponse(5, ErrorCode.INVALID_REQUEST, 'nope'));
    expect(f).toEqual({ ok: true, value: expect.objectContaining({ kind: 'response', correlationId: 5, errorCode: 42, errorMessage: 'nope' }) });
  });
});

/** Every byte array in a value, by walking it (what the codec's `payload` must add up to). */
function byteArrays(v: unknown): number {
  if (v instanceof Uint8Array) return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + byteArrays(x), 0);
  if (v && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + byteArrays(x), 0);
  return 0;
}

describe("a message's payload (its record batches, to size the writer up front)", () => {
  for (const name of names) {
    it(`${name}: the request's and the response's byte arrays, and nothing to visit where none can be`, () => {
      for (const codec of [Apis[name].request, Apis[name].response]) {
        fc.assert(
          fc.property(arbitraryFor(codec as never), (body) => {
            expect((codec as { payload?: (v: unknown) => number }).payload?.(body) ?? 0).toBe(byteArrays(body));
          }),
          { numRuns: 40, seed: 44 },
        );
      }
    });
  }
  it('is declared exactly where byte arrays can be', () => {
    expect(Apis.Produce.request.payload).toBeTypeOf('function');
    expect(Apis.Fetch.response.payload).toBeTypeOf('function');
    expect(Apis.ListOffsets.request.payload).toBeUndefined();
    expect(Apis.OffsetCommit.response.payload).toBeUndefined();
  });
});

describe('malformed frames', () => {
  it('every truncation of a valid frame is a typed error, never an exception', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.integer({ min: 0, max: 10_000 }), (name, seed) => {
        const body = fc.sample(arbitraryFor(Apis[name].request as never), { numRuns: 1, seed })[0];
        const frame = encodeRequest(name, 1, body as never);
        for (let cut = 0; cut < frame.length; cut++) {
          const d = decodeRequest(frame.subarray(0, cut));
          expect(d.ok).toBe(false);
        }
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('random bytes and mutated frames never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(() => decodeRequest(bytes)).not.toThrow();
        expect(() => decodeServerFrame(bytes)).not.toThrow();
      }),
      { numRuns: 2000, seed: 11 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), (name, muts) => {
        const body = fc.sample(arbitraryFor(Apis[name].request as never), { numRuns: 1, seed: muts.length })[0];
        const frame = encodeRequest(name, 1, body as never).slice();
        for (const [i, b] of muts) frame[i % frame.length] = b;
        expect(() => decodeRequest(frame)).not.toThrow();
      }),
      { numRuns: 2000, seed: 12 },
    );
  });

  it('an array count larger than the frame is refused before allocating', () => {
    const w = new Writer();
    w.int16(3); // Metadata
    w.int16(0);
    w.int32(1);
    w.int32(0x7fffffff); // topics count
    const d = decodeRequest(w.finish());
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error.code).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('unknown API keys and versions are UNSUPPORTED_VERSION with the correlation id', () => {
    const w = new Writer();
    w.int16(999);
    w.int16(0);
    w.int32(77);
    const d = decodeRequest(w.finish());
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.error.code).toBe(ErrorCode.UNSUPPORTED_VERSION);
      expect(d.error.header?.correlationId).toBe(77);
    }
  });

  it('trailing bytes are refused', () => {
    const frame = encodeRequest('Metadata', 1, { topics: null });
    const longer = new Uint8Array(frame.length + 1);
    longer.set(frame);
    expect(decodeRequest(longer).ok).toBe(false);
  });
});

describe('primitives', () => {
  it('varint and varlong round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (a, b) => {
        const w = new Writer(4);
        w.varint(a);
        w.varlong(b);
        const r = new Reader(w.finish());
        expect(r.varint()).toBe(a);
        expect(r.varlong()).toBe(b);
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 2000, seed: 3 },
    );
  });

  it('CRC-32C matches the standard check value', () => {
    expect(crc32c(enc.encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
  });

  it('CRC-32C equals the bit-by-bit definition on any range of any view', () => {
    const bitwise = (b: Uint8Array): number => {
      let c = 0xffffffff;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), fc.nat(300), fc.nat(300), (bytes, shift, x, y) => {
        // A view that does not start at offset 0 of its buffer, and a sub-range of it.
        const backing = new Uint8Array(bytes.length + shift);
        backing.set(bytes, shift);
        const view = backing.subarray(shift);
        const start = Math.min(x, y, view.length);
        const end = Math.min(Math.max(x, y), view.length);
        expect(crc32c(view, start, end)).toBe(bitwise(view.subarray(start, end)));
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it("murmur2 matches Kafka's published test vectors", () => {
    expect(murmur2(enc.encode('21'))).toBe(-973932308);
    expect(murmur2(enc.encode('foobar'))).toBe(-790332482);
    expect(murmur2(enc.encode('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(enc.encode('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(enc.encode('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(enc.encode('abc'))).toBe(479470107);
    expect(defaultPartition(enc.encode('foobar'), 7)).toBe((-790332482 & 0x7fffffff) % 7);
  });
});
