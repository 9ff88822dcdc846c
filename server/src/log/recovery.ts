// Start-up: each partition's metadata and its batch index, read back from LevelDB in one pass over
// the index keys (48 bytes each; the batches themselves are not read), so start-up costs the index.
// Before it, the store deletions a crash interrupted (0x08 records, WriteQueue.deleteStored); after
// it, what a crash between the two writes of a group left (WriteQueue.writeBoth): index entries
// pointing past the batch store's last key are dropped, and the stored batches above the last
// one indexed are indexed from the store (an append group's index entries, written unsynced, that
// a power loss took) or dropped (a group whose commit point never landed). After a run that did
// not close cleanly, also the batches a power loss left without index entries below the last one
// indexed (indexHoles).
import type { Level } from 'level';
import { readInt64 } from '@brook/protocol';
import { indexEntryOf, readAppendInfo } from './appendOp.js';
import {
  COMMIT_PENDING,
  decodeIndexValue,
  decodePartMeta,
  encodeIndexValue,
  type IndexEntry,
  KIND_INDEX,
  KIND_PART_META,
  KIND_STORE_DELETE,
  kindPrefix,
  NO_PARTITION,
  offsetKey,
  parseSeqKey,
  parseStoreDeleteKey,
  parseStoreKey,
  prefixRange,
  storeKey,
  storeKeyAfter,
} from './keys.js';
import type { PartitionLog } from './partitionLog.js';

type Db = Level<Uint8Array, Uint8Array>;

export interface IndexReplay {
  /** Batches indexed (reindexed included). */
  batches: number;
  /** Index entries dropped: their batch never reached the batch store. */
  dangling: number;
  /** Stored keys above the last indexed batch deleted: a group whose commit point never landed, markers, batches of no partition. */
  unindexed: number;
  /** Stored batches indexed from the store: their index entries were lost. */
  reindexed: number;
  /** Store deletions finished: their index entries were gone, their batches not yet. */
  deletesFinished: number;
  /** The batch store's next write sequence. */
  nextSeq: number;
}

/**
 * Deletes the batch-store keys of every 0x08 record (synced), then the records; returns the
 * highest such sequence (-1: none), which is never given again, so a record that a power loss
 * brings back cannot delete a newer batch.
 */
async function finishStoreDeletes(db: Db, store: Db): Promise<{ count: number; maxSeq: number }> {
  const records = await db.keys(prefixRange(kindPrefix(KIND_STORE_DELETE))).all();
  let maxSeq = -1;
  if (records.length === 0) return { count: 0, maxSeq };
  const keys = records.map(parseStoreDeleteKey);
  for (const k of keys) maxSeq = Math.max(maxSeq, parseSeqKey(k));
  await store.batch(keys.map((key) => ({ type: 'del' as const, key })), { sync: true });
  await db.batch(records.map((key) => ({ type: 'del' as const, key })));
  return { count: records.length, maxSeq };
}

/** The batch store's last key's sequence, or -1 when it is empty. */
async function lastStoredSeq(store: Db): Promise<number> {
  const keys = await store.keys({ reverse: true, limit: 1 }).all();
  return keys.length > 0 ? parseSeqKey(keys[0]!) : -1;
}

/**
 * Feeds every partition its stored metadata and index entries; `logOf` finds the log of a topic id
 * and partition (undefined for data of no known topic), then settles what an interrupted group left.
 */
