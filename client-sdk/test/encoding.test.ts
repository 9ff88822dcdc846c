import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBatch, encodeBatch } from '@brook/protocol';
import { bytesToString, fromRecordHeaders, recordSizeUpperBound, toBytes, toRecordHeaders, utf8Length } from '../src/encoding.js';

describe('toBytes', () => {
  it('encodes strings as UTF-8 and passes bytes through', () => {
    // In Node the bytes come as a Buffer (what KafkaJS users get), in browsers as a Uint8Array.
    expect([...toBytes('héllo')!]).toEqual([0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f]);
    expect(toBytes('x')).toBeInstanceOf(Uint8Array);
    const u = new Uint8Array([1, 2, 3]);
    expect(toBytes(u)).toBe(u);
    const b = Buffer.from('abc');
    expect(toBytes(b)).toBe(b);
    expect(toBytes(null)).toBeNull();
    expect(toBytes(undefined)).toBeNull();
    expect(toBytes('')!.length).toBe(0);
  });

  it('round-trips text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => bytesToString(toBytes(s)) === s));
    expect(bytesToString(toBytes('日本語 ✓'))).toBe('日本語 ✓');
    expect(bytesToString(null)).toBeNull();
  });
});

describe('headers', () => {
  it('turns a KafkaJS header object into record headers, arrays into repeated headers', () => {
    const h = toRecordHeaders({ a: 'x', b: Buffer.from([1, 2]), c: ['1', Buffer.from('2')], d: undefined, e: null });
    expect(h.map((x) => x.key)).toEqual(['a', 'b', 'c', 'c', 'e']);
    expect([...h[0]!.value!]).toEqual([...new TextEncoder().encode('x')]);
    expect(Array.from(h[1]!.value!)).toEqual([1, 2]);
    expect(bytesToString(h[2]!.value)).toBe('1');
    expect(bytesToString(h[3]!.value)).toBe('2');
    expect(h[4]!.value).toBeNull();
    expect(toRecordHeaders(undefined)).toEqual([]);
  });

  it('turns record headers back into an object, repeated keys into arrays', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const o = fromRecordHeaders([
      { key: 'a', value: enc('1') },
      { key: 'b', value: enc('2') },
      { key: 'a', value: enc('3') },
      { key: 'n', value: null },
    ]);
    expect(o.b).toEqual(enc('2'));
    expect(o.a).toEqual([enc('1'), enc('3')]);
    expect(o.n).toBeNull();
  });
});

describe('record size bound', () => {
  it('utf8Length agrees with TextEncoder', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => utf8Length(s) === new TextEncoder().encode(s).length));
  });

  it('never underestimates the encoded size of a batch', () => {
    const rec = fc.record({
      key: fc.option(fc.uint8Array({ maxLength: 300 })),
      value: fc.option(fc.uint8Array({ maxLength: 3000 })),
      headers: fc.array(fc.record({ key: fc.string({ maxLength: 20 }), value: fc.option(fc.uint8Array({ maxLength: 50 })) }), { maxLength: 4 }),
      timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
    });
    fc.assert(
      fc.property(fc.array(rec, { minLength: 1, maxLength: 20 }), (records) => {
        const bytes = encodeBatch({ records });
        const bound = 61 + records.reduce((s, r) => s + recordSizeUpperBound(r.key, r.value, r.headers), 0);
        const back = decodeBatch(bytes);
        return bytes.length <= bound && back.records.length === records.length;
      }),
    );
  });
});
