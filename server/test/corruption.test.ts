// Corruption on disk: a stored batch whose bytes changed is never served; the client gets
// CORRUPT_MESSAGE for that partition and the broker keeps serving the others.
import { afterAll, expect, it } from 'vitest';
import { Level } from 'level';
import { join } from 'node:path';
import { ErrorCode, encodeBatch } from '@brook/protocol';
import { decodeIndexValue, storeKey } from '../src/log/keys.js';
import { RawClient, removeDir, tempDir, testBroker } from './helpers.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map(removeDir)));
const enc = new TextEncoder();

it('refuses to serve a batch that fails its CRC on disk', async () => {
  const dataDir = await tempDir();
  dirs.push(dataDir);
  let broker = await testBroker({ dataDir });
  let c = await RawClient.connect(broker.url);
  await c.request('CreateTopics', { topics: [{ name: 'fragile', numPartitions: 2, configs: [] }], validateOnly: false });
  for (const partition of [0, 1]) {
    const r = await c.request('Produce', {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topics: [{ topic: 'fragile', partitions: [{ partition, records: encodeBatch({ records: [{ value: enc.encode(`hello ${partition}`) }] }) }] }],
    });
    expect(r.topics[0]!.partitions[0]!.errorCode).toBe(0);
  }
  c.close();
  await broker.close();

  // Flip one byte inside partition 0's stored batch: its index entry (kind 0x03 keys: topicId,
  // partition, offset) says where it is in the batch store.
  const open = async (name: string) => {
    const db = new Level<Uint8Array, Uint8Array>(join(dataDir, name), { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    return db;
  };
  const [db, store] = [await open('log'), await open('batches')];
  let flipped = 0;
  for await (const [k, v] of db.iterator({ gte: Uint8Array.of(0x03), lt: Uint8Array.of(0x04) })) {
    const kv = new DataView(k.buffer, k.byteOffset);
    if (kv.getUint32(5) !== 0) continue;
    const key = storeKey(decodeIndexValue(v)!.storeSeq, kv.getUint32(1), 0);
    const bad = (await store.get(key))!.slice();
    bad[bad.length - 2]! ^= 0x40;
    await store.put(key, bad);
    flipped++;
  }
  await Promise.all([db.close(), store.close()]);
  expect(flipped).toBe(1);

  broker = await testBroker({ dataDir });
  c = await RawClient.connect(broker.url);
  const fetch = (partition: number) =>
    c.request('Fetch', { maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, topics: [{ topic: 'fragile', partitions: [{ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }] });
  const bad = (await fetch(0)).topics[0]!.partitions[0]!;
  expect(bad.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
  expect(bad.records.length).toBe(0);
  const good = (await fetch(1)).topics[0]!.partitions[0]!;
  expect(good.errorCode).toBe(0);
  expect(good.records.length).toBeGreaterThan(0);
  c.close();
  await broker.close();
});