export async function replayLogIndex(
  db: Db,
  store: Db,
  logOf: (topicId: number, partition: number) => PartitionLog | undefined,
  /** The last run did not close cleanly (Storage.uncleanStart). */
  unclean: boolean,
): Promise<IndexReplay> {
  const deletes = await finishStoreDeletes(db, store);
  const lastStored = await lastStoredSeq(store);
  const holes = unclean ? await indexHoles(db, store, lastStored) : 0;
  const dangling: Uint8Array[] = [];
  let lastIndexed = -1;
  for await (const [k, v] of db.iterator(prefixRange(kindPrefix(KIND_PART_META)))) {
    const kv = new DataView(k.buffer, k.byteOffset, k.byteLength);
    const m = decodePartMeta(v);
    logOf(kv.getUint32(1), kv.getUint32(5))?.recoverMeta(m.logStartOffset, m.endOffsetFloor);
  }

  // One pass over every index entry, in key order, so each log's index fills in order.
  let batches = 0;
  const it = db.iterator(prefixRange(kindPrefix(KIND_INDEX)));
  try {
    let lastId = -1;
    let lastP = -1;
    let log: PartitionLog | undefined;
    for (;;) {
      const chunk = await it.nextv(1024);
      if (chunk.length === 0) break;
      for (const [k, v] of chunk) {
        const kv = new DataView(k.buffer, k.byteOffset, k.byteLength);
        const id = kv.getUint32(1);
        const p = kv.getUint32(5);
        if (id !== lastId || p !== lastP) {
          log = logOf(id, p);
          lastId = id;
          lastP = p;
        }
        const e = decodeIndexValue(v);
        if (!e) continue;
        if (e.storeSeq > lastStored) {
          dangling.push(k);
          continue;
        }
        if (e.storeSeq > lastIndexed) lastIndexed = e.storeSeq;
        if (!log) continue;
        log.recoverBatch(kv.getInt32(9) * 4294967296 + kv.getUint32(13), e);
        batches++;
      }
    }
  } finally {
    await it.close();
  }
  if (dangling.length > 0) await db.batch(dangling.map((key) => ({ type: 'del' as const, key })));
  const tail = lastStored > lastIndexed ? await settleTail(db, store, lastIndexed, logOf) : { reindexed: 0, dropped: 0 };
  return {
    batches: batches + tail.reindexed,
    dangling: dangling.length,
    unindexed: tail.dropped,
    reindexed: tail.reindexed + holes,
    deletesFinished: deletes.count,
    nextSeq: Math.max(lastStored, lastIndexed, deletes.maxSeq) + 1,
  };
}

/** The index entry of a stored record batch (its base offset is stamped in it), or null if it is none. */
function storedEntry(v: Uint8Array, seq: number): { base: number; entry: IndexEntry } | null {
  try {
    const info = readAppendInfo([v], Number.MAX_SAFE_INTEGER, '');
    const base = readInt64(new DataView(v.buffer, v.byteOffset, 8), 0);
    return { base, entry: indexEntryOf(info, 0, base, seq) };
  } catch {
    return null;
  }
}

/**
 * How far below the store's last key start-up looks for batches without index entries after an
 * unclean end. A synced write fsyncs only the log database's current write-ahead log; the one
 * before it (a 4 MiB memtable: some 50,000 index entries) is fsynced by LevelDB only when written
 * to a table, so a power loss in between can take unsynced index entries from below later ones
 * that survive. Four memtables' worth of sequences.
 */
export const HOLE_WINDOW = 1 << 18;

/**
 * Gives back their index entries (synced) to the stored batches within HOLE_WINDOW of the store's
 * last key that no index entry points at and whose offsets no entry holds: the holes described at
 * HOLE_WINDOW. One pass over the index values first; the replay then feeds them in order.
 */
