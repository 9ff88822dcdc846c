import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Reader, WalkStepsSpent, batchSteps, decodeBatch, decodeBatches, encodeBatch, setBaseOffset, validateBatch, ProtocolError } from '../src/index.js';

const record = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 30 }), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: null }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }) }), { maxLength: 3 }),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
});

describe('record batches', () => {
  it('round-trip through encode, validate and decode', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), fc.nat({ max: 2 ** 40 }), (records, base) => {
        const b = encodeBatch({ records });
        setBaseOffset(b, base); // outside the CRC: the batch stays valid
        const v = validateBatch(b);
        expect(v.size).toBe(b.length);
        expect(v.header.recordCount).toBe(records.length);
        const d = decodeBatch(b);
        expect(d.records.map((r) => r.offset)).toEqual(records.map((_, i) => base + i));
        d.records.forEach((r, i) => {
          expect(r.timestamp).toBe(records[i]!.timestamp);
          expect(r.key === null ? null : Array.from(r.key)).toEqual(records[i]!.key === null ? null : Array.from(records[i]!.key!));
          expect(r.value === null ? null : Array.from(r.value)).toEqual(records[i]!.value === null ? null : Array.from(records[i]!.value!));
          expect(r.headers.map((h) => h.key)).toEqual(records[i]!.headers.map((h) => h.key));
        });
      }),
      { numRuns: 300, seed: 1 },
    );
  });

  it('any flipped byte after the CRC is detected', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 5 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (records, at, x) => {
        const b = encodeBatch({ records });
        const i = 21 + (at % (b.length - 21));
        b[i]! ^= x;
        expect(() => validateBatch(b)).toThrow(ProtocolError);
      }),
      { numRuns: 300, seed: 2 },
    );
  });

  it('keeps offset gaps (compaction) and splits concatenated batches', () => {
    const enc = new TextEncoder();
    const a = encodeBatch({ records: [{ value: enc.encode('x'), offsetDelta: 0 }, { value: enc.encode('y'), offsetDelta: 7 }], lastOffsetDelta: 9 });
    setBaseOffset(a, 100);
    const b = encodeBatch({ records: [{ value: enc.encode('z') }] });
    setBaseOffset(b, 110);
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    const batches = decodeBatches(both);
    expect(batches.flatMap((x) => x.records.map((r) => r.offset))).toEqual([100, 107, 110]);
    expect(batches[0]!.header.lastOffsetDelta).toBe(9);
    // A trailing partial batch is ignored.
    expect(decodeBatches(both.subarray(0, both.length - 3)).length).toBe(1);
  });

  it('refuses batches whose record walk does not add up', () => {
    const b = encodeBatch({ records: [{ value: new Uint8Array([1, 2, 3]) }] });
    const bad = b.slice();
    new DataView(bad.buffer).setInt32(57, 2); // claims 2 records
    expect(() => validateBatch(bad)).toThrow(ProtocolError);
  });
});

describe('a walk with steps (a record, a header, 256 bytes each)', () => {
  const walks = [
    ['validateBatch', (b: Uint8Array, steps: { left: number }) => validateBatch(b, 0, b.length, {}, steps)],
    ['decodeBatch', (b: Uint8Array, steps: { left: number }) => decodeBatch(b, 0, {}, steps)],
  ] as const;

  it.each(walks)('%s takes exactly its records, headers and blocks; one step short stops it, not as a bad batch', (_, walk) => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), (records) => {
        const b = encodeBatch({ records });
        const cost = records.length + records.reduce((n, r) => n + r.headers.length, 0) + batchSteps(b.length);
        const exact = { left: cost + 5 };
        walk(b, exact);
        expect(exact.left).toBe(5);
        const short = { left: cost - 1 };
        let thrown: unknown;
        try {
          walk(b, short);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(WalkStepsSpent);
        expect(thrown).not.toBeInstanceOf(ProtocolError);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  it.each(walks)('%s: a batch that says it holds more records than are left costs nothing', (_, walk) => {
    const b = encodeBatch({ records: Array.from({ length: 10 }, () => ({ value: null })) });
    const steps = { left: 9 };
    expect(() => walk(b, steps)).toThrow(WalkStepsSpent);
    expect(steps.left).toBe(9);
  });

  it('decodeBatch decodes the same records with steps as without', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 20 }), (records) => {
        const b = encodeBatch({ records });
        expect(decodeBatch(b, 0, {}, { left: 1 << 20 })).toEqual(decodeBatch(b));
      }),
      { numRuns: 100, seed: 5 },
    );
  });
});

describe('Reader.skipUtf8', () => {
  it('accepts exactly what a fatal TextDecoder accepts, and moves past the string', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const bytes = fc.oneof(fc.uint8Array({ max: 0x7f, maxLength: 20 }), fc.uint8Array({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 10 }).map((t) => new TextEncoder().encode(t)));
    fc.assert(
      fc.property(bytes, (b) => {
        let valid = true;
        try {
          fatal.decode(b);
        } catch {
          valid = false;
        }
        const r = new Reader(b);
        if (valid) {
          r.skipUtf8(b.length);
          expect(r.pos).toBe(b.length);
        } else {
          expect(() => r.skipUtf8(b.length)).toThrow(ProtocolError);
        }
      }),
      { numRuns: 500, seed: 4 },
    );
  });
});
