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

  it('keeps no evicted batch reachable: a flood of large batches holds at most the budget', () => {
    // The flood of `npm run rss`: 500 KB batches, 4 partitions of 1 MiB each under a 64 MiB budget.
    // Evicted entries used to stay listed (with their data) until 1,024 of them piled up: ~500 MB.
    const budget = new CacheBudget(64 << 20, 1 << 20);
    const parts = [0, 1, 2, 3].map(() => new PartitionCache(budget));
    let peak = 0;
    for (let i = 0; i < 3000; i++) {
      parts[i % 4]!.push(i, i, data(500_000));
      peak = Math.max(peak, budget.retainedBytes());
    }
    expect(budget.retainedBytes()).toBe(budget.used);
    expect(peak).toBeLessThanOrEqual(4 << 20);
    // The same with a budget smaller than the partitions' caps: the budget evicts.
    const tight = new CacheBudget(3 << 20, 1 << 20);
    const many = Array.from({ length: 16 }, () => new PartitionCache(tight));
    for (let i = 0; i < 3000; i++) {
      many[i % 16]!.push(i, i, data(300_000));
      expect(tight.retainedBytes()).toBeLessThanOrEqual(3 << 20);
    }
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