async function indexHoles(db: Db, store: Db, lastStored: number): Promise<number> {
  const from = Math.max(0, lastStored - HOLE_WINDOW);
  const indexed = new Set<number>();
  let lastIndexed = -1;
  for await (const v of db.values(prefixRange(kindPrefix(KIND_INDEX)))) {
    const e = decodeIndexValue(v);
    if (!e || e.storeSeq < from || e.storeSeq > lastStored) continue;
    indexed.add(e.storeSeq);
    if (e.storeSeq > lastIndexed) lastIndexed = e.storeSeq;
  }
  const missing: Uint8Array[] = [];
  if (lastIndexed >= from) {
    for await (const k of store.keys({ gte: storeKey(from, 0, 0), lt: storeKeyAfter(lastIndexed) })) {
      const key = parseStoreKey(k);
      if (key && key.topicId !== NO_PARTITION && !indexed.has(key.seq)) missing.push(k);
    }
  }
  if (missing.length === 0) return 0;
  const values = await store.getMany(missing);
  const found = missing.map((k, i) => {
    const key = parseStoreKey(k)!;
    const e = values[i] ? storedEntry(values[i]!, key.seq) : null;
    return e && { indexKey: offsetKey(KIND_INDEX, key.topicId, key.partition, e.base), entry: e.entry };
  });
  // One read for every offset a found batch claims: an entry there already means the batch was given again.
  const held = await db.getMany(found.flatMap((f) => (f ? [f.indexKey] : [])));
  const puts: Array<{ type: 'put'; key: Uint8Array; value: Uint8Array }> = [];
  const drop: Uint8Array[] = [];
  let h = 0;
  for (let i = 0; i < missing.length; i++) {
    const f = found[i];
    // Not a batch, or its offsets given again (a failed write whose undo failed too): nothing points at it.
    if (f && held[h++] === undefined) puts.push({ type: 'put', key: f.indexKey, value: encodeIndexValue(f.entry) });
    else drop.push(missing[i]!);
  }
  if (puts.length > 0) await db.batch(puts, { sync: true });
  if (drop.length > 0) await store.batch(drop.map((key) => ({ type: 'del' as const, key })), { sync: true });
  return puts.length;
}

/**
 * The stored keys above the last indexed batch, in write order. From the first batch of a group
 * whose commit point never landed (its commit-pending key says which) on, everything is dropped;
 * below it, each batch that continues its partition gets its index entry back (written synced
 * before the broker serves), and markers and batches of no partition are dropped.
 */
async function settleTail(
  db: Db,
  store: Db,
  lastIndexed: number,
  logOf: (topicId: number, partition: number) => PartitionLog | undefined,
): Promise<{ reindexed: number; dropped: number }> {
  const from = lastIndexed < 0 ? {} : { gte: storeKeyAfter(lastIndexed) };
  // First the keys alone (the values may be many batches): where an uncommitted group starts.
  const notBatches: Uint8Array[] = [];
  for await (const k of store.keys(from)) if (parseStoreKey(k)?.topicId === NO_PARTITION) notBatches.push(k);
  let cut = Infinity;
  for (const v of notBatches.length > 0 ? await store.getMany(notBatches) : []) {
    if (v?.byteLength === 9 && v[0] === COMMIT_PENDING) cut = Math.min(cut, readInt64(new DataView(v.buffer, v.byteOffset, 9), 1));
  }
  const drop: Uint8Array[] = [];
  const index = db.batch();
  let reindexed = 0;
  const it = store.iterator(from);
  try {
    for (;;) {
      const chunk = await it.nextv(256);
      if (chunk.length === 0) break;
      for (const [k, v] of chunk) {
        const key = parseStoreKey(k);
        const log = key && key.seq < cut && key.topicId !== NO_PARTITION ? logOf(key.topicId, key.partition) : undefined;
        const found = log ? storedEntry(v, key!.seq) : null;
        if (!found || found.base !== log!.recoveredEnd()) {
          drop.push(k);
          continue;
        }
        log!.recoverBatch(found.base, found.entry);
        index.put(offsetKey(KIND_INDEX, key!.topicId, key!.partition, found.base), encodeIndexValue(found.entry));
        reindexed++;
      }
    }
  } finally {
    await it.close();
  }
  if (index.length > 0) await index.write({ sync: true });
  else await index.close();
  if (drop.length > 0) await store.batch(drop.map((key) => ({ type: 'del' as const, key })), { sync: true });
  return { reindexed, dropped: drop.length };
}
