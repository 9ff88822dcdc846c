import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupByTopic } from '../../src/util/collections.js';

describe('groupByTopic', () => {
  it('keeps every item once: topics unique in first-seen order, values in input order', () => {
    const item = fc.record({ topic: fc.constantFrom('a', 'b', 'c', 'd'), partition: fc.nat(20) });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), (items) => {
        const groups = groupByTopic(items, (i) => i.partition);
        expect(groups.map((g) => g.topic)).toEqual([...new Set(items.map((i) => i.topic))]);
        for (const g of groups) expect(g.partitions).toEqual(items.filter((i) => i.topic === g.topic).map((i) => i.partition));
      }),
    );
  });
});
