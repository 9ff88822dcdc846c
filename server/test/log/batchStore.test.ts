// The batch store (`<dataDir>/batches`): batches written before it (0x02 keys in the log database)
// stay readable and go away through retention, compaction and deletion; the store's sync marker.
// What a crash leaves between the two databases: storeRecovery.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { readBatchHeader, setBaseOffset } from '@brook/protocol';
import { IN_LOG_DB, INDEX_VALUE_SIZE_V1, KIND_BATCH, KIND_INDEX, encodeIndexValue, offsetKey, parseSeqKey } from '../../src/log/keys.js';
import { Storage } from '../../src/log/storage.js';
import { batch, openEnv, storeSeqs, valuesOf, type Env } from './helpers.js';

let env: Env | undefined;
afterEach(async () => {
  await env?.destroy();
  env = undefined;
});

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

  it('an unsynced append is fsynced by a marker under a sequence of its own, which the next store write deletes', async () => {
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
    expect(await storeSeqs(env)).toEqual([0, 2]);
    await log.append([batch(1, { prefix: 'c' })], { sync: false });
    await env.reopen(); // close writes a marker (4); start-up deletes it
    expect(await storeSeqs(env)).toEqual([0, 2, 3]);
    expect(await valuesOf(env, 'm')).toEqual(['a-0', 'b-0', 'c-0']);
  });
});
