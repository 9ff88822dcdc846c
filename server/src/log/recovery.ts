// Start-up: each partition's metadata and its batch index, read back from LevelDB in one pass over
// the index keys (48 bytes each; the batches themselves are not read), so start-up costs the index.
// Before it, the store deletions a crash interrupted (0x08 records, WriteQueue.deleteStored); after
// it, what a crash between the two writes of a group left (WriteQueue.writeBoth): index entries
// pointing past the batch store's last key, and stored batches no index entry points at.
import type { Level } from 'level';
import { decodeIndexValue, decodePartMeta, KIND_INDEX, KIND_PART_META, KIND_STORE_DELETE, kindPrefix, parseSeqKey, parseStoreDeleteKey, prefixEnd, seqKey } from './keys.js';
import type { PartitionLog } from './partitionLog.js';

type Db = Level<Uint8Array, Uint8Array>;

export interface IndexReplay {
  /** Batches indexed. */
  batches: number;
  /** Index entries dropped: their batch never reached the batch store. */
  dangling: number;
  /** Stored batches deleted: no index entry pointed at them. */
  unindexed: number;
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
  const records = await db.keys(range(kindPrefix(KIND_STORE_DELETE))).all();
  let maxSeq = -1;
  if (records.length === 0) return { count: 0, maxSeq };
  const seqs = records.map(parseStoreDeleteKey);
  for (const s of seqs) if (s > maxSeq) maxSeq = s;
  await store.batch(seqs.map((s) => ({ type: 'del' as const, key: seqKey(s) })), { sync: true });
  await db.batch(records.map((key) => ({ type: 'del' as const, key })));
  return { count: records.length, maxSeq };
}

/** The batch store's last key, or -1 when it is empty. */
async function lastStoredSeq(store: Db): Promise<number> {
  const keys = await store.keys({ reverse: true, limit: 1 }).all();
  return keys.length > 0 ? parseSeqKey(keys[0]!) : -1;
}

/**
 * Feeds every partition its stored metadata and index entries; `logOf` finds the log of a topic id
 * and partition (undefined for data of no known topic), then drops what an interrupted group left.
 */
export async function replayLogIndex(db: Db, store: Db, logOf: (topicId: number, partition: number) => PartitionLog | undefined): Promise<IndexReplay> {
  const deletes = await finishStoreDeletes(db, store);
  const lastStored = await lastStoredSeq(store);
  const dangling: Uint8Array[] = [];
  let lastIndexed = -1;
  for await (const [k, v] of db.iterator(range(kindPrefix(KIND_PART_META)))) {
    const kv = new DataView(k.buffer, k.byteOffset, k.byteLength);
    const m = decodePartMeta(v);
    logOf(kv.getUint32(1), kv.getUint32(5))?.recoverMeta(m.logStartOffset, m.endOffsetFloor);
  }

  // One pass over every index entry (24 bytes each), in key order, so each log's index fills in order.
  let batches = 0;
  const it = db.iterator(range(kindPrefix(KIND_INDEX)));
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
  // Above the last indexed batch: a group whose log write never happened, or a sync marker.
  let unindexed = 0;
  if (lastStored > lastIndexed) {
    const above = store.keys(lastIndexed < 0 ? {} : { gt: seqKey(lastIndexed) });
    try {
      for (;;) {
        const keys = await above.nextv(1024);
        if (keys.length === 0) break;
        unindexed += keys.length;
        await store.batch(keys.map((key) => ({ type: 'del' as const, key })));
      }
    } finally {
      await above.close();
    }
  }
  return { batches, dangling: dangling.length, unindexed, deletesFinished: deletes.count, nextSeq: Math.max(lastStored, lastIndexed, deletes.maxSeq) + 1 };
}

function range(prefix: Uint8Array): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: prefix, lt: prefixEnd(prefix) };
}
