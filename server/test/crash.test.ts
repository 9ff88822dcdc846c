// A real broker process, producing with acks 'all', killed with SIGKILL mid-stream and restarted:
// every acknowledged message must be there, once, at the offset it was acknowledged with.
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBatch } from '@brook/protocol';
import { RawClient, readPartition, removeDir, spawnBroker, tempDir } from './helpers.js';

const enc = new TextEncoder();
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map(removeDir)));


describe('crash safety', () => {
  it('keeps every acknowledged message across kill -9, with contiguous offsets', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    let b = await spawnBroker(dir);
    let c = await RawClient.connect(b.url);
    await c.request('CreateTopics', { topics: [{ name: 'durable', numPartitions: 2, configs: [] }], validateOnly: false });
    const acked = new Map<string, { partition: number; offset: number }>();
    for (let round = 0; round < 2; round++) {
      let stop = false;
      let seq = 0;
      const producers = Array.from({ length: 4 }, async (_, w) => {
        while (!stop) {
          const values = Array.from({ length: 10 }, () => `r${round}-w${w}-${seq++}`);
          const partition = seq % 2;
          try {
            const r = await c.request('Produce', {
              transactionalId: null,
              acks: -1,
              timeoutMs: 5000,
              topics: [{ topic: 'durable', partitions: [{ partition, records: encodeBatch({ records: values.map((v) => ({ value: enc.encode(v) })) }) }] }],
            });
            const base = r.topics[0]!.partitions[0]!.baseOffset;
            values.forEach((v, i) => acked.set(v, { partition, offset: base + i }));
          } catch {
            return; // the broker died under us: this batch was never acknowledged
          }
        }
      });
      // Let some acknowledged writes pile up, then kill in the middle of the stream.
      for (let i = 0; i < 200 && acked.size < (round + 1) * 500; i++) await new Promise((r) => setTimeout(r, 10));
      b.proc.kill('SIGKILL');
      stop = true;
      await Promise.all(producers);
      await b.exited;
      b = await spawnBroker(dir);
      c = await RawClient.connect(b.url);
      const seen = new Map<string, { partition: number; offset: number }>();
      for (const partition of [0, 1]) {
        const { records, highWatermark } = await readPartition(c, 'durable', partition);
        expect(records.map((r) => r.offset)).toEqual(Array.from({ length: records.length }, (_, i) => i));
        expect(highWatermark).toBe(records.length);
        for (const r of records) {
          expect(seen.has(r.value)).toBe(false); // no duplicates
          seen.set(r.value, { partition, offset: r.offset });
        }
      }
      expect(acked.size).toBeGreaterThan(0);
      for (const [v, where] of acked) expect(seen.get(v)).toEqual(where);
    }
    c.close();
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 60_000);
});
