// The batch store (`<dataDir>/batches`): batches written before it (0x02 keys in the log database)
// stay readable and go away through retention, compaction and deletion; and what a crash between a
// group's two writes leaves is dropped at start-up (WriteQueue.writeBoth, recovery.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBatches, readBatchHeader, setBaseOffset } from '@brook/protocol';
import { IN_LOG_DB, INDEX_VALUE_SIZE_V1, KIND_BATCH, KIND_INDEX, KIND_STORE_DELETE, encodeIndexValue, offsetKey, parseSeqKey, parseStoreDeleteKey, seqKey, storeDeleteKey } from '../../src/log/keys.js';
import { Storage } from '../../src/log/storage.js';
import { batch, openEnv, text, type Env } from './helpers.js';

let env: Env | undefined;
afterEach(async () => {
  await env?.destroy();
  env = undefined;
});

/** Values of every record a full read from offset 0 returns. */
async function valuesOf(e: Env, topic: string): Promise<string[]> {
  const log = e.tm.partition(topic, 0)!;
  const out: string[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const r = await log.read(offset, 1 << 20);
    const records = decodeBatches(r.records).flatMap((b) => b.records);
    for (const rec of records) if (rec.offset >= offset) out.push(text(rec.value)!);
    offset = r.lastOffset + 1;
  }
  return out;
}

/** Writes batches as a broker before the batch store did: 0x02 keys and 40-byte index entries. */
async function writeLegacy(dir: string, topicId: number, batches: Uint8Array[]): Promise<void> {
  const s = await Storage.open(dir);
  let base = 0;
  for (const b of batches) {
    const h = readBatchHeader(b);
    setBaseOffset(b, base);
    const entry = encodeIndexValue({
      lastOffset: base + h.lastOffsetDelta,
      maxTimestamp: h.maxTimestamp,
      size: b.byteLength,
      records: h.recordCount,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      attributes: 0,
      controlType: -1,
      storeSeq: IN_LOG_DB,
    }).subarray(0, INDEX_VALUE_SIZE_V1);
    await s.db.put(offsetKey(KIND_BATCH, topicId, 0, base), b);
    await s.db.put(offsetKey(KIND_INDEX, topicId, 0, base), entry);
    base += h.lastOffsetDelta + 1;
  }
  await s.close();
}

async function legacyKeys(e: Env, topicId: number): Promise<number> {
  const from = offsetKey(KIND_BATCH, topicId, 0, 0);
  const to = offsetKey(KIND_BATCH, topicId, 1, 0);
  return (await e.storage.db.keys({ gte: from, lt: to }).all()).length;
}

async function storeSeqs(e: Env): Promise<number[]> {
  return (await e.storage.store.keys().all()).map(parseSeqKey);
}

/** The sequences of the 0x08 records (store deletions not finished). */
async function pendingDeletes(e: Env): Promise<number[]> {
  const keys = await e.storage.db.keys({ gte: Uint8Array.of(KIND_STORE_DELETE), lt: Uint8Array.of(KIND_STORE_DELETE + 1) }).all();
  return keys.map(parseStoreDeleteKey);
}

/** Makes the batch store's writes that delete keys fail, as a full or failing disk would, until the returned function runs. */
function failStoreDeletes(e: Env): () => void {
  const store = e.storage.store;
  const real = store.batch;
  store.batch = function (this: typeof store, ...args: unknown[]) {
    if (args.length > 0) return (real as (...a: unknown[]) => unknown).apply(this, args);
    const b = real.call(this);
    const del = b.del.bind(b);
    let deletes = false;
    b.del = (key: Uint8Array) => {
      deletes = true;
      return del(key);
    };
    const write = b.write.bind(b);
    b.write = ((opts?: object) => (deletes ? b.close().then(() => Promise.reject(new Error('IO error: No space left on device'))) : write(opts ?? {}))) as typeof b.write;
    return b;
  } as typeof store.batch;
  return () => {
    store.batch = real;
  };
}

