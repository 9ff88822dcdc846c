// What a crash leaves between the log database and the batch store, and what start-up does with it
// (WriteQueue.writeBoth, recovery.ts). A kill -9 loses nothing LevelDB was handed (crash.test.ts);
// a power loss can lose writes not yet fsynced, which these tests make by hand: an append group
// fsyncs only the store, so its index entries can be lost and are indexed again from the store.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setBaseOffset } from '@brook/protocol';
import {
  COMMIT_PENDING,
  KIND_INDEX,
  KIND_STORE_DELETE,
  NO_PARTITION,
  offsetKey,
  parseSeqKey,
  parseStoreDeleteKey,
  parseStoreKey,
  storeDeleteKey,
  storeKey,
} from '../../src/log/keys.js';
import { Storage } from '../../src/log/storage.js';
import { LOG_SYNC_MS } from '../../src/log/writeQueue.js';
import { batch, interceptWrites, openEnv, storeSeqs, valuesOf, type Env } from './helpers.js';

let env: Env | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await env?.destroy();
  env = undefined;
});

const INDEX_RANGE = { gte: Uint8Array.of(KIND_INDEX), lt: Uint8Array.of(KIND_INDEX + 1) };

/** The sequences of the 0x08 records (store deletions not finished). */
async function pendingDeletes(e: Env): Promise<number[]> {
  const keys = await e.storage.db.keys({ gte: Uint8Array.of(KIND_STORE_DELETE), lt: Uint8Array.of(KIND_STORE_DELETE + 1) }).all();
  return keys.map((k) => parseSeqKey(parseStoreDeleteKey(k)));
}

/** A batch of one record, its base offset stamped, as the store holds it. */
function stamped(prefix: string, base: number): Uint8Array {
  const b = batch(1, { prefix });
  setBaseOffset(b, base);
  return b;
}

/** Makes the batch store's writes that delete keys fail, as a full or failing disk would, until the returned function runs. */
function failStoreDeletes(e: Env): () => void {
  return interceptWrites(e.storage.store, ({ deletes }, write) => (deletes ? Promise.reject(new Error('IO error: No space left on device')) : write()));
}

/** Records, for every chained-batch write to either database, which one it was and whether it was synced. */
function recordWrites(e: Env): Array<{ db: 'log' | 'store'; sync: boolean }> {
  const seen: Array<{ db: 'log' | 'store'; sync: boolean }> = [];
  for (const [name, db] of [['log', e.storage.db], ['store', e.storage.store]] as const) {
    interceptWrites(db, ({ sync }, write) => {
      seen.push({ db: name, sync });
      return write();
    });
  }
  return seen;
}

