// Exactly-once against a real broker: idempotent retries, transactions (commit, abort, fencing,
// timeout, offsets), read_committed vs read_uncommitted, and recovery of open transactions.
import { createServer, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatch, encodeControlBatch, ErrorCode } from '@brook/protocol';
import { decodeFetched } from '../src/consumer/fetched.js';
import { startBroker } from '@brook/server';
import { Brook, logLevel, type Consumer } from '../src/index.js';
import type { Connection } from '../src/connection.js';
import { client, rawConnection, testBroker, text, type TestBroker } from './helpers.js';

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Data records from offset 0 up to the high watermark or, read_committed, the last stable offset (filtered as the consumer does). */
async function readRecords(conn: Connection, topic: string, partition: number, readCommitted: boolean): Promise<{ values: string[]; hw: number; lso: number }> {
  const res = await conn.request('Fetch', {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 8 << 20,
    isolationLevel: readCommitted ? 1 : 0,
    topics: [{ topic, partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 8 << 20 }] }],
  });
  const p = res.topics[0]!.partitions[0]!;
  if (p.errorCode !== 0) throw new Error(`fetch error ${p.errorCode} ${p.errorMessage}`);
  const { messages } = decodeFetched(p.records, 0, readCommitted, p.abortedTransactions);
  return { values: messages.map((m) => text(m.message.value)!), hw: p.highWatermark, lso: p.lastStableOffset };
}

