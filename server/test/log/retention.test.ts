import { afterEach, describe, expect, it } from 'vitest';
import { BrookError, ErrorCode } from '@brook/protocol';
import { baseOffsets, batch, openEnv, type Env } from './helpers.js';

let env: Env | undefined;
afterEach(async () => {
  await env?.destroy();
  env = undefined;
});

describe('retention', () => {
  it('deletes batches older than retention.ms from the start', async () => {
    env = await openEnv();
    await env.tm.create('time', 2, { 'retention.ms': '1000' });
    const log = env.tm.partition('time', 0)!;
    // Timestamps 1000, 2000, ..., 10000; one batch of 2 records each.
    for (let i = 1; i <= 10; i++) await log.append([batch(2, { timestamp: i * 1000 })], { sync: true });
    // now - 1000 = 4500: batches with maxTimestamp < 4500 (1000..4000) go.
    const r = await env.tm.runRetention(5500);
    expect(r).toEqual({ partitions: 1, batchesRemoved: 4 });
    expect(log.logStartOffset).toBe(8);
    expect(log.highWatermark).toBe(20);
    expect(log.stats().batches).toBe(6);
    await expect(log.read(7, 100)).rejects.toMatchObject({ code: ErrorCode.OFFSET_OUT_OF_RANGE });
    expect(baseOffsets((await log.read(8, 1 << 20)).records)).toEqual([8, 10, 12, 14, 16, 18]);

    // Nothing more is due at the same time.
    expect((await env.tm.runRetention(5500)).batchesRemoved).toBe(0);

    // Everything expires: the log is empty but still knows its end, also after a restart.
    await env.tm.runRetention(100_000);
    expect([log.logStartOffset, log.highWatermark, log.stats().batches]).toEqual([20, 20, 0]);
    await env.reopen();
    const again = env.tm.partition('time', 0)!;
    expect([again.logStartOffset, again.highWatermark]).toEqual([20, 20]);
    expect((await again.read(20, 100)).records.length).toBe(0);
    await expect(again.read(0, 100)).rejects.toBeInstanceOf(BrookError);
    expect((await again.append([batch(1)], { sync: true })).baseOffset).toBe(20);
  });

  it('stops at the first batch that is not due, even if later ones are older', async () => {
    env = await openEnv();
    await env.tm.create('order', 1, { 'retention.ms': '100' });
    const log = env.tm.partition('order', 0)!;
    await log.append([batch(1, { timestamp: 100 }), batch(1, { timestamp: 5000 }), batch(1, { timestamp: 100 })], { sync: true });
    await env.tm.runRetention(1000);
    expect(log.logStartOffset).toBe(1);
    expect(log.stats().batches).toBe(2);
  });

  it('deletes batches while the rest still exceeds retention.bytes', async () => {
    env = await openEnv();
    await env.tm.create('size', 1, { 'retention.ms': '-1' });
    const log = env.tm.partition('size', 0)!;
    const b = batch(5, { timestamp: 1 });
    for (let i = 0; i < 10; i++) await log.append([batch(5, { timestamp: 1 })], { sync: true });
    const size = b.length;
    expect(log.stats().bytes).toBe(size * 10);
    await env.tm.runRetention(Date.now()); // retention.bytes -1: nothing happens
    expect(log.stats().batches).toBe(10);

    await env.reopen();
    await env.close();
    // Same data, with a byte limit of 3.5 batches: keep 4 batches (remaining >= limit after removing is the rule).
    env = await openEnv({ defaults: { 'retention.bytes': Math.floor(size * 3.5), 'retention.ms': -1 } }, env.dir);
    const l2 = env.tm.partition('size', 0)!;
    expect(l2.stats().batches).toBe(10);
    await env.tm.runRetention();
    expect(l2.stats().batches).toBe(4);
    expect(l2.logStartOffset).toBe(30);
    expect(l2.highWatermark).toBe(50);
    expect(baseOffsets((await l2.read(30, 1 << 20)).records)).toEqual([30, 35, 40, 45]);
  });

  it('leaves compacted topics and topics without limits alone', async () => {
    env = await openEnv();
    await env.tm.create('forever', 1, { 'retention.ms': '-1' });
    await env.tm.create('comp', 1, { 'cleanup.policy': 'compact', 'retention.ms': '1' });
    for (const t of ['forever', 'comp']) await env.tm.partition(t, 0)!.append([batch(1, { timestamp: 1, keyOf: () => 'k' })], { sync: true });
    expect((await env.tm.runRetention(1e12)).batchesRemoved).toBe(0);
  });

  it('runs on the maintenance timer', async () => {
    env = await openEnv({ maintenanceIntervalMs: 10 });
    await env.tm.create('timer', 1, { 'retention.ms': '1' });
    const log = env.tm.partition('timer', 0)!;
    await log.append([batch(3, { timestamp: 1 })], { sync: true });
    for (let i = 0; i < 200 && log.logStartOffset === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(log.logStartOffset).toBe(3);
  });

  it('keeps appends flowing while retention runs', async () => {
    env = await openEnv();
    await env.tm.create('busy', 1, { 'retention.ms': '10' });
    const log = env.tm.partition('busy', 0)!;
    for (let i = 0; i < 20; i++) await log.append([batch(1, { timestamp: 1 })], { sync: true });
    const appends = Array.from({ length: 20 }, () => log.append([batch(1, { timestamp: 1e12 })], { sync: true }));
    const [ret] = await Promise.all([env.tm.runRetention(1000), ...appends]);
    expect(ret.batchesRemoved).toBe(20);
    expect(log.logStartOffset).toBe(20);
    expect(log.highWatermark).toBe(40);
    expect(baseOffsets((await log.read(20, 1 << 20)).records)).toEqual(Array.from({ length: 20 }, (_, i) => 20 + i));
  });
});
