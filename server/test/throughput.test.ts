// The admin API's produce and fetch rates: per-second figures over the sampled window.
import { describe, expect, it } from 'vitest';
import { BrokerMetrics } from '../src/metrics.js';
import { Throughput } from '../src/admin/throughput.js';

describe('throughput rates', () => {
  it('answers records and bytes per second over the window, zero for a topic without traffic', async () => {
    const metrics = new BrokerMetrics();
    const t = new Throughput(metrics, 2);
    metrics.recordsIn.inc({ topic: 'a' }, 100);
    metrics.recordsIn.inc({ topic: 'idle' }, 5);
    await t.sample(0);
    expect(t.rates().size).toBe(0); // one sample: no rate yet
    metrics.recordsIn.inc({ topic: 'a' }, 300);
    metrics.bytesIn.inc({ topic: 'a' }, 3000);
    metrics.recordsOut.inc({ topic: 'a' }, 50);
    await t.sample(1000);
    metrics.recordsIn.inc({ topic: 'a' }, 100);
    await t.sample(2000);
    expect(t.rates().get('a')).toEqual({ produceRecords: 200, produceBytes: 1500, fetchRecords: 25, fetchBytes: 0 });
    expect(t.rates().get('idle')).toEqual({ produceRecords: 0, produceBytes: 0, fetchRecords: 0, fetchBytes: 0 });
    // The window slides: the first sample is gone.
    await t.sample(3000);
    expect(t.rates().get('a')!.produceRecords).toBe(50);
  });
});
