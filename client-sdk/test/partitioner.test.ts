import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { murmur2 } from '@brook/protocol';
import { StickyPartitioner, keyedPartition } from '../src/partitioner.js';
import { toBytes } from '../src/encoding.js';
import { Partitioners } from '../src/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('keyed partitioner (Kafka murmur2)', () => {
  it("matches Kafka's published murmur2 vectors", () => {
    // From Kafka's UtilsTest.testMurmur2.
    expect(murmur2(enc('21'))).toBe(-973932308);
    expect(murmur2(enc('foobar'))).toBe(-790332482);
    expect(murmur2(enc('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(enc('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(enc('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(new Uint8Array([97, 98, 99]))).toBe(479470107);
  });

  it('partition = (murmur2(key) & 0x7fffffff) % n', () => {
    for (const [key, h] of [
      ['21', -973932308],
      ['foobar', -790332482],
      ['abc', 479470107],
    ] as const) {
      for (const n of [1, 2, 3, 6, 7, 12, 100]) expect(keyedPartition(enc(key), n)).toBe((h & 0x7fffffff) % n);
    }
  });

  it('is stable and in range for any key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 1000 }), (key, n) => {
        const p = keyedPartition(key, n);
        return p >= 0 && p < n && Number.isInteger(p) && p === keyedPartition(Uint8Array.from(key), n);
      }),
    );
  });

  it('string keys and Buffer keys with the same bytes land on the same partition', () => {
    expect(keyedPartition(toBytes('user-42')!, 12)).toBe(keyedPartition(Buffer.from('user-42'), 12));
  });

  it('rejects a non-positive partition count', () => {
    expect(() => keyedPartition(enc('x'), 0)).toThrow(RangeError);
  });
});

describe('sticky partitioner (KIP-480)', () => {
  it('sticks to one partition until a batch is sent, then moves to another', () => {
    const s = new StickyPartitioner();
    const first = s.partition('t', 6);
    for (let i = 0; i < 100; i++) expect(s.partition('t', 6)).toBe(first);
    const next = s.onNewBatch('t', 6);
    expect(next).not.toBe(first);
    expect(s.partition('t', 6)).toBe(next);
  });

  it('keeps separate sticky partitions per topic', () => {
    let i = 0;
    const s = new StickyPartitioner(() => [0.1, 0.9][i++ % 2]!);
    expect(s.partition('a', 10)).toBe(1);
    expect(s.partition('b', 10)).toBe(9);
    expect(s.partition('a', 10)).toBe(1);
  });

  it('spreads over all partitions across batches', () => {
    const s = new StickyPartitioner();
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(s.onNewBatch('t', 4));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
  });

  it('handles one partition and shrinking partition counts', () => {
    const s = new StickyPartitioner();
    expect(s.partition('t', 1)).toBe(0);
    expect(s.onNewBatch('t', 1)).toBe(0);
    s.onNewBatch('t', 8);
    for (let i = 0; i < 20; i++) {
      s.onNewBatch('t', 8);
      expect(s.partition('t', 2)).toBeLessThan(2);
    }
  });
});

describe('Partitioners (KafkaJS compatibility)', () => {
  it('DefaultPartitioner partitions keyed messages with murmur2 and honours explicit partitions', () => {
    const fn = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0] }));
    expect(fn({ topic: 't', partitionMetadata, message: { key: 'foobar', value: 'v' } })).toBe((-790332482 & 0x7fffffff) % 6);
    expect(fn({ topic: 't', partitionMetadata, message: { key: 'foobar', value: 'v', partition: 2 } })).toBe(2);
    const p = fn({ topic: 't', partitionMetadata, message: { value: 'v' } });
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(6);
  });
});
