// Start-up: each partition's metadata and its batch index, read back from LevelDB in one pass over
// the index keys (24 bytes each; the batches themselves are not read), so start-up costs the index.
import type { Level } from 'level';
import { decodeIndexValue, decodePartMeta, KIND_INDEX, KIND_PART_META, kindPrefix, prefixEnd } from './keys.js';
import type { PartitionLog } from './partitionLog.js';

/**
 * Feeds every partition its stored metadata and index entries; `logOf` finds the log of a topic id
 * and partition (undefined for data of no known topic). Returns how many batches were indexed.
 */
export async function replayLogIndex(db: Level<Uint8Array, Uint8Array>, logOf: (topicId: number, partition: number) => PartitionLog | undefined): Promise<number> {
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
        const e = log ? decodeIndexValue(v) : null;
        if (!log || !e) continue;
        log.recoverBatch(kv.getInt32(9) * 4294967296 + kv.getUint32(13), e);
        batches++;
      }
    }
  } finally {
    await it.close();
  }
  return batches;
}

function range(prefix: Uint8Array): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: prefix, lt: prefixEnd(prefix) };
}
