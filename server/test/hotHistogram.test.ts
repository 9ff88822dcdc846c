// HotHistogram (server/src/hotHistogram.ts) is exposed exactly as prom-client's Histogram: the same
// observations give the same /metrics text, whatever the label sets and values.
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotHistogram } from '../src/hotHistogram.js';

const BUCKETS = [0.0001, 0.0005, 0.001, 0.01, 0.5, 1, 30];

const value = fc.oneof(
  fc.constantFrom(0, ...BUCKETS, 31, 1e9),
  fc.double({ min: 0, max: 40, noNaN: true }),
);
const observation = fc.record({ api: fc.constantFrom('Produce', 'Fetch', 'Metadata'), listener: fc.constantFrom('ws', 'kafka'), value });

describe('HotHistogram', () => {
  it('gives the same exposition as prom-client for the same observations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), fc.array(value, { maxLength: 10 }), async (labeled, plain) => {
        const [theirs, ours] = [new Registry(), new Registry()];
        const prom = new Histogram({ name: 'x_seconds', help: 'help "quoted"\nand more', labelNames: ['api', 'listener'], buckets: BUCKETS, registers: [theirs] });
        const promPlain = new Histogram({ name: 'y_seconds', help: 'no labels', buckets: BUCKETS, registers: [theirs] });
        const hot = new HotHistogram<'api' | 'listener'>({ name: 'x_seconds', help: 'help "quoted"\nand more', labelNames: ['api', 'listener'], buckets: BUCKETS, registry: ours });
        const hotPlain = new HotHistogram({ name: 'y_seconds', help: 'no labels', buckets: BUCKETS, registry: ours });
        for (const o of labeled) {
          prom.labels(o.api, o.listener).observe(o.value);
          hot.labels(o.api, o.listener).observe(o.value);
        }
        for (const v of plain) {
          promPlain.observe(v);
          hotPlain.observe(v);
        }
        expect(await ours.metrics()).toBe(await theirs.metrics());
        expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('times with startTimer, refuses a value that is not a number, and takes label values in order', () => {
    const h = new HotHistogram<'api'>({ name: 'z_seconds', help: 'z', labelNames: ['api'], buckets: [1], registry: new Registry() });
    const child = h.labels('Produce');
    expect(h.labels('Produce')).toBe(child);
    const seconds = child.startTimer()();
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(child.count).toBe(1);
    expect(() => child.observe(Number.NaN)).toThrow(TypeError);
    expect(() => h.labels()).toThrow(RangeError);
    expect(child.count).toBe(1);
  });
});
