import { afterEach, describe, expect, it } from 'vitest';
import { ATTR_CONTROL, COMPRESSION_MASK, decodeBatches, encodeBatch, encodeControlBatch, readBatchHeader, type DecodedRecord, type RecordInput } from '@brook/protocol';
import { compressedFixtures, fixtureBytes } from '../../../protocol/test/compressedFixtures.js';
import type { PartitionLog } from '../../src/log/partitionLog.js';
import { bytes, openEnv, text, type Env } from './helpers.js';

let env: Env | undefined;
afterEach(async () => {
  await env?.destroy();
  env = undefined;
});

async function readAll(log: PartitionLog): Promise<DecodedRecord[]> {
  const out: DecodedRecord[] = [];
  let offset = log.logStartOffset;
  for (let guard = 0; guard < 100_000 && offset < log.highWatermark; guard++) {
    const r = await log.read(offset, 1 << 20);
    const bs = decodeBatches(r.records);
    if (bs.length === 0) break;
    for (const b of bs) {
      out.push(...b.records);
      offset = b.header.baseOffset + b.header.lastOffsetDelta + 1;
    }
  }
  return out;
}

/** Latest value per key over a list of records. */
function latestByKey(records: DecodedRecord[]): Map<string, { offset: number; value: string | null }> {
  const m = new Map<string, { offset: number; value: string | null }>();
  for (const r of records) if (r.key) m.set(text(r.key)!, { offset: r.offset, value: text(r.value) });
  return m;
}