/** A TCP proxy in front of the broker that can cut a connection the moment the broker answers. */
async function cuttingProxy(targetPort: number) {
  let cutNext = false;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((c) => {
    const upstream = new Socket();
    sockets.add(c).add(upstream);
    upstream.connect(targetPort, '127.0.0.1');
    c.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (cutNext) {
        cutNext = false;
        cuts++;
        c.destroy();
        upstream.destroy();
        return;
      }
      c.write(d);
    });
    const close = () => {
      c.destroy();
      upstream.destroy();
    };
    c.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    cutOnNextAnswer() {
      cutNext = true;
    },
    get cuts() {
      return cuts;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

let tb: TestBroker;
let brook: Brook;
let raw: Connection;

beforeAll(async () => {
  tb = await testBroker();
  brook = client(tb.url);
  raw = rawConnection(tb.url);
  await raw.connect();
  const admin = brook.admin();
  await admin.connect();
  await admin.createTopics({
    topics: ['idem', 'idem-off', 'idem-many', 'seq', 'tx-out', 'tx-abort', 'tx-fence', 'tx-timeout', 'tx-in', 'tx-out2', 'tx-zombie'].map((topic) => ({ topic, numPartitions: 2 })),
  });
  await admin.disconnect();
});

afterAll(async () => {
  await raw.close();
  await tb.stop();
});

describe('idempotent producer', () => {
  async function lostAckRun(topic: string, idempotent: boolean): Promise<{ values: string[]; offsets: string[] }> {
    const proxy = await cuttingProxy(tb.port);
    const b = new Brook({ url: proxy.url, clientId: 'idem', logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
    const producer = b.producer({ idempotent });
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'first', partition: 0 }] });
    // The broker writes the next batch; its answer never arrives; the producer reconnects and resends.
    proxy.cutOnNextAnswer();
    const [r] = await producer.send({ topic, messages: [{ value: 'second-a', partition: 0 }, { value: 'second-b', partition: 0 }] });
    expect(proxy.cuts).toBe(1);
    await producer.disconnect();
    await proxy.close();
    const { values } = await readRecords(raw, topic, 0, false);
    return { values, offsets: [r!.baseOffset] };
  }

  it('a batch resent after a lost answer is written once and answered with its original offset', async () => {
    const { values, offsets } = await lostAckRun('idem', true);
    expect(values).toEqual(['first', 'second-a', 'second-b']);
    expect(offsets).toEqual(['1']);
  });

  it('a resent request with more batches of one partition than the broker remembers is still written once, and the send succeeds', async () => {
    const proxy = await cuttingProxy(tb.port);
    const b = new Brook({ url: proxy.url, clientId: 'idem-many', logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
    // batchSize 80: one record per batch, so one send of 8 records is one request of 8 batches.
    const producer = b.producer({ batchSize: 80 });
    await producer.connect();
    await producer.send({ topic: 'idem-many', messages: [{ value: 'metadata loaded', partition: 1 }] });
    proxy.cutOnNextAnswer();
    const values = Array.from({ length: 8 }, (_, i) => `many-${i}`);
    const result = await producer.send({ topic: 'idem-many', messages: values.map((value) => ({ value, partition: 0 })) });
    expect(proxy.cuts).toBe(1);
    expect(result).toEqual([expect.objectContaining({ partition: 0, baseOffset: '-1' })]);
    // The next send is numbered after the 8 and written normally.
    const [next] = await producer.send({ topic: 'idem-many', messages: [{ value: 'after', partition: 0 }] });
    expect(next!.baseOffset).toBe('8');
    await producer.disconnect();
    await proxy.close();
    expect((await readRecords(raw, 'idem-many', 0, false)).values).toEqual([...values, 'after']);
  });

  it('without idempotence the same lost answer writes the batch twice (what the above prevents)', async () => {
    const { values } = await lostAckRun('idem-off', false);
    expect(values).toEqual(['first', 'second-a', 'second-b', 'second-a', 'second-b']);
  });

  it('refuses a gap in sequence numbers and an old epoch; producer state survives a restart', async () => {
    const { producerId } = await raw.request('InitProducerId', { transactionalId: null, transactionTimeoutMs: 60_000 });
    const batch = (seq: number, epoch = 0, n = 2) =>
      encodeBatch({ records: Array.from({ length: n }, (_, i) => ({ value: new TextEncoder().encode(`s${seq + i}`) })), producerId, producerEpoch: epoch, baseSequence: seq });
    const concat = (a: Uint8Array, b: Uint8Array) => {
      const out = new Uint8Array(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    };
    const produce = async (records: Uint8Array) => {
      const res = await raw.request('Produce', { transactionalId: null, acks: -1, timeoutMs: 5000, topics: [{ topic: 'seq', partitions: [{ partition: 1, records }] }] });
      return res.topics[0]!.partitions[0]!;
    };
    // Several batches of one producer in one request: each is checked after the ones before it;
    // one bad batch refuses the whole request and leaves the state as it was.
    expect((await produce(concat(batch(0), batch(5)))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await produce(concat(batch(0), batch(2)))).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await produce(batch(0))).toMatchObject({ errorCode: 0, baseOffset: 0 }); // a retry of the first: its offset again
    expect((await produce(batch(7))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(await produce(batch(0, 1))).toMatchObject({ errorCode: 0, baseOffset: 4 }); // a new epoch starts at 0
    expect((await produce(batch(2, 0))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);

    // Restart: the state is rebuilt from the batch index, so the retry is still recognised.
    await raw.close();
    const port = tb.port;
    await tb.broker.close();
    tb.broker = await startBroker({ port, dataDir: tb.dataDir, logLevel: 'silent' });
    await raw.connect();
    expect(await produce(batch(0, 1))).toMatchObject({ errorCode: 0, baseOffset: 4 });
    expect(await produce(batch(2, 1))).toMatchObject({ errorCode: 0, baseOffset: 6 });
    expect((await readRecords(raw, 'seq', 1, false)).values).toEqual(['s0', 's1', 's2', 's3', 's0', 's1', 's2', 's3']);
  });
});

describe('transactions', () => {
  it('refuses control batches from clients and transactional batches without a transaction', async () => {
    const produce = async (records: Uint8Array) =>
      (await raw.request('Produce', { transactionalId: null, acks: -1, timeoutMs: 5000, topics: [{ topic: 'seq', partitions: [{ partition: 0, records }] }] })).topics[0]!
        .partitions[0]!;
    expect((await produce(encodeControlBatch(12345, 0, true))).errorCode).toBe(ErrorCode.INVALID_RECORD);
    const txBatch = encodeBatch({ records: [{ value: new Uint8Array(1) }], producerId: 12345, producerEpoch: 0, baseSequence: 0, transactional: true });
    expect((await produce(txBatch)).errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  });


  it('records are invisible to read_committed until the commit, visible to read_uncommitted at once', async () => {
    const producer = brook.producer({ transactionalId: 'tx-visibility' });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({ topic: 'tx-out', messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 0 }] });
    let rc = await readRecords(raw, 'tx-out', 0, true);
    expect(rc.values).toHaveLength(0);
    expect(rc.lso).toBe(0); // the open transaction holds the last stable offset at its first record
    expect((await readRecords(raw, 'tx-out', 0, false)).values).toEqual(['a', 'b']);
    const latest = await raw.request('ListOffsets', { isolationLevel: 1, topics: [{ topic: 'tx-out', partitions: [{ partition: 0, timestamp: -1 }] }] });
    expect(latest.topics[0]!.partitions[0]!.offset).toBe(0);
    await tx.commit();
    expect(tx.isActive()).toBe(false);
    rc = await readRecords(raw, 'tx-out', 0, true);
    expect(rc.values).toEqual(['a', 'b']);
    expect(rc.lso).toBe(3); // two records and the COMMIT marker
    expect(rc.hw).toBe(3);
    await expect(producer.send({ topic: 'tx-out', messages: [{ value: 'x' }] })).rejects.toMatchObject({ type: 'INVALID_TXN_STATE' });
    await producer.disconnect();
  });

  it("an aborted transaction's records never reach a read_committed consumer; read_uncommitted sees them", async () => {
    const producer = brook.producer({ transactionalId: 'tx-abort' });
    await producer.connect();
    let tx = await producer.transaction();
    await tx.send({ topic: 'tx-abort', messages: [0, 1].map((p) => ({ value: `aborted-${p}`, partition: p })) });
    await tx.abort();
    tx = await producer.transaction();
    await tx.send({ topic: 'tx-abort', messages: [0, 1].map((p) => ({ value: `committed-${p}`, partition: p })) });
    await tx.commit();
    await producer.disconnect();

    const consume = async (groupId: string, isolationLevel: 'read_committed' | 'read_uncommitted', expected: number) => {
      const seen: string[] = [];
      const c = brook.consumer({ groupId, isolationLevel });
      await c.connect();
      await c.subscribe({ topics: ['tx-abort'], fromBeginning: true });
      await c.run({ eachMessage: async ({ message }) => void seen.push(text(message.value)!) });
      await until(`${isolationLevel} consumer`, () => seen.length >= expected);
      await new Promise((r) => setTimeout(r, 200));
      await c.disconnect();
      return seen.sort();
    };
    expect(await consume('g-rc', 'read_committed', 2)).toEqual(['committed-0', 'committed-1']);
    expect(await consume('g-ru', 'read_uncommitted', 4)).toEqual(['aborted-0', 'aborted-1', 'committed-0', 'committed-1']);
  });

  it('a second producer with the same transactionalId fences the first and aborts its open transaction', async () => {
    const zombie = brook.producer({ transactionalId: 'tx-fence' });
    await zombie.connect();
    const ztx = await zombie.transaction();
    await ztx.send({ topic: 'tx-fence', messages: [{ value: 'zombie', partition: 0 }] });

    const fresh = brook.producer({ transactionalId: 'tx-fence' });
    await fresh.connect();
    const tx = await fresh.transaction();
    // As in Kafka: one bump fences the zombie (its transaction's ABORT markers carry it), one is the new instance's.
    expect(fresh.producerIdentity().producerEpoch).toBe(zombie.producerIdentity().producerEpoch + 2);
    await expect(ztx.send({ topic: 'tx-fence', messages: [{ value: 'late', partition: 0 }] })).rejects.toMatchObject({ type: 'PRODUCER_FENCED' });
    await expect(ztx.commit()).rejects.toMatchObject({ type: 'PRODUCER_FENCED' });
    await tx.send({ topic: 'tx-fence', messages: [{ value: 'fresh', partition: 0 }] });
    await tx.commit();
    expect((await readRecords(raw, 'tx-fence', 0, true)).values).toEqual(['fresh']);
    await fresh.disconnect();
    await zombie.disconnect();
  });

  it('disconnecting with a transaction open aborts it at once instead of stalling read_committed readers', async () => {
    const producer = brook.producer({ transactionalId: 'tx-disconnect' });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({ topic: 'tx-timeout', messages: [{ value: 'left open', partition: 1 }] });
    expect((await readRecords(raw, 'tx-timeout', 1, true)).lso).toBe(0);
    await producer.disconnect();
    const rc = await readRecords(raw, 'tx-timeout', 1, true);
    expect(rc.lso).toBe(rc.hw);
    expect(rc.values).toEqual([]);
  });

  it('the broker aborts a transaction left open past its timeout and fences its producer', async () => {
    const producer = brook.producer({ transactionalId: 'tx-timeout', transactionTimeout: 300 });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({ topic: 'tx-timeout', messages: [{ value: 'slow', partition: 0 }] });
    expect((await readRecords(raw, 'tx-timeout', 0, true)).lso).toBe(0);
    await until('the timeout abort', async () => (await readRecords(raw, 'tx-timeout', 0, true)).lso === 2, 5000);
    await expect(tx.commit()).rejects.toMatchObject({ type: 'TRANSACTION_TIMED_OUT' });
    expect((await readRecords(raw, 'tx-timeout', 0, true)).values).toHaveLength(0);
    await producer.disconnect();
  });

  it('consume-transform-produce: output and input offsets commit together; an abort leaves both untouched', async () => {
    const setup = brook.producer();
    await setup.connect();
    await setup.send({ topic: 'tx-in', messages: Array.from({ length: 6 }, (_, i) => ({ value: String(i), partition: i % 2 })) });
    await setup.disconnect();

    const producer = brook.producer({ transactionalId: 'tx-ctp' });
    await producer.connect();
    const consumer: Consumer = brook.consumer({ groupId: 'ctp' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['tx-in'], fromBeginning: true });
    let processed = 0;
    let abortNext = true;
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const tx = await producer.transaction();
        await tx.send({ topic: 'tx-out2', messages: [{ value: String(Number(text(message.value)) * 2), partition }] });
        await tx.sendOffsets({ consumerGroupId: 'ctp', topics: [{ topic, partitions: [{ partition, offset: String(Number(message.offset) + 1) }] }] });
        if (abortNext) {
          // The first one is aborted: neither its output nor its offset may survive.
          abortNext = false;
          await tx.abort();
          const admin = brook.admin();
          await admin.connect();
          const offs = await admin.fetchOffsets({ groupId: 'ctp', topics: ['tx-in'] });
          expect(offs[0]!.partitions.every((p) => p.offset === '-1')).toBe(true);
          await admin.disconnect();
          throw new Error('retry me'); // the consumer redelivers the message
        }
        await tx.commit();
        processed++;
      },
    });
    await until('6 processed', () => processed === 6);
    await consumer.disconnect();
    await producer.disconnect();
    const admin = brook.admin();
    await admin.connect();
    const offs = await admin.fetchOffsets({ groupId: 'ctp', topics: ['tx-in'] });
    expect(offs[0]!.partitions.map((p) => p.offset).sort()).toEqual(['3', '3']);
    await admin.disconnect();
    const out = [0, 1].map(async (p) => (await readRecords(raw, 'tx-out2', p, true)).values.map(Number));
    expect((await Promise.all(out)).flat().sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it('offsets in a transaction are fenced by the member epoch (KIP-447): a member that lost its partition cannot commit it', async () => {
    const consumer = brook.consumer({ groupId: 'zombie-g', heartbeatInterval: 200 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['tx-zombie'] });
    await consumer.run({ autoCommit: false, eachMessage: async () => {} });
    await until('assigned', () => consumer.assignment().length === 2);
    const meta = consumer.groupMetadata();
    const producer = brook.producer({ transactionalId: 'tx-zombie' });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({ topic: 'tx-zombie', messages: [{ value: 'out', partition: 0 }] });
    // A stale epoch, as a member that was expelled and rejoined would have.
    await expect(
      tx.sendOffsets({
        consumerGroupId: 'zombie-g',
        consumer: { groupMetadata: () => ({ ...meta, memberEpoch: meta.memberEpoch + 7 }) },
        topics: [{ topic: 'tx-zombie', partitions: [{ partition: 0, offset: '1' }] }],
      }),
    ).rejects.toMatchObject({ code: ErrorCode.STALE_MEMBER_EPOCH });
    // The valid member's offsets are accepted; if it loses the partition before the commit, the commit is refused and aborted.
    await tx.sendOffsets({ consumerGroupId: 'zombie-g', topics: [{ topic: 'tx-zombie', partitions: [{ partition: 0, offset: '1' }] }] });
    await expect(tx.commit()).rejects.toMatchObject({ type: 'STALE_MEMBER_EPOCH' }); // the refused sendOffsets doomed it: abort
    await tx.abort();
    const tx2 = await producer.transaction();
    await tx2.sendOffsets({ consumerGroupId: 'zombie-g', topics: [{ topic: 'tx-zombie', partitions: [{ partition: 1, offset: '1' }] }] });
    await consumer.disconnect(); // leaves the group: it owns nothing any more
    await expect(tx2.commit()).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_MEMBER_ID });
    expect(tx2.isActive()).toBe(false);
    const admin = brook.admin();
    await admin.connect();
    const offs = await admin.fetchOffsets({ groupId: 'zombie-g', topics: ['tx-zombie'] });
    expect(offs[0]!.partitions.every((p) => p.offset === '-1')).toBe(true);
    await admin.disconnect();
    await producer.disconnect();
  });

  it('a consumer whose partition has offsets held by an open transaction waits for it (requireStable), then starts from the stable offset', async () => {
    const admin = brook.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'tx-stable', numPartitions: 1 }] });
    const setup = brook.producer();
    await setup.connect();
    await setup.send({ topic: 'tx-stable', messages: Array.from({ length: 6 }, (_, i) => ({ value: String(i), partition: 0 })) });
    await setup.disconnect();
    await admin.setOffsets({ groupId: 'stable-g', topic: 'tx-stable', partitions: [{ partition: 0, offset: '2' }] });
    await admin.disconnect();
    const producer = brook.producer({ transactionalId: 'tx-stable' });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.sendOffsets({ consumerGroupId: 'stable-g', topics: [{ topic: 'tx-stable', partitions: [{ partition: 0, offset: '4' }] }] });

    // Tells when the broker answers UNSTABLE_OFFSET_COMMIT for the pending offset.
    const txns = tb.broker.context.txns;
    const hasPendingOffset = txns.hasPendingOffset.bind(txns);
    let answeredUnstable!: () => void;
    const unstable = new Promise<void>((r) => (answeredUnstable = r));
    txns.hasPendingOffset = (g, t, p) => {
      const pending = hasPendingOffset(g, t, p);
      if (pending) answeredUnstable();
      return pending;
    };
    const consumer = brook.consumer({ groupId: 'stable-g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['tx-stable'], fromBeginning: true });
    const seen: string[] = [];
    // run() resolves once the partitions are assigned and positioned: here, only after the transaction ends.
    const running = consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.offset);
      },
    });
    await unstable;
    txns.hasPendingOffset = hasPendingOffset;
    await tx.abort(); // (a commit would be refused: its offsets were sent without a member, and the group has one now)
    await running;
    await until('the records from the stable offset', () => seen.length >= 4);
    expect(seen).toEqual(['2', '3', '4', '5']);
    await consumer.disconnect();
    await producer.disconnect();
  });
});

