// What a reader may see before the fsync. An acks=1 append is acknowledged once LevelDB has it,
// but a power loss may still take it back, so it stays above the high watermark (invisible to
// reads, timestamps, scans and the last stable offset) until an fsync covers it. A consumer can
// then never read, nor commit, an offset that a power loss could remove.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBatches } from '@brook/protocol';
import type { Storage } from '../../src/log/storage.js';
import { batch, interceptWrites, openEnv, tempDir, text, type Env } from './helpers.js';

let env: Env | undefined;
afterEach(async () => {
  await env?.destroy();
  env = undefined;
});

/** Holds every synced LevelDB write (to either database) until release(); `held` resolves when one is waiting. */
function holdSyncs(storage: Storage): { held: Promise<void>; release(): void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let onHeld!: () => void;
  const held = new Promise<void>((r) => (onHeld = r));
  const restore = [storage.db, storage.store].map((db) =>
    interceptWrites(db, async ({ sync }, write) => {
      if (sync) {
        onHeld();
        await gate;
      }
      return write();
    }),
  );
  return {
    held,
    release() {
      for (const r of restore) r();
      release();
    },
  };
}

const values = (records: Uint8Array) => decodeBatches(records).flatMap((b) => b.records).map((r) => text(r.value));

describe('the high watermark is the fsynced end', () => {
  it('keeps acks=1 data above the high watermark until the fsync that covers it', async () => {
    env = await openEnv();
    await env.tm.create('d', 1, {});
    const log = env.tm.partition('d', 0)!;
    await log.append([batch(2, { prefix: 'synced', timestamp: 1000 })], { sync: true });
    expect([log.highWatermark, log.logEndOffset]).toEqual([2, 2]);

    const sync = holdSyncs(env.storage);
    const woken: number[] = [];
    log.onAppend(() => woken.push(log.highWatermark));
    const r = await log.append([batch(3, { prefix: 'unsynced', timestamp: 5000 })], { sync: false });
    // Acknowledged (written), and the background fsync (flushIntervalMs later) is now held.
    expect(r).toMatchObject({ baseOffset: 2, lastOffset: 4 });
    await sync.held;
    expect(env.storage.queue.hasUnsyncedWrites).toBe(true);

    // A power loss now could take offsets 2-4 back: no reader may see them.
    expect(log.logEndOffset).toBe(5);
    expect(log.highWatermark).toBe(2);
    expect(log.lastStableOffset).toBe(2);
    expect(values((await log.read(0, 1 << 20)).records)).toEqual(['synced-0', 'synced-1']);
    expect((await log.read(2, 1 << 20)).records.length).toBe(0);
    expect((await log.read(5, 1 << 20)).records.length).toBe(0); // the log end: empty, not out of range
    expect(log.offsetForTimestamp(2000)).toBeNull();
    expect(await log.findOffsetForTimestamp(2000)).toBeNull();
    const scanned: Uint8Array[] = [];
    for await (const b of log.scan()) scanned.push(b);
    expect(scanned.length).toBe(1);
    expect(woken).toEqual([]);

    // The fsync completes: everything written before it is durable and visible, and readers wake.
    sync.release();
    await new Promise<void>((resolve) => {
      const off = log.onAppend(() => {
        off();
        resolve();
      });
    });
    expect([log.highWatermark, log.logEndOffset]).toEqual([5, 5]);
    expect(woken).toEqual([5]);
    expect(values((await log.read(0, 1 << 20)).records)).toEqual(['synced-0', 'synced-1', 'unsynced-0', 'unsynced-1', 'unsynced-2']);
    expect(env.storage.queue.hasUnsyncedWrites).toBe(false);
  });

  it('a synced append on any partition makes earlier unsynced appends of others visible', async () => {
    env = await openEnv();
    await env.tm.create('x', 2, {});
    const [a, b] = [env.tm.partition('x', 0)!, env.tm.partition('x', 1)!];
    const sync = holdSyncs(env.storage);
    await a.append([batch(2)], { sync: false });
    expect(a.highWatermark).toBe(0);
    const synced = b.append([batch(1)], { sync: true });
    await sync.held;
    expect([a.highWatermark, b.highWatermark]).toEqual([0, 0]);
    sync.release();
    await synced;
    expect([a.highWatermark, b.highWatermark]).toEqual([2, 1]);
  });

  it('retention never removes what readers have not seen', async () => {
    env = await openEnv();
    await env.tm.create('r', 1, { 'retention.bytes': '0' });
    const log = env.tm.partition('r', 0)!;
    await log.append([batch(1)], { sync: true });
    const sync = holdSyncs(env.storage);
    await log.append([batch(1)], { sync: false });
    await sync.held;
    expect(log.planRetention(Date.now(), -1, 0)?.batches).toBe(1);
    sync.release();
  });

  it('closing the storage fsyncs unsynced writes', async () => {
    env = await openEnv();
    await env.tm.create('c', 1, {});
    await env.tm.partition('c', 0)!.append([batch(3)], { sync: false });
    expect(env.storage.queue.hasUnsyncedWrites).toBe(true);
    await env.close();
    expect(env.storage.queue.hasUnsyncedWrites).toBe(false);
  });
});

