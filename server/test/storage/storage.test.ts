import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pino } from 'pino';
import { ErrorCode, decodeBatches, encodeBatch } from '@brook/protocol';
import { Storage } from '../../src/storage/db.js';
import { TopicManager } from '../../src/storage/topicManager.js';
import { removeDir, tempDir } from '../tmp.js';

const logger = pino({ level: 'silent' });
const enc = new TextEncoder();
const dec = new TextDecoder();
const open: Array<{ tm: TopicManager; storage: Storage; dir: string }> = [];

async function openTm(dir?: string) {
  const d = dir ?? (await tempDir());
  const storage = await Storage.open(d);
  const tm = await TopicManager.open(storage, { logger, maintenanceIntervalMs: 0 });
  const h = { tm, storage, dir: d };
  open.push(h);
  return h;
}

async function closeTm(h: { tm: TopicManager; storage: Storage }) {
  await h.tm.close();
  await h.storage.close();
  open.splice(open.indexOf(h as never), 1);
}

afterEach(async () => {
  for (const h of [...open]) {
    await closeTm(h);
    await removeDir(h.dir);
  }
});

const batch = (values: string[], opts: { key?: string; ts?: number } = {}) =>
  encodeBatch({ records: values.map((v) => ({ key: opts.key ? enc.encode(opts.key) : null, value: enc.encode(v), timestamp: opts.ts })) });

async function readValues(log: NonNullable<ReturnType<TopicManager['partition']>>, from = log.logStartOffset) {
  const out: Array<[number, string | null]> = [];
  let at = from;
  for (let i = 0; i < 10_000 && at < log.highWatermark; i++) {
    const { records } = await log.read(at, 64 * 1024);
    const batches = decodeBatches(records);
    if (batches.length === 0) break;
    for (const b of batches) {
      for (const r of b.records) if (r.offset >= at) out.push([r.offset, r.value === null ? null : dec.decode(r.value)]);
      at = b.header.baseOffset + b.header.lastOffsetDelta + 1;
    }
  }
  return out;
}

