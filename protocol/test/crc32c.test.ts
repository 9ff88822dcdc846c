// Node's CRC-32C (native, @node-rs/crc32) and the JavaScript one browsers use must agree on every input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c as crc32cJs, crc32cIsNative as jsIsNative } from '../src/crc32c.js';
import { crc32c as crc32cNode, crc32cIsNative } from '../src/crc32c.node.js';
import { crc32c as exported } from '@brook/protocol';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('CRC-32C', () => {
  it('uses the native implementation in Node, and the exported one is it', () => {
    expect(crc32cIsNative).toBe(true);
    expect(jsIsNative).toBe(false);
    expect(exported).toBe(crc32cNode);
  });

  it('gives the check value of the CRC catalogue and RFC 3720 test vectors, both ways', () => {
    for (const f of [crc32cJs, crc32cNode]) {
      expect(f(ascii('123456789'))).toBe(0xe3069283);
      expect(f(new Uint8Array(32))).toBe(0x8a9136aa);
      expect(f(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
      expect(f(new Uint8Array(0))).toBe(0);
      expect(f(Uint8Array.from({ length: 256 }, (_, i) => i % 32), 224)).toBe(f(Uint8Array.from({ length: 32 }, (_, i) => i))); // a range of a buffer
    }
    expect(crc32cNode(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  });

  it('native and JavaScript agree on random buffers, ranges and offsets into a larger ArrayBuffer', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 5000 }),
        fc.nat(),
        fc.nat(),
        fc.nat({ max: 7 }),
        (bytes, a, b, pad) => {
          // A view that does not start at the ArrayBuffer's start, as frames sliced out of a socket read.
          const backing = new Uint8Array(bytes.length + pad);
          backing.set(bytes, pad);
          const view = backing.subarray(pad);
          const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
          const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
          expect(crc32cNode(view, start, end)).toBe(crc32cJs(view, start, end));
          expect(crc32cNode(view)).toBe(crc32cJs(view));
        },
      ),
      { numRuns: 500 },
    );
  });
});
