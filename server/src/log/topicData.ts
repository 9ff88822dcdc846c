/**
 * A deleted topic's data. Deletion writes a 0x06 record in the same write that drops the topic's
 * metadata; the data goes afterwards, in the background, and start-up finishes what a crash
 * interrupted.
 */
import { IN_LOG_DB, KIND_BATCH, KIND_DELETED_TOPIC, KIND_INDEX, KIND_PART_META, decodeIndexValue, idPrefix, kindPrefix, prefixRange, storeKey } from './keys.js';
import type { Db, Storage } from './storage.js';

/** Ids of deleted topics whose data may still be there. */
export async function deletedTopicIds(db: Db): Promise<number[]> {
  const ids: number[] = [];
  for await (const k of db.keys(prefixRange(kindPrefix(KIND_DELETED_TOPIC)))) ids.push(new DataView(k.buffer, k.byteOffset, k.byteLength).getUint32(1));
  return ids;
}

/** Removes a topic id's batches, index entries and partition metadata, then its deletion record. */
export async function clearTopicData(storage: Storage, id: number): Promise<void> {
  const db = storage.db;
  // The batches first: the index entries say where they are, and stay until they are gone.
  const seqs: Uint8Array[] = [];
  for await (const [k, v] of db.iterator(prefixRange(idPrefix(KIND_INDEX, id)))) {
    const e = decodeIndexValue(v);
    if (e && e.storeSeq !== IN_LOG_DB) seqs.push(storeKey(e.storeSeq, id, new DataView(k.buffer, k.byteOffset, k.byteLength).getUint32(5)));
  }
  for (let i = 0; i < seqs.length; i += 4096) {
    // Synced: the index entries that find these keys go next, and must not outlive them on disk.
    await storage.store.batch(seqs.slice(i, i + 4096).map((key) => ({ type: 'del' as const, key })), { sync: true });
  }
  for (const kind of [KIND_BATCH, KIND_INDEX, KIND_PART_META]) await db.clear(prefixRange(idPrefix(kind, id)));
  await db.del(idPrefix(KIND_DELETED_TOPIC, id));
}
