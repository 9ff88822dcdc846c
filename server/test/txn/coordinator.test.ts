// The transaction coordinator under adversity, against an in-process broker whose write queue is
// wrapped: a write can be held (to run a zombie producer exactly while InitProducerId writes) or
// refused like a failing LevelDB write (STORAGE_ERROR), and the transaction must still end right.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BrookError,
  CONTROL_ABORT,
  ErrorCode,
  controlTypeOfKey,
  decodeBatches,
  encodeBatch,
} from '@brook/protocol';
import type { StartOptions } from '@brook/server';
import type { WriteEntry } from '../../src/log/writeQueue.js';
import { RawClient, testBroker } from '../helpers.js';

type TestBroker = Awaited<ReturnType<typeof testBroker>>;

const open: Array<{ close(): void } | TestBroker> = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) {
    if ('stop' in x) await x.stop();
    else x.close();
  }
});

async function broker(opts: StartOptions = {}): Promise<{ b: TestBroker; gate: WriteGate; connect(): Promise<RawClient> }> {
  const b = await testBroker(opts);
  open.push(b);
  const gate = new WriteGate(b);
  return {
    b,
    gate,
    async connect() {
      const c = await RawClient.connect(b.url);
      open.push(c);
      return c;
    },
  };
}

/** Wraps the broker's single write queue: holds the next write, or refuses the next ones as LevelDB would. */
class WriteGate {
  private holdNext: { held: () => void; release: Promise<void> } | null = null;
  private failures = 0;
  private passedWaiters: Array<{ n: number; resolve: () => void }> = [];
  /** Writes that went on to the real queue (held ones count once released). */
  passed = 0;

  constructor(b: TestBroker) {
    const queue = b.context.topics.storage.queue;
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = async (entry: WriteEntry) => {
      if (this.failures > 0) {
        this.failures--;
        // Refused at flush time before any op, like a failed batch write: nothing of it is applied.
        return enqueue({
          sync: entry.sync,
          prepare: () => {
            throw new BrookError(ErrorCode.STORAGE_ERROR, 'LevelDB write failed: injected');
          },
        });
      }
      const hold = this.holdNext;
      this.holdNext = null;
      if (hold) {
        hold.held();
        await hold.release;
      }
      this.passed++;
      for (const w of this.passedWaiters.filter((x) => this.passed >= x.n)) w.resolve();
      return enqueue(entry);
    };
  }

  /** Holds the next write until `release` is called; `held` resolves once it arrived. */
  hold(): { held: Promise<void>; release: () => void } {
    let release!: () => void;
    let held!: () => void;
    const heldP = new Promise<void>((r) => (held = r));
    this.holdNext = { held, release: new Promise<void>((r) => (release = r)) };
    return { held: heldP, release };
  }

  /** The next `n` writes fail with STORAGE_ERROR. */
  fail(n: number): void {
    this.failures = n;
  }

  /** Resolves once `n` more writes went on to the queue. */
  passes(n: number): Promise<void> {
    const target = this.passed + n;
    return new Promise((resolve) => this.passedWaiters.push({ n: target, resolve }));
  }
}

const enc = new TextEncoder();

async function produceTxn(c: RawClient, tid: string, topic: string, partition: number, p: { producerId: number; producerEpoch: number }, seq: number, value: string) {
  const records = encodeBatch({ records: [{ key: null, value: enc.encode(value) }], producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence: seq, transactional: true });
  const r = await c.request('Produce', { transactionalId: tid, acks: -1, timeoutMs: 5000, topics: [{ topic, partitions: [{ partition, records }] }] });
  return r.topics[0]!.partitions[0]!;
}