describe('batch store', () => {
  it('reads batches stored before it, and retention and deletion remove them', async () => {
    env = await openEnv();
    const id = (await env.tm.create('old', 1, {})).id;
    await env.close();
    await writeLegacy(env.dir, id, [batch(2, { prefix: 'a' }), batch(2, { prefix: 'b' }), batch(2, { prefix: 'c' })]);
    await env.reopen();
    const log = env.tm.partition('old', 0)!;
    expect(log.logEndOffset).toBe(6);
    expect(await valuesOf(env, 'old')).toEqual(['a-0', 'a-1', 'b-0', 'b-1', 'c-0', 'c-1']);

    // New batches go to the batch store; one read spans both.
    await log.append([batch(2, { prefix: 'd' })], { sync: true });
    expect(await storeSeqs(env)).toHaveLength(1);
    expect(await valuesOf(env, 'old')).toEqual(['a-0', 'a-1', 'b-0', 'b-1', 'c-0', 'c-1', 'd-0', 'd-1']);
    const scanned: number[] = [];
    for await (const b of log.scan()) scanned.push(readBatchHeader(b).baseOffset);
    expect(scanned).toEqual([0, 2, 4, 6]);

    // DeleteRecords (retention's write) removes old batches' 0x02 keys.
    await env.tm.deleteRecords('old', 0, 4);
    expect(await legacyKeys(env, id)).toBe(1);
    await env.reopen();
    expect(await valuesOf(env, 'old')).toEqual(['c-0', 'c-1', 'd-0', 'd-1']);

    await env.tm.delete('old');
    await env.reopen();
    expect(await legacyKeys(env, id)).toBe(0);
    expect(await storeSeqs(env)).toEqual([]);
  });

  it('compaction moves batches stored before it into the batch store', async () => {
    env = await openEnv();
    const id = (await env.tm.create('oldc', 1, { 'cleanup.policy': 'compact' })).id;
    await env.close();
    const k = () => 'k';
    await writeLegacy(env.dir, id, [
      batch(1, { prefix: 'a', keyOf: k }),
      batch(2, { prefix: 'b', keyOf: (i) => `b${i}` }),
      batch(1, { prefix: 'c', keyOf: k }),
      batch(1, { prefix: 'd', keyOf: () => 'z' }),
    ]);
    await env.reopen();
    const result = await env.tm.runCompaction();
    // a (key k, superseded by c) goes; b and c stay as they are; d is the active head.
    expect(result).toMatchObject({ batchesRemoved: 1, batchesRewritten: 0 });
    expect(await legacyKeys(env, id)).toBe(3);
    await env.reopen();
    expect(await valuesOf(env, 'oldc')).toEqual(['b-0', 'b-1', 'c-0', 'd-0']);

    // A rewritten batch goes to the head of the store and its old key goes.
    const log = env.tm.partition('oldc', 0)!;
    await log.append([batch(2, { prefix: 'e', keyOf: (i) => (i === 0 ? 'b0' : 'y') })], { sync: true });
    await log.append([batch(1, { prefix: 'f' })], { sync: true });
    const r = await env.tm.runCompaction();
    expect(r).toMatchObject({ batchesRemoved: 0, batchesRewritten: 1 });
    expect(await legacyKeys(env, id)).toBe(2); // c and d, still the same bytes
    await env.reopen();
    expect(await valuesOf(env, 'oldc')).toEqual(['b-1', 'c-0', 'd-0', 'e-0', 'e-1', 'f-0']);
    expect(await storeSeqs(env)).toHaveLength(3);
  });

  it('drops index entries whose batch never reached the store, so the offsets are given again', async () => {
    env = await openEnv();
    await env.tm.create('t', 1, {});
    const log = env.tm.partition('t', 0)!;
    for (const p of ['a', 'b', 'c']) await log.append([batch(2, { prefix: p })], { sync: true });
    await env.close();
    // A crash after the log database's write, before the store's: the last batch is not stored.
    const s = await Storage.open(env.dir);
    const seqs = (await s.store.keys().all()).map(parseSeqKey);
    await s.store.del(seqKey(seqs[seqs.length - 1]!));
    await s.close();
    await env.reopen();
    const again = env.tm.partition('t', 0)!;
    expect(again.logEndOffset).toBe(4);
    expect(await valuesOf(env, 't')).toEqual(['a-0', 'a-1', 'b-0', 'b-1']);
    expect((await env.storage.db.keys({ gte: Uint8Array.of(KIND_INDEX), lt: Uint8Array.of(KIND_INDEX + 1) }).all()).length).toBe(2);
    const r = await again.append([batch(1, { prefix: 'x' })], { sync: true });
    expect(r.baseOffset).toBe(4);
    await env.reopen();
    expect(await valuesOf(env, 't')).toEqual(['a-0', 'a-1', 'b-0', 'b-1', 'x-0']);
  });

  it('deletes stored batches no index entry points at, and never gives their sequences again', async () => {
    env = await openEnv();
    await env.tm.create('u', 1, {});
    const log = env.tm.partition('u', 0)!;
    await log.append([batch(1, { prefix: 'a' })], { sync: true });
    await log.append([batch(1, { prefix: 'b' })], { sync: true });
    await env.close();
    // A crash after the store's write, before the log database's: batches nobody indexed.
    const s = await Storage.open(env.dir);
    await s.store.put(seqKey(2), batch(1, { prefix: 'lost' }));
    await s.store.put(seqKey(3), batch(1, { prefix: 'lost' }));
    await s.close();
    await env.reopen();
    expect(await storeSeqs(env)).toEqual([0, 1]);
    expect(env.storage.queue.nextSeq).toBe(4);
    await env.tm.partition('u', 0)!.append([batch(1, { prefix: 'c' })], { sync: true });
    expect(await storeSeqs(env)).toEqual([0, 1, 4]);
    expect(await valuesOf(env, 'u')).toEqual(['a-0', 'b-0', 'c-0']);
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
    await env.tm.create('e', 1, {});
    const log = env.tm.partition('e', 0)!;
    for (const p of ['a', 'b']) await log.append([batch(1, { prefix: p })], { sync: true });
    await env.close();
    // A record a power loss brought back after its key was deleted, and that key was the store's last.
    const s = await Storage.open(env.dir);
    await s.db.put(storeDeleteKey(7), new Uint8Array(0));
    await s.close();
    await env.reopen();
    expect(await pendingDeletes(env)).toEqual([]);
    expect(env.storage.queue.nextSeq).toBe(8);
    await env.tm.partition('e', 0)!.append([batch(1, { prefix: 'c' })], { sync: true });
    expect(await storeSeqs(env)).toEqual([0, 1, 8]);
    await env.reopen();
    expect(await valuesOf(env, 'e')).toEqual(['a-0', 'b-0', 'c-0']);
  });

  it('an unsynced append is fsynced by a marker at the next sequence, which the next batch takes', async () => {
    env = await openEnv();
    await env.tm.create('m', 1, {});
    const log = env.tm.partition('m', 0)!;
    await log.append([batch(1, { prefix: 'a' })], { sync: false });
    // The high watermark moves once the marker's synced write covered the append.
    await new Promise<void>((resolve) => log.onAppend(() => log.highWatermark === 1 && resolve()));
    const store = await env.storage.store.iterator().all();
    expect(store.map(([key, value]) => [parseSeqKey(key), value.byteLength > 0])).toEqual([
      [0, true],
      [1, false],
    ]);
    await log.append([batch(1, { prefix: 'b' })], { sync: true });
    expect((await env.storage.store.values().all()).every((v) => v.byteLength > 0)).toBe(true);
    await log.append([batch(1, { prefix: 'c' })], { sync: false });
    await env.reopen(); // close writes the marker; start-up deletes it
    expect(await storeSeqs(env)).toEqual([0, 1, 2]);
    expect(await valuesOf(env, 'm')).toEqual(['a-0', 'b-0', 'c-0']);
  });
});
