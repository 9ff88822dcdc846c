import { afterEach, describe, expect, it } from 'vitest';
import { BrookError, ErrorCode, decodeBatches, readBatchHeader } from '@brook/protocol';
import type { Storage } from '../../src/log/storage.js';
import { PartitionLog } from '../../src/log/partitionLog.js';
import { baseOffsets, batch, bytes, openEnv, text, type Env } from './helpers.js';

let env: Env | undefined;
afterEach(async () => {
  await env?.destroy();
  env = undefined;
});

async function expectCode(p: Promise<unknown>, code: number): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BrookError);
  expect((err as BrookError).code).toBe(code);
}

/** Makes every LevelDB batch write fail until the returned function is called. */
function breakWrites(storage: Storage): () => void {
  const db = storage.db;
  const orig = db.batch.bind(db);
  const patched = (() => {
    const b = orig();
    b.write = () => Promise.reject(new Error('disk on fire'));
    return b;
  }) as unknown as typeof db.batch;
  db.batch = patched;
  return () => {
    db.batch = orig as unknown as typeof db.batch;
  };
}

describe('PartitionLog append/read', () => {
  it('round-trips many batches with dense offsets, from the cache and from LevelDB', async () => {
    // A tiny cache so most reads go to LevelDB.
    env = await openEnv({ cacheBytesPerPartition: 2048 });
    await env.tm.create('t', 1, {});
    const log = env.tm.partition('t', 0)!;
    const sizes: number[] = [];
    let expectedBase = 0;
    for (let i = 0; i < 300; i++) {
      const n = 1 + (i % 7);
      sizes.push(n);
      const r = await log.append([batch(n, { prefix: `b${i}` })], { sync: true });
      expect(r.baseOffset).toBe(expectedBase);
      expect(r.lastOffset).toBe(expectedBase + n - 1);
      expectedBase += n;
    }
    expect(log.highWatermark).toBe(expectedBase);
    expect(log.stats()).toMatchObject({ batches: 300, records: expectedBase });

    // Read everything back in pieces; every record must appear once, in order.
    let offset = 0;
    let seen = 0;
    for (let guard = 0; guard < 1000 && offset < log.highWatermark; guard++) {
      const r = await log.read(offset, 4096);
      const batches = decodeBatches(r.records);
      expect(batches.length).toBeGreaterThan(0);
      for (const b of batches) {
        for (const rec of b.records) {
          expect(rec.offset).toBe(seen);
          seen++;
        }
        offset = b.header.baseOffset + b.header.lastOffsetDelta + 1;
      }
    }
    expect(seen).toBe(expectedBase);

    // A read from the middle of a batch returns that batch first.
    const r = await log.read(5, 1);
    const h = readBatchHeader(r.records);
    expect(h.baseOffset).toBeLessThanOrEqual(5);
    expect(h.baseOffset + h.lastOffsetDelta).toBeGreaterThanOrEqual(5);
    expect(text(decodeBatches(r.records)[0]!.records[0]!.value)).toMatch(/^b\d+-0$/);
  });

  it('coalesces 200 concurrent appends to 4 partitions into few writes, offsets contiguous', async () => {
    env = await openEnv();
    await env.tm.create('c', 4, {});
    const logs = [0, 1, 2, 3].map((p) => env!.tm.partition('c', p)!);
    const before = env.tm.writeCount;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => logs[i % 4]!.append([batch(1 + (i % 3))], { sync: true })),
    );
    const writes = env.tm.writeCount - before;
    expect(writes).toBeLessThan(20);
    for (let p = 0; p < 4; p++) {
      const mine = results.filter((_, i) => i % 4 === p).sort((a, b) => a.baseOffset - b.baseOffset);
      let next = 0;
      for (const r of mine) {
        expect(r.baseOffset).toBe(next);
        next = r.lastOffset + 1;
      }
      expect(logs[p]!.highWatermark).toBe(next);
    }
  });

  it('keeps queue order for appends issued in sequence without awaiting', async () => {
    env = await openEnv();
    await env.tm.create('o', 1, {});
    const log = env.tm.partition('o', 0)!;
    const ps = Array.from({ length: 50 }, (_, i) => log.append([batch(2, { prefix: `x${i}` })], { sync: true }));
    const rs = await Promise.all(ps);
    rs.forEach((r, i) => expect(r.baseOffset).toBe(i * 2));
  });

  it('answers reads at the start, at the end and out of range', async () => {
    env = await openEnv();
    await env.tm.create('r', 1, {});
    const log = env.tm.partition('r', 0)!;
    const empty = await log.read(0, 1000);
    expect(empty.records.length).toBe(0);
    expect(empty.highWatermark).toBe(0);
    await expectCode(log.read(1, 1000), ErrorCode.OFFSET_OUT_OF_RANGE);

    await log.append([batch(3), batch(2)], { sync: true });
    expect(baseOffsets((await log.read(0, 1 << 20)).records)).toEqual([0, 3]);
    const atEnd = await log.read(5, 1000);
    expect(atEnd.records.length).toBe(0);
    expect(atEnd.highWatermark).toBe(5);
    expect(atEnd.logStartOffset).toBe(0);
    await expectCode(log.read(6, 1000), ErrorCode.OFFSET_OUT_OF_RANGE);
    await expectCode(log.read(-1, 1000), ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('returns at least one whole batch even when it exceeds maxBytes', async () => {
    env = await openEnv({ cacheBytesPerPartition: 1 }); // force LevelDB
    await env.tm.create('big', 1, {});
    const log = env.tm.partition('big', 0)!;
    const big = batch(200);
    await log.append([big, batch(1)], { sync: true });
    for (const maxBytes of [0, 10, big.length - 1]) {
      const r = await log.read(0, maxBytes);
      expect(r.records.length).toBe(big.length);
      expect(baseOffsets(r.records)).toEqual([0]);
    }
    const both = await log.read(0, 1 << 20);
    expect(baseOffsets(both.records)).toEqual([0, 200]);
  });

  it('refuses batches over max.message.bytes and corrupt headers', async () => {
    env = await openEnv();
    await env.tm.create('m', 1, { 'max.message.bytes': '200' });
    const log = env.tm.partition('m', 0)!;
    await expectCode(log.append([batch(50)], { sync: true }), ErrorCode.MESSAGE_TOO_LARGE);
    const bad = batch(1).slice(0, 70);
    await expectCode(log.append([bad], { sync: true }), ErrorCode.CORRUPT_MESSAGE);
    expect(log.highWatermark).toBe(0);
    await log.append([batch(1)], { sync: true });
    expect(log.highWatermark).toBe(1);
  });

  it('does not expose offsets before their write completed', async () => {
    env = await openEnv();
    await env.tm.create('hw', 1, {});
    const log = env.tm.partition('hw', 0)!;
    const p = log.append([batch(4)], { sync: true });
    expect(log.highWatermark).toBe(0);
    const during = await log.read(0, 1000);
    expect(during.records.length).toBe(0);
    await p;
    expect(log.highWatermark).toBe(4);
  });

  it('fires onAppend after the high watermark moved, and unsubscribes', async () => {
    env = await openEnv();
    await env.tm.create('n', 1, {});
    const log = env.tm.partition('n', 0)!;
    const seen: number[] = [];
    const off = log.onAppend(() => seen.push(log.highWatermark));
    await log.append([batch(2)], { sync: true });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([2]);
    off();
    await log.append([batch(2)], { sync: true });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([2]);
  });

  it('finds offsets by timestamp', async () => {
    env = await openEnv();
    await env.tm.create('ts', 1, {});
    const log = env.tm.partition('ts', 0)!;
    await log.append([batch(3, { timestamp: 1000 }), batch(3, { timestamp: 2000 }), batch(3, { timestamp: 3000 })], { sync: true });
    expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 1000 });
    expect(log.offsetForTimestamp(1500)).toEqual({ offset: 3, timestamp: 2000 });
    expect(log.offsetForTimestamp(3000)).toEqual({ offset: 6, timestamp: 3000 });
    expect(log.offsetForTimestamp(3001)).toBeNull();
    expect(await log.findOffsetForTimestamp(2500)).toEqual({ offset: 6, timestamp: 3000 });
    expect(await log.findOffsetForTimestamp(9999)).toBeNull();
  });

  it('answers KAFKA_STORAGE_ERROR when LevelDB cannot read, never a batch-level guess, and reports it', async () => {
    env = await openEnv({ cacheBytesPerPartition: 1 }); // force LevelDB
    await env.tm.create('eio', 1, {});
    const log = env.tm.partition('eio', 0)!;
    await log.append([batch(3, { timestamp: 1000 }), batch(3, { timestamp: 2000 })], { sync: true });
    const reported: number[] = [];
    env.storage.queue.onReadError = (_err, n) => reported.push(n);
    const eio = () => Promise.reject(new Error('EIO: i/o error'));
    // Batches are read with getMany, from the batch store (or the log database for older ones).
    for (const db of [env.storage.db, env.storage.store]) db.getMany = eio as unknown as typeof db.getMany;
    await expectCode(log.findOffsetForTimestamp(1500), ErrorCode.KAFKA_STORAGE_ERROR);
    await expectCode(log.read(0, 1 << 20), ErrorCode.KAFKA_STORAGE_ERROR);
    await expectCode((async () => {
      for await (const b of log.scan()) void b;
    })(), ErrorCode.KAFKA_STORAGE_ERROR);
    // Rate-limited: the first failure is reported at once, the next ones wait for the next second.
    expect(reported).toEqual([1]);
  });

  it('scans stored batches in order', async () => {
    env = await openEnv();
    await env.tm.create('s', 1, {});
    const log = env.tm.partition('s', 0)!;
    for (let i = 0; i < 150; i++) await log.append([batch(2)], { sync: true });
    const bases: number[] = [];
    for await (const b of log.scan()) bases.push(readBatchHeader(b).baseOffset);
    expect(bases).toEqual(Array.from({ length: 150 }, (_, i) => i * 2));
    const from = [];
    for await (const b of log.scan(101)) from.push(readBatchHeader(b).baseOffset);
    expect(from[0]).toBe(100);
    expect(from.length).toBe(100);
  });

  it('rejects a failed write with STORAGE_ERROR and leaves no gap', async () => {
    env = await openEnv();
    await env.tm.create('f', 2, {});
    const log = env.tm.partition('f', 0)!;
    await log.append([batch(2)], { sync: true });
    const restore = breakWrites(env.storage);
    const failing = await Promise.allSettled([
      log.append([batch(3)], { sync: true }),
      log.append([batch(1)], { sync: true }),
      PartitionLog.appendAtomic([{ log, batches: [batch(1)] }, { log: env.tm.partition('f', 1)!, batches: [batch(1)] }], { sync: true }),
    ]);
    restore();
    for (const r of failing) {
      expect(r.status).toBe('rejected');
      expect(((r as PromiseRejectedResult).reason as BrookError).code).toBe(ErrorCode.STORAGE_ERROR);
    }
    expect(log.highWatermark).toBe(2);
    expect(env.tm.partition('f', 1)!.highWatermark).toBe(0);
    const r = await log.append([batch(1)], { sync: true });
    expect(r.baseOffset).toBe(2);
    expect(baseOffsets((await log.read(0, 1 << 20)).records)).toEqual([0, 2]);
  });

  it('appends atomically to several partitions with extra ops', async () => {
    env = await openEnv();
    await env.tm.create('a', 2, {});
    await env.tm.create('b', 1, {});
    const a0 = env.tm.partition('a', 0)!;
    const a1 = env.tm.partition('a', 1)!;
    const b0 = env.tm.partition('b', 0)!;
    await a1.append([batch(5)], { sync: true });
    const extraKey = Uint8Array.of(0x10, 1, 2, 3);
    let committed = false;
    const rs = await PartitionLog.appendAtomic(
      [
        { log: a0, batches: [batch(2)] },
        { log: a1, batches: [batch(1), batch(1)] },
        { log: b0, batches: [batch(3)] },
      ],
      { sync: true },
      { prepare: (b) => void b.put(extraKey, bytes('offsets')), commit: () => (committed = true) },
    );
    expect(rs.map((r) => [r.baseOffset, r.lastOffset])).toEqual([
      [0, 1],
      [5, 6],
      [0, 2],
    ]);
    expect(committed).toBe(true);
    expect(text(await env.storage.db.get(extraKey) ?? null)).toBe('offsets');
    expect(baseOffsets((await a1.read(0, 1 << 20)).records)).toEqual([0, 5, 6]);

    // A refused part (deleted topic) refuses the whole entry: nothing of it is written.
    await env.tm.delete('b');
    await expectCode(
      PartitionLog.appendAtomic([{ log: a0, batches: [batch(1)] }, { log: b0, batches: [batch(1)] }], { sync: true }),
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    expect(a0.highWatermark).toBe(2);
  });

  it('fails reads and appends on a deleted topic', async () => {
    env = await openEnv();
    await env.tm.create('d', 1, {});
    const log = env.tm.partition('d', 0)!;
    await log.append([batch(1)], { sync: true });
    await env.tm.delete('d');
    await expectCode(log.read(0, 100), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await expectCode(log.append([batch(1)], { sync: true }), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