describe('compaction', () => {
  it('compacts compressed batches, each rewritten with its own codec (zstd through libzstd)', async () => {
    env = await openEnv();
    await env.tm.create('zc', 5, { 'cleanup.policy': 'compact' });
    // Kafka-written 'big' batches (1,000 records, keys key-0..key-100), one codec per partition.
    const golden = compressedFixtures.filter((f) => f.name.endsWith('-big'));
    const expected: Record<string, number> = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
    for (const [p, f] of golden.entries()) {
      const log = env.tm.partition('zc', p)!;
      await log.append([fixtureBytes(f)], { sync: true });
      await log.append([encodeBatch({ records: [{ key: bytes('head'), value: bytes('x') }] })], { sync: true }); // the active head
    }
    const r = await env.tm.runCompaction(Date.now());
    expect(r.recordsRemoved).toBe(golden.length * (1000 - 101));
    for (const [p, f] of golden.entries()) {
      const log = env.tm.partition('zc', p)!;
      const first = (await log.read(0, 1 << 20)).records;
      const codec = f.name.split('-')[0]!;
      expect(readBatchHeader(first).attributes & COMPRESSION_MASK, codec).toBe(expected[codec]);
      const recs = decodeBatches(first)[0]!.records;
      expect(recs.map((x) => x.offset)).toEqual(Array.from({ length: 101 }, (_, i) => 899 + i));
      expect(text(recs[0]!.key)).toBe(`key-${899 % 101}`);
      expect(text(recs[0]!.value)).toContain('"id": 899,');
    }
  });

  it('keeps the latest record per key over 100,000 records and 10 keys', async () => {
    env = await openEnv();
    await env.tm.create('compacted', 1, { 'cleanup.policy': 'compact' });
    const log = env.tm.partition('compacted', 0)!;
    const ts = 1_000_000;
    let n = 0;
    for (let b = 0; b < 200; b++) {
      const records: RecordInput[] = [];
      for (let i = 0; i < 500; i++, n++) {
        records.push({ key: bytes(`key-${n % 10}`), value: bytes(`value-${n}`), timestamp: ts + n });
      }
      await log.append([encodeBatch({ records })], { sync: true });
    }
    expect(log.stats().records).toBe(100_000);
    const before = latestByKey(await readAll(log));

    const r = await env.tm.runCompaction(ts + 200_000);
    expect(r.recordsRemoved).toBe(100_000 - 500 - 10);
    const stats = log.stats();
    expect(stats.records).toBeLessThanOrEqual(1000);
    expect(stats.batches).toBe(2); // one rewritten batch with the 10 latest values, plus the head
    expect(log.highWatermark).toBe(100_000);
    expect(log.logStartOffset).toBe(0);

    const check = async (l: PartitionLog): Promise<void> => {
      const recs = await readAll(l);
      expect(recs.length).toBe(510);
      // Offsets strictly increase and are the originals.
      for (let i = 1; i < recs.length; i++) expect(recs[i]!.offset).toBeGreaterThan(recs[i - 1]!.offset);
      for (const rec of recs) expect(text(rec.value)).toBe(`value-${rec.offset}`);
      expect(latestByKey(recs)).toEqual(before);
    };
    await check(log);
    // A fetch from an offset that compaction removed gets the next batch.
    const mid = decodeBatches((await log.read(50_000, 1)).records);
    expect(mid[0]!.records[0]!.offset).toBe(99_490);

    // Running again changes nothing.
    expect((await env.tm.runCompaction(ts + 200_000)).recordsRemoved).toBe(0);

    await env.reopen();
    const again = env.tm.partition('compacted', 0)!;
    expect(again.stats()).toEqual(stats);
    expect(again.highWatermark).toBe(100_000);
    await check(again);
    expect((await again.append([encodeBatch({ records: [{ key: bytes('key-0'), value: bytes('value-100000') }] })], { sync: true })).baseOffset).toBe(100_000);
  });

  it('removes tombstones after delete.retention.ms, and keeps keyless records', async () => {
    env = await openEnv();
    await env.tm.create('tomb', 1, { 'cleanup.policy': 'compact', 'delete.retention.ms': '1000' });
    const log = env.tm.partition('tomb', 0)!;
    const rec = (key: string | null, value: string | null, timestamp: number): RecordInput => ({
      key: key === null ? null : bytes(key),
      value: value === null ? null : bytes(value),
      timestamp,
    });
    await log.append([encodeBatch({ records: [rec('a', 'a1', 100), rec('b', 'b1', 100), rec(null, 'loose', 100)] })], { sync: true });
    await log.append([encodeBatch({ records: [rec('a', null, 200)] })], { sync: true }); // tombstone for a
    await log.append([encodeBatch({ records: [rec('c', 'c1', 300)] })], { sync: true }); // head

    // Before the tombstone expires: a1 goes (superseded), the tombstone stays.
    await env.tm.runCompaction(500);
    let recs = await readAll(log);
    expect(recs.map((r) => [r.offset, text(r.key), text(r.value)])).toEqual([
      [1, 'b', 'b1'],
      [2, null, 'loose'],
      [3, 'a', null],
      [4, 'c', 'c1'],
    ]);

    // After delete.retention.ms the tombstone's batch empties and is removed; the end does not move.
    await env.tm.runCompaction(200 + 1001);
    recs = await readAll(log);
    expect(recs.map((r) => [r.offset, text(r.key), text(r.value)])).toEqual([
      [1, 'b', 'b1'],
      [2, null, 'loose'],
      [4, 'c', 'c1'],
    ]);
    expect(log.stats()).toMatchObject({ batches: 2, records: 3 });
    expect(log.highWatermark).toBe(5);
    await env.reopen();
    expect(env.tm.partition('tomb', 0)!.highWatermark).toBe(5);
    expect((await readAll(env.tm.partition('tomb', 0)!)).length).toBe(3);
  });

  it('skips the head batch and batches newer than min.compaction.lag.ms', async () => {
    env = await openEnv();
    await env.tm.create('lag', 1, { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '1000' });
    const log = env.tm.partition('lag', 0)!;
    const one = (v: string, timestamp: number): Uint8Array =>
      encodeBatch({ records: [{ key: bytes('k'), value: bytes(v), timestamp }] });
    await log.append([one('v0', 100), one('v1', 200), one('v2', 5000), one('v3', 5100)], { sync: true });
    // At now=1500 only batches with maxTimestamp <= 500 qualify: v0 and v1; v0 is superseded by v1.
    await env.tm.runCompaction(1500);
    expect((await readAll(log)).map((r) => text(r.value))).toEqual(['v1', 'v2', 'v3']);
    // Later all but the head qualify; v1 and v2 are superseded within the range, v3 (head) is untouched.
    await env.tm.runCompaction(1e9);
    expect((await readAll(log)).map((r) => text(r.value))).toEqual(['v2', 'v3']);
    expect(log.highWatermark).toBe(4);
  });

  it('removes aborted transactions, never lets them evict a committed value, and leaves open transactions alone', async () => {
    env = await openEnv();
    await env.tm.create('txn-compact', 1, { 'cleanup.policy': 'compact' });
    const log = env.tm.partition('txn-compact', 0)!;
    const txn = (producerId: number, v: string): Uint8Array =>
      encodeBatch({ records: [{ key: bytes('k'), value: bytes(v), timestamp: 100 }], producerId, producerEpoch: 0, baseSequence: 0, transactional: true });
    const plain = (k: string, v: string): Uint8Array => encodeBatch({ records: [{ key: bytes(k), value: bytes(v), timestamp: 100 }] });
    const data = async (readCommitted: boolean): Promise<string[]> => {
      const r = await log.read(0, 1 << 20, readCommitted);
      const aborted = readCommitted ? log.abortedTransactions(0, log.highWatermark) : [];
      return decodeBatches(r.records)
        .filter((b) => !(b.header.attributes & ATTR_CONTROL))
        .filter((b) => !aborted.some((a) => a.producerId === b.header.producerId && a.firstOffset <= b.header.baseOffset && b.header.baseOffset <= a.lastOffset))
        .flatMap((b) => b.records.map((x) => text(x.value)!));
    };
    await log.append([plain('k', 'v0')], { sync: true }); // 0
    await log.append([txn(7, 'v1')], { sync: true }); // 1, committed by the marker at 2
    await log.append([encodeControlBatch(7, 0, true, 100)], { sync: true });
    await log.append([txn(8, 'v2')], { sync: true }); // 3, aborted by the marker at 4
    await log.append([encodeControlBatch(8, 0, false, 100)], { sync: true });
    await log.append([txn(9, 'v3')], { sync: true }); // 5, still open
    await log.append([plain('other', 'x')], { sync: true }); // 6, the head
    expect(log.lastStableOffset).toBe(5);

    await env.tm.runCompaction(1e9);
    // Compacted below the open transaction only: v0 superseded by the committed v1, v2 aborted.
    expect(await data(false)).toEqual(['v1', 'v3', 'x']);
    expect(await data(true)).toEqual(['v1']);

    // The open transaction aborts: its value must not have replaced the committed one.
    await log.append([encodeControlBatch(9, 0, false, 100)], { sync: true }); // 7
    await env.tm.runCompaction(1e9);
    expect(await data(false)).toEqual(['v1', 'x']);
    expect(await data(true)).toEqual(['v1', 'x']);
    await env.reopen();
    const again = env.tm.partition('txn-compact', 0)!;
    expect(again.highWatermark).toBe(8);
    expect(again.lastStableOffset).toBe(8);
  });

  it('is safe while appends continue', async () => {
    env = await openEnv();
    await env.tm.create('live', 1, { 'cleanup.policy': 'compact' });
    const log = env.tm.partition('live', 0)!;
    const mk = (i: number): Uint8Array =>
      encodeBatch({ records: Array.from({ length: 100 }, (_, j) => ({ key: bytes(`k${j % 5}`), value: bytes(`${i}-${j}`), timestamp: 1 })) });
    for (let i = 0; i < 50; i++) await log.append([mk(i)], { sync: true });
    const appends = Array.from({ length: 30 }, (_, i) => log.append([mk(50 + i)], { sync: true }));
    const [, ...rs] = await Promise.all([env.tm.runCompaction(1e9), ...appends]);
    rs.forEach((r, i) => expect(r.baseOffset).toBe(5000 + i * 100));
    expect(log.highWatermark).toBe(8000);
    const recs = await readAll(log);
    for (let i = 1; i < recs.length; i++) expect(recs[i]!.offset).toBeGreaterThan(recs[i - 1]!.offset);
    // The last 30 batches were appended after the snapshot (or are the head) and are intact.
    expect(recs.filter((r) => r.offset >= 5000).length).toBe(3000);
  });
});