it('metrics count committed and aborted transactions', async () => {
  const text_ = await (await fetch(`${tb.broker.httpUrl}/metrics`)).text();
  const value = (result: string) => Number(new RegExp(`brook_transactions_total\\{result="${result}"\\} (\\d+)`).exec(text_)?.[1] ?? -1);
  expect(value('committed')).toBeGreaterThanOrEqual(3);
  expect(value('aborted')).toBeGreaterThanOrEqual(3);
  expect(text_).toMatch(/brook_transactions_open \d+/);
});

it('a transaction open when the broker stops is aborted at start-up, and its producer is fenced', async () => {
  const own = await testBroker();
  try {
    const b = client(own.url, { retries: 10 });
    const admin = b.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'crash', numPartitions: 1 }] });
    await admin.disconnect();
    const producer = b.producer({ transactionalId: 'tx-crash' });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({ topic: 'crash', messages: [{ value: 'open' }] });
    await own.broker.close();
    own.broker = await startBroker({ port: own.port, dataDir: own.dataDir, logLevel: 'silent' });
    const conn = rawConnection(own.url);
    await conn.connect();
    const rc = await readRecords(conn, 'crash', 0, true);
    expect(rc.lso).toBe(rc.hw); // aborted: nothing holds read_committed back
    expect(rc.values).toHaveLength(0);
    await conn.close();
    await expect(tx.commit()).rejects.toMatchObject({ type: 'PRODUCER_FENCED' });
    await producer.disconnect();
  } finally {
    await own.stop();
  }
});