describe("Kafka's flush.messages / flush.ms: visible once written, fsynced on that cadence", () => {
  it('flush.ms: acks=all answers and readers see the records before the fsync, which follows within flush.ms', async () => {
    env = await openEnv();
    await env.tm.create('fast', 1, { 'flush.ms': '30' });
    const log = env.tm.partition('fast', 0)!;
    const sync = holdSyncs(env.storage);
    const woken: number[] = [];
    log.onAppend(() => woken.push(log.highWatermark));
    // acks=all: answered once written, with no fsync yet (the hold would keep a synced write).
    await log.append([batch(3, { prefix: 'relaxed' })], { sync: true });
    expect(env.storage.queue.hasUnsyncedWrites).toBe(true);
    expect([log.highWatermark, log.logEndOffset]).toEqual([3, 3]);
    expect(values((await log.read(0, 1 << 20)).records)).toEqual(['relaxed-0', 'relaxed-1', 'relaxed-2']);
    await Promise.resolve();
    expect(woken).toEqual([3]);
    // The fsync follows on the flush.ms cadence: the idle queue writes the sync marker (held here).
    await sync.held;
    expect(env.storage.queue.hasUnsyncedWrites).toBe(true);
    sync.release();
    await env.storage.queue.drain();
    expect(env.storage.queue.hasUnsyncedWrites).toBe(false);
  });

  it('flush.messages: the write that reaches the count is fsynced before anyone sees it (as Kafka)', async () => {
    env = await openEnv();
    await env.tm.create('counted', 1, { 'flush.messages': '5' });
    const log = env.tm.partition('counted', 0)!;
    const sync = holdSyncs(env.storage);
    await log.append([batch(2)], { sync: true });
    await log.append([batch(2)], { sync: false });
    // 4 of 5: written, visible, not fsynced, and no deadline by time (flush.ms unset).
    expect([log.highWatermark, env.storage.queue.hasUnsyncedWrites]).toEqual([4, true]);
    const fifth = log.append([batch(1)], { sync: false });
    await sync.held;
    expect([log.highWatermark, log.logEndOffset]).toEqual([4, 4]);
    sync.release();
    await fifth;
    expect([log.highWatermark, env.storage.queue.hasUnsyncedWrites]).toEqual([5, false]);
    // The count starts again after the fsync.
    await log.append([batch(4)], { sync: true });
    expect([log.highWatermark, env.storage.queue.hasUnsyncedWrites]).toEqual([9, true]);
  });

  it('unset again (null: the default), acks=all waits for the fsync and readers for it too', async () => {
    env = await openEnv();
    await env.tm.create('back', 1, { 'flush.messages': '1000' });
    await env.tm.alterConfigs('back', { 'flush.messages': null });
    expect(env.tm.get('back')!.config['flush.messages']).toBe(-1);
    const log = env.tm.partition('back', 0)!;
    const sync = holdSyncs(env.storage);
    const acked = log.append([batch(2)], { sync: true });
    await sync.held;
    expect([log.highWatermark, log.logEndOffset]).toEqual([0, 0]);
    sync.release();
    await acked;
    expect(log.highWatermark).toBe(2);
  });
});

const child = fileURLToPath(new URL('./durability-child.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/log/index.js', import.meta.url)));

describe('kill -9 between the write and the fsync', () => {
  it('nothing a reader could see was unsynced, and all of it survives', async () => {
    expect(built, 'server/dist is missing: run `npx tsc -b` first').toBe(true);
    const dir = await tempDir();
    const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => proc.once('exit', r));
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('child reported nothing')), 20_000);
      proc.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          resolve(buf.slice(0, nl));
        }
      });
    });
    proc.kill('SIGKILL');
    await exited;
    const state = JSON.parse(line) as { highWatermark: number; logEndOffset: number; lastStableOffset: number; seen: string[]; unsynced: boolean };
    // Killed while 5 appends were written but not fsynced: a reader saw only the 5 synced ones.
    expect(state.unsynced).toBe(true);
    expect(state.logEndOffset).toBe(10);
    expect(state.highWatermark).toBe(5);
    expect(state.lastStableOffset).toBe(5);
    expect(state.seen).toEqual(['synced-0', 'synced-1', 'synced-2', 'synced-3', 'synced-4']);
    // After the restart everything a reader saw is there. (SIGKILL keeps the OS page cache, so the
    // unsynced appends usually survive too; a power loss might drop them, and no reader saw them.)
    env = await openEnv({}, dir);
    const log = env.tm.partition('power', 0)!;
    const after = values((await log.read(0, 1 << 20)).records);
    expect(after.slice(0, 5)).toEqual(state.seen);
    expect(log.highWatermark).toBe(log.logEndOffset);
  });
});
