/**
 * What the transaction coordinator keeps in LevelDB: the producer id blocks handed out and each
 * transactional id's producer id, epoch and timeout. Nothing of a transaction itself is stored
 * (see coordinator.ts: an open transaction is found from the log at start-up).
 *
 * Keys (first byte 0x20-0x21, see log/keys.ts for the scheme):
 *   0x20                      -> end of the producer id block handed out (u64 as int64)
 *   0x21 | transactionalId    -> JSON { producerId, producerEpoch, timeoutMs }
 */
import { readInt64, utf8Decode, utf8Encode, writeInt64 } from '@brook/protocol';
import type { Storage } from '../log/storage.js';

const KIND_PRODUCER_ID_BLOCK = 0x20;
const KIND_TXN = 0x21;
const PRODUCER_ID_BLOCK_KEY = Uint8Array.of(KIND_PRODUCER_ID_BLOCK);
/** Ids reserved per write, so handing one out rarely costs an fsync. */
const PRODUCER_ID_BLOCK_SIZE = 1000;

export interface StoredTransactionalId {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
}

export class ProducerIdStore {
  private nextProducerId = 0;
  private blockEnd = 0;
  private allocating: Promise<unknown> = Promise.resolve();

  private constructor(private readonly storage: Storage) {}

  /** The store, and every transactional id it holds. */
  static async open(storage: Storage): Promise<{ store: ProducerIdStore; transactionalIds: StoredTransactionalId[] }> {
    const store = new ProducerIdStore(storage);
    const db = storage.db;
    const block = await db.get(PRODUCER_ID_BLOCK_KEY);
    if (block) store.nextProducerId = store.blockEnd = readInt64(new DataView(block.buffer, block.byteOffset, 8), 0);
    const transactionalIds: StoredTransactionalId[] = [];
    for await (const [k, v] of db.iterator({ gte: Uint8Array.of(KIND_TXN), lt: Uint8Array.of(KIND_TXN + 1) })) {
      const stored = JSON.parse(utf8Decode(v)) as Omit<StoredTransactionalId, 'transactionalId'>;
      transactionalIds.push({ transactionalId: utf8Decode(k.subarray(1)), ...stored });
    }
    return { store, transactionalIds };
  }

  /** A producer id never handed out before, also across restarts (the block end is fsynced first). */
  allocate(): Promise<number> {
    const next = this.allocating.then(async () => {
      if (this.nextProducerId >= this.blockEnd) {
        const end = this.nextProducerId + PRODUCER_ID_BLOCK_SIZE;
        const v = new Uint8Array(8);
        writeInt64(new DataView(v.buffer), 0, end);
        await this.storage.queue.enqueue({ sync: true, prepare: (b) => b.put(PRODUCER_ID_BLOCK_KEY, v) });
        this.blockEnd = end;
      }
      return this.nextProducerId++;
    });
    this.allocating = next.catch(() => undefined);
    return next;
  }

  /** Stores (fsynced) a transactional id's producer id, epoch and timeout. */
  async persist(transactionalId: string, producerId: number, epoch: number, timeoutMs: number): Promise<void> {
    const value = utf8Encode(JSON.stringify({ producerId, producerEpoch: epoch, timeoutMs }));
    const key = txnKey(transactionalId);
    await this.storage.queue.enqueue({ sync: true, prepare: (b) => b.put(key, value) });
  }
}

function txnKey(id: string): Uint8Array {
  const n = utf8Encode(id);
  const k = new Uint8Array(1 + n.length);
  k[0] = KIND_TXN;
  k.set(n, 1);
  return k;
}