/** What a read_committed consumer sees of a partition (Kafka's filter: aborted producers' data is skipped up to their ABORT marker). */
async function readCommitted(c: RawClient, topic: string, partition: number): Promise<{ values: string[]; lso: number; hw: number }> {
  const f = await c.request('Fetch', {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 1,
    topics: [{ topic, partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
  });
  const p = f.topics[0]!.partitions[0]!;
  expect(p.errorCode).toBe(0);
  const aborted = [...p.abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset);
  const skipping = new Set<number>();
  const values: string[] = [];
  for (const { header: h, records } of decodeBatches(p.records)) {
    if (h.baseOffset >= p.lastStableOffset) break;
    while (aborted.length > 0 && aborted[0]!.firstOffset <= h.baseOffset + h.lastOffsetDelta) skipping.add(aborted.shift()!.producerId);
    if (h.attributes & ATTR_CONTROL) {
      if (controlTypeOfKey(records[0]?.key ?? null) === CONTROL_ABORT) skipping.delete(h.producerId);
      continue;
    }
    if (h.attributes & ATTR_TRANSACTIONAL && skipping.has(h.producerId)) continue;
    for (const r of records) values.push(new TextDecoder().decode(r.value!));
  }
  return { values, lso: p.lastStableOffset, hw: p.highWatermark };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function codeOf(p: Promise<unknown>): Promise<number> {
  return p.then(
    () => 0,
    (e: unknown) => (e instanceof BrookError ? e.code : -1),
  );
}

async function createTopic(c: RawClient, name: string, numPartitions: number): Promise<void> {
  await c.request('CreateTopics', { topics: [{ name, numPartitions, configs: [] }], validateOnly: false });
}

describe('fencing a zombie (InitProducerId over an open transaction)', () => {
  it('refuses the old epoch as soon as fencing starts: a zombie producing while InitProducerId writes cannot join, and the new COMMIT does not commit it', async () => {
    const { gate, connect } = await broker();
    const zombie = await connect();
    const fresh = await connect();
    await createTopic(zombie, 'zt', 2);
    const old = await zombie.request('InitProducerId', { transactionalId: 'tx-z', transactionTimeoutMs: 60_000 });
    expect((await produceTxn(zombie, 'tx-z', 'zt', 0, old, 0, 'old-a')).errorCode).toBe(0);

    // The new instance's InitProducerId stops at its first write; the zombie produces to a new partition meanwhile.
    const h = gate.hold();
    const init = fresh.request('InitProducerId', { transactionalId: 'tx-z', transactionTimeoutMs: 60_000 });
    await h.held;
    const z = await produceTxn(zombie, 'tx-z', 'zt', 1, old, 1, 'zombie');
    h.release();
    const cur = await init;
    expect([ErrorCode.PRODUCER_FENCED, ErrorCode.INVALID_PRODUCER_EPOCH]).toContain(z.errorCode);
    expect(cur.producerId === old.producerId ? cur.producerEpoch > old.producerEpoch : true).toBe(true);

    expect((await produceTxn(fresh, 'tx-z', 'zt', 1, cur, 0, 'new')).errorCode).toBe(0);
    await fresh.request('EndTxn', { transactionalId: 'tx-z', producerId: cur.producerId, producerEpoch: cur.producerEpoch, committed: true });
    for (const [partition, want] of [[0, []], [1, ['new']]] as const) {
      const r = await readCommitted(fresh, 'zt', partition);
      expect(r.values).toEqual(want);
      expect(r.lso).toBe(r.hw);
    }
    expect(await codeOf(zombie.request('EndTxn', { transactionalId: 'tx-z', producerId: old.producerId, producerEpoch: old.producerEpoch, committed: true }))).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('waits for an append accepted before fencing and aborts it with the rest (it may not land after the markers)', async () => {
    const { gate, connect } = await broker();
    const zombie = await connect();
    const fresh = await connect();
    await createTopic(zombie, 'zt', 2);
    const old = await zombie.request('InitProducerId', { transactionalId: 'tx-y', transactionTimeoutMs: 60_000 });
    expect((await produceTxn(zombie, 'tx-y', 'zt', 0, old, 0, 'old-a')).errorCode).toBe(0);

    // The zombie's append to partition 1 is accepted and in flight (held) when InitProducerId starts.
    const h = gate.hold();
    const z = produceTxn(zombie, 'tx-y', 'zt', 1, old, 1, 'zombie');
    await h.held;
    const next = gate.passes(1); // InitProducerId's first write
    const init = fresh.request('InitProducerId', { transactionalId: 'tx-y', transactionTimeoutMs: 60_000 });
    await next;
    h.release();
    const cur = await init;
    await z;

    expect((await produceTxn(fresh, 'tx-y', 'zt', 1, cur, 0, 'new')).errorCode).toBe(0);
    await fresh.request('EndTxn', { transactionalId: 'tx-y', producerId: cur.producerId, producerEpoch: cur.producerEpoch, committed: true });
    for (const [partition, want] of [[0, []], [1, ['new']]] as const) {
      const r = await readCommitted(fresh, 'zt', partition);
      expect(r.values).toEqual(want);
      expect(r.lso).toBe(r.hw);
    }
  });
});

describe('a failed write never leaves a transaction open', () => {
  it('a failed EndTxn write: the transaction still times out, is aborted and its producer fenced', async () => {
    const { b, gate, connect } = await broker();
    const c = await connect();
    await createTopic(c, 'ft', 1);
    const p = await c.request('InitProducerId', { transactionalId: 'tx-f', transactionTimeoutMs: 300 });
    expect((await produceTxn(c, 'tx-f', 'ft', 0, p, 0, 'doomed')).errorCode).toBe(0);
    gate.fail(1);
    expect(await codeOf(c.request('EndTxn', { transactionalId: 'tx-f', producerId: p.producerId, producerEpoch: p.producerEpoch, committed: true }))).toBe(ErrorCode.STORAGE_ERROR);

    const log = b.context.topics.partition('ft', 0)!;
    await until('the timed-out transaction to be aborted', () => log.lastStableOffset === log.highWatermark);
    expect((await readCommitted(c, 'ft', 0)).values).toEqual([]);
    expect(b.context.txns.stats()).toMatchObject({ open: 0, aborted: 1, committed: 0 });
    expect(await codeOf(c.request('EndTxn', { transactionalId: 'tx-f', producerId: p.producerId, producerEpoch: p.producerEpoch, committed: true }))).toBe(
      ErrorCode.TRANSACTION_TIMED_OUT,
    );
  });

  it("a failed timeout abort is retried until the transaction is aborted", async () => {
    const { b, gate, connect } = await broker();
    const c = await connect();
    await createTopic(c, 'ft', 1);
    const p = await c.request('InitProducerId', { transactionalId: 'tx-g', transactionTimeoutMs: 200 });
    expect((await produceTxn(c, 'tx-g', 'ft', 0, p, 0, 'doomed')).errorCode).toBe(0);
    gate.fail(1); // the next write is the timeout's abort

    const log = b.context.topics.partition('ft', 0)!;
    await until('the timed-out transaction to be aborted', () => log.lastStableOffset === log.highWatermark);
    expect((await readCommitted(c, 'ft', 0)).values).toEqual([]);
    expect(b.context.txns.stats()).toMatchObject({ open: 0, aborted: 1 });
    expect((await produceTxn(c, 'tx-g', 'ft', 0, p, 1, 'late')).errorCode).toBe(ErrorCode.TRANSACTION_TIMED_OUT);
  });

  it('a failed fencing abort in InitProducerId: a retry completes it, and the old epoch stays fenced', async () => {
    const { gate, connect } = await broker();
    const zombie = await connect();
    const fresh = await connect();
    await createTopic(zombie, 'ft', 1);
    const old = await zombie.request('InitProducerId', { transactionalId: 'tx-h', transactionTimeoutMs: 60_000 });
    expect((await produceTxn(zombie, 'tx-h', 'ft', 0, old, 0, 'old')).errorCode).toBe(0);
    gate.fail(1);
    expect(await codeOf(fresh.request('InitProducerId', { transactionalId: 'tx-h', transactionTimeoutMs: 60_000 }))).toBe(ErrorCode.STORAGE_ERROR);
    expect([ErrorCode.PRODUCER_FENCED, ErrorCode.INVALID_PRODUCER_EPOCH]).toContain((await produceTxn(zombie, 'tx-h', 'ft', 0, old, 1, 'zombie')).errorCode);

    const cur = await fresh.request('InitProducerId', { transactionalId: 'tx-h', transactionTimeoutMs: 60_000 });
    expect((await produceTxn(fresh, 'tx-h', 'ft', 0, cur, 0, 'new')).errorCode).toBe(0);
    await fresh.request('EndTxn', { transactionalId: 'tx-h', producerId: cur.producerId, producerEpoch: cur.producerEpoch, committed: true });
    const r = await readCommitted(fresh, 'ft', 0);
    expect(r.values).toEqual(['new']);
    expect(r.lso).toBe(r.hw);
  });
});
