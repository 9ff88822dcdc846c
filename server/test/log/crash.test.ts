import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBatches } from '@brook/protocol';
import { decodeIndexValue, IN_LOG_DB, KIND_INDEX, KIND_STORE_DELETE, parseSeqKey } from '../../src/log/keys.js';
import { openEnv, tempDir, text, type Env } from './helpers.js';

const built = existsSync(fileURLToPath(new URL('../../dist/log/index.js', import.meta.url)));

let env: Env | undefined;
afterEach(async () => {
  await env?.destroy();
  env = undefined;
});

interface Ack {
  log: string;
  offset: number;
  id: number;
}

/** Runs a child that prints `ack <log> <offset> <id>` lines, and kills it with SIGKILL after `acks` of them. */
async function killAfter(childFile: string, dir: string, acks: number): Promise<Ack[]> {
  // The child runs the built code: npm test builds first; a missing build is a failure, not a skip.
  expect(built, 'server/dist is missing: run `npx tsc -b` first').toBe(true);
  const proc = spawn(process.execPath, [fileURLToPath(new URL(childFile, import.meta.url)), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const out: Ack[] = [];
  let buf = '';
  let killed = false;
  const exited = new Promise((r) => proc.once('exit', r));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child made no progress')), 20_000);
    proc.on('exit', (code) => {
      if (!killed) reject(new Error(`child exited early with ${code}`));
    });
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const [tag, log, off, id] = line.split(' ');
        if (tag === 'ack') out.push({ log: log!, offset: Number(off), id: Number(id) });
      }
      // Once only: more output can arrive between the kill and the exit, and a second pass
      // would remove the exit listener awaited below.
      if (out.length >= acks && !killed) {
        killed = true;
        clearTimeout(timer);
        proc.kill('SIGKILL');
        resolve();
      }
    });
  });
  await exited;
  return out;
}

describe('kill -9', () => {
  it('keeps every acknowledged sync append', async () => {
    const dir = await tempDir();
    const acks = await killAfter('./crash-child.mjs', dir, 300);
    env = await openEnv({}, dir);
    for (const p of [0, 1]) {
      const mine = acks.filter((a) => a.log === String(p));
      const values = new Map(mine.map((a) => [a.offset, a.id]));
      const log = env.tm.partition('crash', p)!;
      expect(log.highWatermark).toBeGreaterThan(Math.max(...mine.map((a) => a.offset)));
      const recs = decodeBatches((await log.read(0, 64 << 20)).records).flatMap((b) => b.records);
      expect(recs.length).toBe(log.highWatermark);
      recs.forEach((r, i) => expect(r.offset).toBe(i));
      for (const r of recs) {
        const id = values.get(r.offset);
        if (id !== undefined) expect(text(r.value)).toBe(`v${id}`);
      }
    }
  });

  it('in the middle of removals and compaction: no acknowledged record lost, no stored batch left behind', async () => {
    const dir = await tempDir();
    const acks = await killAfter('./crash-maintenance-child.mjs', dir, 600);
    env = await openEnv({}, dir);

    // The front topic: everything acknowledged at or past the log start is there, in order.
    const front = env.tm.partition('front', 0)!;
    const fronts = acks.filter((a) => a.log === 'front');
    expect(front.highWatermark).toBeGreaterThan(Math.max(...fronts.map((a) => a.offset)));
    const recs = decodeBatches((await front.read(front.logStartOffset, 64 << 20)).records).flatMap((b) => b.records);
    expect(recs.map((r) => r.offset)).toEqual(Array.from({ length: front.highWatermark - front.logStartOffset }, (_, i) => front.logStartOffset + i));
    const byOffset = new Map(fronts.map((a) => [a.offset, a.id]));
    for (const r of recs) if (byOffset.has(r.offset)) expect(text(r.value)).toBe(`v${byOffset.get(r.offset)}`);

    // The compacted topic: the latest acknowledged value of every key survives compaction.
    const compact = env.tm.partition('compact', 0)!;
    expect(compact.highWatermark).toBeGreaterThan(Math.max(...acks.filter((a) => a.log === 'compact').map((a) => a.offset)));
    const latest = new Map<string, number>();
    for await (const b of compact.scan()) for (const r of decodeBatches(b).flatMap((x) => x.records)) latest.set(text(r.key)!, Number(text(r.value)!.slice(1)));
    const newestAcked = new Map<string, number>();
    for (const a of acks) if (a.log === 'compact') newestAcked.set(`k${a.id % 7}`, Math.max(newestAcked.get(`k${a.id % 7}`) ?? -1, a.id));
    // A later append of the same key may have landed unacknowledged: then it is newer still.
    for (const [key, id] of newestAcked) expect(latest.get(key)).toBeGreaterThanOrEqual(id);

    // The batch store holds exactly the batches the index points at, and no deletion is pending.
    const db = env.storage.db;
    const indexed = new Set<number>();
    for await (const v of db.values({ gte: Uint8Array.of(KIND_INDEX), lt: Uint8Array.of(KIND_INDEX + 1) })) {
      const e = decodeIndexValue(v);
      if (e && e.storeSeq !== IN_LOG_DB) indexed.add(e.storeSeq);
    }
    const stored = (await env.storage.store.keys().all()).map(parseSeqKey);
    expect(stored.filter((s) => !indexed.has(s))).toEqual([]);
    expect(stored.length).toBe(indexed.size);
    expect(await db.keys({ gte: Uint8Array.of(KIND_STORE_DELETE), lt: Uint8Array.of(KIND_STORE_DELETE + 1) }).all()).toEqual([]);
  });
});
