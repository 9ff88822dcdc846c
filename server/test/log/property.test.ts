import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readBatchHeader } from '@brook/protocol';
import { batch, openEnv, type Env } from './helpers.js';

let env: Env;
beforeAll(async () => {
  env = await openEnv({ cacheBytesPerPartition: 4096 }); // mixes cached and LevelDB reads
});
afterAll(async () => {
  await env.destroy();
});

let topicNo = 0;

describe('property: dense offsets and reads', () => {
  it('random appends give dense offsets and read(o) starts with the batch holding o', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Rounds of concurrent appends; each append carries 1-3 batches of 1-30 records.
        fc.array(fc.array(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 5000 }),
        async (rounds, picks, maxBytes) => {
          const name = `prop-${topicNo++}`;
          await env.tm.create(name, 1, {});
          const log = env.tm.partition(name, 0)!;
          const spans: Array<[number, number]> = [];
          for (const round of rounds) {
            const results = await Promise.all(round.map((sizes) => log.append(sizes.map((n) => batch(n)), { sync: true })));
            results.forEach((r, i) => {
              const sizes = round[i]!;
              expect(r.lastOffset - r.baseOffset + 1).toBe(sizes.reduce((a, b) => a + b, 0));
              let base = r.baseOffset;
              for (const n of sizes) {
                spans.push([base, base + n - 1]);
                base += n;
              }
            });
          }
          spans.sort((a, b) => a[0] - b[0]);
          let next = 0;
          for (const [b, l] of spans) {
            expect(b).toBe(next);
            next = l + 1;
          }
          expect(log.highWatermark).toBe(next);
          for (const p of picks) {
            const o = p % next;
            const r = await log.read(o, maxBytes);
            const h = readBatchHeader(r.records);
            expect(h.baseOffset).toBeLessThanOrEqual(o);
            expect(h.baseOffset + h.lastOffsetDelta).toBeGreaterThanOrEqual(o);
            const first = h.batchLength + 12;
            expect(r.records.length === first || r.records.length <= Math.max(maxBytes, first)).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
