import { describe, expect, it } from 'vitest';
import { CacheBudget, PartitionCache } from '../../src/log/hotCache.js';

const data = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

describe('hot cache', () => {
  it('keeps a suffix per partition within its byte cap', () => {
    const budget = new CacheBudget(10_000, 300);
    const c = new PartitionCache(budget);
    for (let i = 0; i < 10; i++) c.push(i * 10, i * 10 + 9, data(100, i));
    expect(c.length).toBe(3);
    expect(c.bytes).toBe(300);
    expect(budget.used).toBe(300);
    expect(c.read(65, 1000)).toBeNull(); // evicted
    const r = c.read(75, 150)!;
    expect(r.map((d) => d[0])).toEqual([7]); // first batch always, the second would exceed 150
    expect(c.read(75, 1000)!.map((d) => d[0])).toEqual([7, 8, 9]);
    c.evictBefore(85);
    expect(c.read(85, 1000)!.map((d) => d[0])).toEqual([8, 9]);
    // A batch over the per-partition cap is not cached and clears the cache (it must stay a suffix).
    c.push(100, 109, data(400));
    expect(c.length).toBe(0);
    expect(c.read(100, 1000)).toBeNull();
  });

  it('evicts the globally oldest entries across partitions', () => {
    const budget = new CacheBudget(500, 1000);
    const a = new PartitionCache(budget);
    const b = new PartitionCache(budget);
    for (let i = 0; i < 5000; i++) {
      (i % 2 ? a : b).push(i, i, data(100));
      expect(budget.used).toBeLessThanOrEqual(500);
    }
    expect(a.length + b.length).toBe(5);
    expect(a.read(4999, 1000)).not.toBeNull();
    expect(b.read(4998, 1000)).not.toBeNull();
  });
});