describe('start-up after a crash between the two databases', () => {
  it('an append group fsyncs only the store; the log database once its unsynced writes are LOG_SYNC_MS old, and at close', async () => {
    env = await openEnv();
    await env.tm.create('s', 1, {});
    const log = env.tm.partition('s', 0)!;
    await log.append([batch(1, { prefix: 'a' })], { sync: true }); // the log database synced here: its writes were due
    vi.useFakeTimers({ toFake: ['Date'] });
    const writes = recordWrites(env);
    await log.append([batch(1, { prefix: 'b' })], { sync: true });
    expect(writes).toEqual([
      { db: 'store', sync: true },
      { db: 'log', sync: false },
    ]);
    writes.length = 0;
    vi.advanceTimersByTime(LOG_SYNC_MS);
    await log.append([batch(1, { prefix: 'c' })], { sync: true });
    expect(writes).toEqual([
      { db: 'store', sync: true },
      { db: 'log', sync: true },
    ]);
    writes.length = 0;
    await log.append([batch(1, { prefix: 'd' })], { sync: true });
    await env.tm.close();
    await env.storage.queue.close();
    expect(writes.slice(2)).toEqual([{ db: 'log', sync: true }]);
  });

  it('indexes from the store the appends whose index entries a power loss took', async () => {
    env = await openEnv();
    const id = (await env.tm.create('r', 2, {})).id;
    const p0 = env.tm.partition('r', 0)!;
    const p1 = env.tm.partition('r', 1)!;
    await p0.append([batch(2, { prefix: 'a' })], { sync: true });
    await p1.append([batch(1, { prefix: 'x' })], { sync: true });
    await p0.append([batch(1, { prefix: 'b' })], { sync: true });
    await p0.append([batch(1, { prefix: 'c' })], { sync: true });
    await p1.append([batch(1, { prefix: 'y' })], { sync: true });
    await env.close();
    // The power loss: every index entry after the first two is gone, the store kept every batch.
    const s = await Storage.open(env.dir);
    await s.db.batch([offsetKey(KIND_INDEX, id, 0, 2), offsetKey(KIND_INDEX, id, 0, 3), offsetKey(KIND_INDEX, id, 1, 1)].map((key) => ({ type: 'del' as const, key })));
    await s.close();
    await env.reopen();
    expect(await valuesOf(env, 'r')).toEqual(['a-0', 'a-1', 'b-0', 'c-0']);
    const again1 = env.tm.partition('r', 1)!;
    expect([again1.logEndOffset, again1.highWatermark]).toEqual([2, 2]);
    expect(await env.storage.db.keys(INDEX_RANGE).all()).toHaveLength(5);
    const r = await env.tm.partition('r', 0)!.append([batch(1, { prefix: 'd' })], { sync: true });
    expect(r.baseOffset).toBe(4);
    expect(env.storage.queue.nextSeq).toBe(6);
    await env.reopen();
    expect(await valuesOf(env, 'r')).toEqual(['a-0', 'a-1', 'b-0', 'c-0', 'd-0']);
  });

  it('after a run that did not close cleanly, indexes batches a power loss left without entries below later ones', async () => {
    env = await openEnv();
    const id = (await env.tm.create('h', 2, {})).id;
    const p0 = env.tm.partition('h', 0)!;
    const p1 = env.tm.partition('h', 1)!;
    for (const p of ['a', 'b', 'c']) {
      await p0.append([batch(1, { prefix: p })], { sync: true });
      await p1.append([batch(1, { prefix: `${p}1` })], { sync: true });
    }
    await env.close();
    // The log database's previous write-ahead log lost its tail (b's entries), the current one kept c's.
    const s = await Storage.open(env.dir);
    await s.db.batch([offsetKey(KIND_INDEX, id, 0, 1), offsetKey(KIND_INDEX, id, 1, 1)].map((key) => ({ type: 'del' as const, key })));
    // And a failed write's leftover whose offsets were given again: nothing may point at it.
    await s.store.put(storeKey(6, id, 0), stamped('undone', 2));
    await s.queue.close();
    await Promise.all([s.db.close(), s.store.close()]); // no clean close: the running key stays
    await env.reopen();
    expect(await valuesOf(env, 'h')).toEqual(['a-0', 'b-0', 'c-0']);
    const again1 = env.tm.partition('h', 1)!;
    const recs = await again1.read(0, 1 << 20);
    expect(recs.lastOffset).toBe(2);
    expect(await env.storage.db.keys(INDEX_RANGE).all()).toHaveLength(6);
    expect(await storeSeqs(env)).toEqual([0, 1, 2, 3, 4, 5]);
    // A clean close after recovering says the run ended cleanly; a Storage opened on an unclean
    // end and closed without recovering leaves it unclean for the start-up that will.
    await env.close();
    const clean = await Storage.open(env.dir);
    expect(clean.uncleanStart).toBe(false);
    await clean.queue.close();
    await Promise.all([clean.db.close(), clean.store.close()]); // as a kill would leave it
    const notRecovered = await Storage.open(env.dir);
    expect(notRecovered.uncleanStart).toBe(true);
    await notRecovered.close();
    const stillUnclean = await Storage.open(env.dir);
    expect(stillUnclean.uncleanStart).toBe(true);
    await stillUnclean.close();
    await env.reopen();
    expect(env.storage.uncleanStart).toBe(true);
    await env.close();
    const after = await Storage.open(env.dir);
    expect(after.uncleanStart).toBe(false);
    await after.close();
    await env.reopen();
  });

  it('drops index entries whose batch never reached the store, so the offsets are given again', async () => {
    env = await openEnv();
    await env.tm.create('t', 1, {});
    const log = env.tm.partition('t', 0)!;
    for (const p of ['a', 'b', 'c']) await log.append([batch(2, { prefix: p })], { sync: true });
    await env.close();
    // The log database's write landed, the store's did not: the last batch is not stored.
    const s = await Storage.open(env.dir);
    const keys = await s.store.keys().all();
    await s.store.del(keys[keys.length - 1]!);
    await s.close();
    await env.reopen();
    const again = env.tm.partition('t', 0)!;
    expect(again.logEndOffset).toBe(4);
    expect(await valuesOf(env, 't')).toEqual(['a-0', 'a-1', 'b-0', 'b-1']);
    expect(await env.storage.db.keys(INDEX_RANGE).all()).toHaveLength(2);
    const r = await again.append([batch(1, { prefix: 'x' })], { sync: true });
    expect(r.baseOffset).toBe(4);
    await env.reopen();
    expect(await valuesOf(env, 't')).toEqual(['a-0', 'a-1', 'b-0', 'b-1', 'x-0']);
  });

  it('drops the batches of a group whose commit point never landed, and what is no batch of a partition', async () => {
    env = await openEnv();
    const id = (await env.tm.create('u', 1, { 'cleanup.policy': 'compact' })).id;
    const log = env.tm.partition('u', 0)!;
    await log.append([batch(1, { prefix: 'a', keyOf: () => 'k' })], { sync: true });
    await log.append([batch(1, { prefix: 'b', keyOf: () => 'k' })], { sync: true });
    await log.append([batch(1, { prefix: 'c', keyOf: () => 'z' })], { sync: true });
    // Compaction's group has a commit point: its commit-pending key goes once the group is written.
    expect(await env.tm.runCompaction()).toMatchObject({ batchesRemoved: 1 });
    await env.storage.queue.drain();
    const after = await env.storage.store.keys().all();
    expect(after.map((k) => parseStoreKey(k)!.topicId)).toEqual([id, id]);
    expect(await pendingDeletes(env)).toEqual([]);
    await env.close();

    // A compaction group whose log write never landed (its batch and commit-pending key), and
    // after it junk: a sync marker, a batch of a topic that does not exist. Before them, a batch
    // that does not continue its partition.
    const s = await Storage.open(env.dir);
    const next = parseSeqKey(after[after.length - 1]!) + 1;
    const pending = new Uint8Array(9);
    pending[0] = COMMIT_PENDING;
    new DataView(pending.buffer).setBigInt64(1, BigInt(next + 1));
    await s.store.batch([
      { type: 'put', key: storeKey(next, id, 0), value: stamped('gap', 7) },
      { type: 'put', key: storeKey(next + 1, id, 0), value: stamped('rewritten', 1) },
      { type: 'put', key: storeKey(next + 2, NO_PARTITION, NO_PARTITION), value: pending },
      { type: 'put', key: storeKey(next + 3, NO_PARTITION, NO_PARTITION), value: new Uint8Array(0) },
      { type: 'put', key: storeKey(next + 4, id + 9, 0), value: stamped('nobody', 0) },
    ]);
    await s.close();
    await env.reopen();
    expect(await storeSeqs(env)).toEqual(after.map(parseSeqKey));
    expect(await valuesOf(env, 'u')).toEqual(['b-0', 'c-0']);
    expect(env.tm.partition('u', 0)!.logEndOffset).toBe(3);
    expect(env.storage.queue.nextSeq).toBe(next + 5);
  });

  it('a store deletion that failed after its index entry went is finished at start-up', async () => {
    env = await openEnv();
    await env.tm.create('d', 1, {});
    const log = env.tm.partition('d', 0)!;
    for (const p of ['a', 'b', 'c']) await log.append([batch(1, { prefix: p })], { sync: true });
    await env.tm.deleteRecords('d', 0, 1);
    await env.storage.queue.drain(); // the store's delete follows the write deleteRecords waited for
    expect(await storeSeqs(env)).toEqual([1, 2]);
    expect(await pendingDeletes(env)).toEqual([]);

    // The log write drops b's index entry; the store's delete then fails: the record of it stays.
    const restore = failStoreDeletes(env);
    await env.tm.deleteRecords('d', 0, 2);
    await env.storage.queue.drain();
    restore();
    expect(await storeSeqs(env)).toEqual([1, 2]);
    expect(await pendingDeletes(env)).toEqual([1]);
    expect(await valuesOf(env, 'd')).toEqual(['c-0']);

    await env.reopen();
    expect(await storeSeqs(env)).toEqual([2]);
    expect(await pendingDeletes(env)).toEqual([]);
    expect(await valuesOf(env, 'd')).toEqual(['c-0']);
    expect(env.storage.queue.nextSeq).toBe(3);
  });

  it('never gives again the sequence of a store deletion, even one above the last stored batch', async () => {
    env = await openEnv();
    const id = (await env.tm.create('e', 1, {})).id;
    const log = env.tm.partition('e', 0)!;
    for (const p of ['a', 'b']) await log.append([batch(1, { prefix: p })], { sync: true });
    await env.close();
    // A record a power loss brought back after its key was deleted, and that key was the store's last.
    const s = await Storage.open(env.dir);
    await s.db.put(storeDeleteKey(storeKey(7, id, 0)), new Uint8Array(0));
    await s.close();
    await env.reopen();
    expect(await pendingDeletes(env)).toEqual([]);
    expect(env.storage.queue.nextSeq).toBe(8);
    await env.tm.partition('e', 0)!.append([batch(1, { prefix: 'c' })], { sync: true });
    expect(await storeSeqs(env)).toEqual([0, 1, 8]);
    await env.reopen();
    expect(await valuesOf(env, 'e')).toEqual(['a-0', 'b-0', 'c-0']);
  });
});