describe('partition logs in LevelDB', () => {
  it('coalesces concurrent appends into few writes with contiguous offsets', async () => {
    const { tm } = await openTm();
    await tm.create('t', 4, {});
    const before = tm.queue.writes;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => tm.partition('t', i % 4)!.append([batch([`a${i}`, `b${i}`])], { sync: true })),
    );
    expect(tm.queue.writes - before).toBeLessThan(20);
    for (let p = 0; p < 4; p++) {
      const bases = results.filter((_, i) => i % 4 === p).map((r) => r.baseOffset).sort((a, b) => a - b);
      expect(bases).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
      expect(tm.partition('t', p)!.highWatermark).toBe(100);
    }
  });

  it('reads from any offset, returns at least one batch, and refuses out-of-range offsets', async () => {
    const { tm } = await openTm();
    await tm.create('t', 1, {});
    const log = tm.partition('t', 0)!;
    await log.append([batch(['x'.repeat(5000)])], { sync: false });
    await log.append([batch(['y', 'z'])], { sync: false });
    const big = await log.read(0, 10);
    expect(decodeBatches(big.records).length).toBe(1);
    const mid = await log.read(2, 1 << 20);
    expect(decodeBatches(mid.records)[0]!.header.baseOffset).toBe(1);
    expect((await log.read(3, 100)).records.length).toBe(0);
    await expect(log.read(4, 100)).rejects.toMatchObject({ code: ErrorCode.OFFSET_OUT_OF_RANGE });
    await expect(log.read(-1, 100)).rejects.toMatchObject({ code: ErrorCode.OFFSET_OUT_OF_RANGE });
  });

  it('recovers data, start and end offsets after a restart', async () => {
    const h = await openTm();
    await h.tm.create('t', 2, { 'retention.ms': '1000' });
    const log = h.tm.partition('t', 1)!;
    for (let i = 0; i < 10; i++) await log.append([batch([`v${i}`], { ts: i < 5 ? 1 : Date.now() })], { sync: true });
    await h.tm.runRetention(Date.now());
    expect(log.logStartOffset).toBe(5);
    await closeTm(h);
    const h2 = await openTm(h.dir);
    const log2 = h2.tm.partition('t', 1)!;
    expect(h2.tm.get('t')!.config['retention.ms']).toBe(1000);
    expect([log2.logStartOffset, log2.highWatermark]).toEqual([5, 10]);
    expect((await readValues(log2)).map(([, v]) => v)).toEqual(['v5', 'v6', 'v7', 'v8', 'v9']);
    expect((await log2.append([batch(['next'])], { sync: true })).baseOffset).toBe(10);
  });

  it('retention by size and by time; an emptied log keeps its end offset', async () => {
    const h = await openTm();
    await h.tm.create('s', 1, { 'retention.bytes': '300' });
    const s = h.tm.partition('s', 0)!;
    for (let i = 0; i < 10; i++) await s.append([batch([`${i}`.padEnd(50, '.')])], { sync: false });
    await h.tm.runRetention();
    expect(s.stats().bytes).toBeLessThanOrEqual(300 + 200);
    expect(s.stats().bytes).toBeGreaterThanOrEqual(300 - 200);
    expect(s.logStartOffset).toBeGreaterThan(0);
    await h.tm.create('old', 1, { 'retention.ms': '10' });
    const o = h.tm.partition('old', 0)!;
    await o.append([batch(['a', 'b'], { ts: 1000 })], { sync: false });
    await h.tm.runRetention(5000);
    expect([o.logStartOffset, o.highWatermark, o.stats().batches]).toEqual([2, 2, 0]);
    await closeTm(h);
    const h2 = await openTm(h.dir);
    const o2 = h2.tm.partition('old', 0)!;
    expect([o2.logStartOffset, o2.highWatermark]).toEqual([2, 2]);
  });

  it('compaction keeps the latest value per key without renumbering, and survives reopen', async () => {
    const h = await openTm();
    await h.tm.create('c', 1, { 'cleanup.policy': 'compact', 'delete.retention.ms': '0' });
    const log = h.tm.partition('c', 0)!;
    const keys = 10;
    let n = 0;
    const now = Date.now();
    for (let b = 0; b < 200; b++) {
      const records = Array.from({ length: 500 }, () => {
        const i = n++;
        return { key: enc.encode(`k${i % keys}`), value: enc.encode(`v${i}`), timestamp: now - 10_000 };
      });
      await log.append([encodeBatch({ records })], { sync: false });
    }
    // A tombstone for k3, old enough to be dropped after it has hidden k3.
    await log.append([encodeBatch({ records: [{ key: enc.encode('k3'), value: null, timestamp: now - 10_000 }] })], { sync: false });
    await log.append([batch(['head'])], { sync: false });
    expect(log.stats().records).toBe(100_002);
    await h.tm.runCompaction(now);
    expect(log.stats().records).toBeLessThanOrEqual(keys + 1);
    const values = await readValues(log);
    const byKey = new Map(values.map(([o, v]) => [o, v]));
    // k0..k9 latest writes are offsets 99990..99999; k3 was deleted by the tombstone.
    for (let k = 0; k < keys; k++) {
      const off = 99_990 + k;
      if (k === 3) expect(byKey.has(off)).toBe(false);
      else expect(byKey.get(off)).toBe(`v${off}`);
    }
    expect(log.highWatermark).toBe(100_002);
    await closeTm(h);
    const h2 = await openTm(h.dir);
    const again = await readValues(h2.tm.partition('c', 0)!);
    expect(again).toEqual(values);
  });

  it('a deleted and recreated topic starts empty; config errors are clear', async () => {
    const { tm } = await openTm();
    await tm.create('d', 1, {});
    await tm.partition('d', 0)!.append([batch(['old'])], { sync: true });
    await tm.delete('d');
    await tm.create('d', 1, {});
    expect(tm.partition('d', 0)!.highWatermark).toBe(0);
    await expect(tm.create('x', 1, { 'retention.ms': 'abc' })).rejects.toMatchObject({ code: ErrorCode.INVALID_CONFIG });
    await expect(tm.create('x', 1, { nope: '1' })).rejects.toMatchObject({ code: ErrorCode.INVALID_CONFIG });
    await expect(tm.create('__x', 1, {})).rejects.toMatchObject({ code: ErrorCode.INVALID_TOPIC_EXCEPTION });
  });

  it('property: random appends give dense offsets and every offset reads back its batch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 25 }), async (sizes) => {
        const h = await openTm();
        await h.tm.create('p', 1, {});
        const log = h.tm.partition('p', 0)!;
        let expected = 0;
        await Promise.all(sizes.map((n) => log.append([batch(Array.from({ length: n }, (_, i) => String(i)))], { sync: false })));
        for (const n of sizes) expected += n;
        expect(log.highWatermark).toBe(expected);
        for (let off = 0; off < expected; off += 7) {
          const b = decodeBatches((await log.read(off, 1))[`records`])[0]!;
          expect(b.header.baseOffset).toBeLessThanOrEqual(off);
          expect(b.header.baseOffset + b.header.lastOffsetDelta).toBeGreaterThanOrEqual(off);
        }
        await closeTm(h);
        await removeDir(h.dir);
      }),
      { numRuns: 15, seed: 5 },
    );
  });
});
