import { afterEach, describe, expect, it } from 'vitest';
import { BrookError, ErrorCode, decodeBatches, utf8Encode } from '@brook/protocol';
import { parseTopicConfig, DEFAULT_TOPIC_CONFIG } from '../../src/log/topicConfig.js';
import { IN_LOG_DB, KIND_BATCH, KIND_DELETED_TOPIC, KIND_INDEX, encodeIndexValue, idPrefix, offsetKey, topicKey } from '../../src/log/keys.js';
import type { TopicChange } from '../../src/log/topicManager.js';
import { baseOffsets, batch, openEnv, text, type Env } from './helpers.js';

let env: Env | undefined;
afterEach(async () => {
  await env?.destroy();
  env = undefined;
});

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<number | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof BrookError) return e.code;
    throw e;
  }
  return undefined;
}

describe('topic config', () => {
  it('parses valid overrides', () => {
    expect(
      parseTopicConfig({
        'retention.ms': '-1',
        'retention.bytes': '1000',
        'cleanup.policy': 'compact',
        'max.message.bytes': '2048',
        'delete.retention.ms': '0',
        'min.compaction.lag.ms': '5',
        'flush.messages': '1000',
        'flush.ms': '-1',
      }),
    ).toEqual({
      'retention.ms': -1,
      'retention.bytes': 1000,
      'cleanup.policy': 'compact',
      'max.message.bytes': 2048,
      'delete.retention.ms': 0,
      'min.compaction.lag.ms': 5,
      'flush.messages': 1000,
      'flush.ms': -1,
    });
    expect(parseTopicConfig({})).toEqual({});
    // Kafka describes an unset flush.* as Long.MAX_VALUE ("never"); it comes back as the largest safe integer.
    expect(parseTopicConfig({ 'flush.ms': '9223372036854775807' })).toEqual({ 'flush.ms': Number.MAX_SAFE_INTEGER });
  });

  it.each([
    [{ 'no.such.thing': '1' }, /unknown topic config "no.such.thing"/],
    [{ 'retention.ms': 'soon' }, /must be an integer/],
    [{ 'retention.ms': '-2' }, /must be >= -1/],
    [{ 'retention.bytes': '1.5' }, /must be an integer/],
    [{ 'cleanup.policy': 'compact,delete' }, /cleanup.policy must be/],
    [{ 'max.message.bytes': '0' }, /must be >= 1/],
    [{ 'delete.retention.ms': '-1' }, /must be >= 0/],
    [{ 'min.compaction.lag.ms': '' }, /must be an integer/],
    [{ 'flush.messages': '0' }, /must be >= 1/],
    [{ 'flush.ms': '-2' }, /must be >= -1/],
  ])('refuses %j', (cfg, msg) => {
    let err: unknown;
    try {
      parseTopicConfig(cfg as Record<string, string>);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BrookError);
    expect((err as BrookError).code).toBe(ErrorCode.INVALID_CONFIG);
    expect((err as BrookError).message).toMatch(msg);
  });
});

describe('TopicManager', () => {
  it('creates topics with validation', async () => {
    env = await openEnv({ maxPartitionsPerTopic: 100, defaults: { 'retention.ms': 1000 } });
    const tm = env.tm;
    const info = await tm.create('orders', 3, { 'retention.bytes': '5000' });
    expect(info).toMatchObject({ name: 'orders', numPartitions: 3, internal: false });
    expect(info.config).toEqual({ ...DEFAULT_TOPIC_CONFIG, 'retention.ms': 1000, 'retention.bytes': 5000 });
    expect(info.partitions.length).toBe(3);
    expect(tm.get('orders')).toBe(info);
    expect(tm.list().map((t) => t.name)).toEqual(['orders']);
    // Exactly the public shape: the stored overrides (and the storage record's fields) stay inside.
    const publicKeys = ['config', 'createdAt', 'id', 'internal', 'name', 'numPartitions', 'partitions'];
    expect(Object.keys(info).sort()).toEqual(publicKeys);
    expect(Object.isFrozen(info)).toBe(true);
    expect(tm.partition('orders', 2)).toBe(info.partitions[2]);
    expect(tm.partition('orders', 3)).toBeUndefined();

    expect(await codeOf(tm.create('orders', 1, {}))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(await codeOf(tm.create('bad name', 1, {}))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(await codeOf(tm.create('', 1, {}))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(await codeOf(tm.create('__mine', 1, {}))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(await codeOf(tm.create('x', 0, {}))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(await codeOf(tm.create('x', 101, {}))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(await codeOf(tm.create('x', 1.5, {}))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(await codeOf(tm.create('x', 1, { 'retention.ms': 'x' }))).toBe(ErrorCode.INVALID_CONFIG);
    expect(tm.get('x')).toBeUndefined();

    const dry = await tm.create('dry', 2, {}, { validateOnly: true });
    expect(dry.numPartitions).toBe(2);
    expect(Object.keys(dry).sort()).toEqual(publicKeys);
    expect(dry.config['retention.ms']).toBe(1000);
    expect(tm.get('dry')).toBeUndefined();

    const internal = await tm.create('__consumer_offsets', 2, { 'cleanup.policy': 'compact' }, { internal: true });
    expect(internal.internal).toBe(true);
    expect(await codeOf(tm.delete('__consumer_offsets'))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(await codeOf(tm.delete('nope'))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('refuses a concurrent duplicate create', async () => {
    env = await openEnv();
    const rs = await Promise.allSettled([env.tm.create('dup', 1, {}), env.tm.create('dup', 1, {})]);
    expect(rs.filter((r) => r.status === 'fulfilled').length).toBe(1);
  });

  it('emits change events', async () => {
    env = await openEnv();
    const events: TopicChange[] = [];
    const off = env.tm.onChange((e) => events.push(e));
    await env.tm.create('e', 1, {});
    await env.tm.delete('e');
    off();
    await env.tm.create('f', 1, {});
    expect(events).toEqual([
      { type: 'created', topic: 'e' },
      { type: 'deleted', topic: 'e' },
    ]);
  });

  it('recovers topics, start and end offsets and data after a restart', async () => {
    env = await openEnv({ cacheBytesPerPartition: 1 });
    await env.tm.create('keep', 2, { 'retention.bytes': '-1', 'cleanup.policy': 'delete' });
    await env.tm.create('trim', 1, { 'retention.ms': '1000' });
    await env.tm.create('__consumer_offsets', 1, { 'cleanup.policy': 'compact' }, { internal: true });
    const keep0 = env.tm.partition('keep', 0)!;
    for (let i = 0; i < 40; i++) await keep0.append([batch(3, { prefix: `k${i}` })], { sync: i % 2 === 0 });
    await env.tm.partition('keep', 1)!.append([batch(1)], { sync: true });
    const trim = env.tm.partition('trim', 0)!;
    await trim.append([batch(2, { timestamp: 10 }), batch(2, { timestamp: 20 })], { sync: true });
    await env.tm.runRetention(5000); // everything in "trim" expires
    expect(trim.logStartOffset).toBe(4);
    expect(trim.highWatermark).toBe(4);

    await env.reopen();
    const tm = env.tm;
    expect(tm.list().map((t) => t.name).sort()).toEqual(['__consumer_offsets', 'keep', 'trim']);
    expect(tm.get('__consumer_offsets')!.internal).toBe(true);
    expect(tm.get('trim')!.config['retention.ms']).toBe(1000);
    const k0 = tm.partition('keep', 0)!;
    expect(k0.highWatermark).toBe(120);
    expect(k0.logStartOffset).toBe(0);
    expect(k0.stats()).toEqual({ batches: 40, records: 120, bytes: expect.any(Number) });
    expect(tm.partition('keep', 1)!.highWatermark).toBe(1);
    const t0 = tm.partition('trim', 0)!;
    expect([t0.logStartOffset, t0.highWatermark]).toEqual([4, 4]);
    expect((await t0.read(4, 100)).records.length).toBe(0);

    const all = decodeBatches((await k0.read(0, 1 << 20)).records);
    expect(all.length).toBe(40);
    expect(text(all[39]!.records[2]!.value)).toBe('k39-2');
    expect(all[39]!.records[2]!.offset).toBe(119);
    // Appends continue where the log ended.
    expect((await t0.append([batch(1)], { sync: false })).baseOffset).toBe(4);
    expect((await k0.append([batch(1)], { sync: false })).baseOffset).toBe(120);
  });

  it('gives a deleted-then-recreated topic none of the old data', async () => {
    env = await openEnv();
    await env.tm.create('again', 1, {});
    const old = env.tm.get('again')!;
    await old.partitions[0]!.append([batch(10)], { sync: true });
    await env.tm.delete('again');
    expect(env.tm.get('again')).toBeUndefined();
    const fresh = await env.tm.create('again', 2, {});
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.partitions[0]!.highWatermark).toBe(0);
    expect((await fresh.partitions[0]!.read(0, 1000)).records.length).toBe(0);
    await fresh.partitions[0]!.append([batch(1)], { sync: true });

    await env.reopen();
    const p0 = env.tm.partition('again', 0)!;
    expect(p0.highWatermark).toBe(1);
    expect(env.tm.get('again')!.numPartitions).toBe(2);
    // Nothing of the old id is left in LevelDB.
    const leftovers = await env.storage.db.keys({ gte: idPrefix(KIND_BATCH, old.id), lt: idPrefix(KIND_BATCH, old.id + 1) }).all();
    expect(leftovers.length).toBe(0);
    // The batch store holds only the new topic's one batch.
    expect((await env.storage.store.keys().all()).length).toBe(1);
  });

  it('finishes an interrupted delete and drops orphan data at start-up', async () => {
    env = await openEnv();
    const t = await env.tm.create('crashy', 1, {});
    await t.partitions[0]!.append([batch(5)], { sync: true });
    await env.close();
    // Simulate a crash right after the delete marker was written: metadata gone, data still there.
    const { Storage } = await import('../../src/log/storage.js');
    const s = await Storage.open(env.dir);
    await s.db.del(topicKey('crashy'));
    await s.db.put(idPrefix(KIND_DELETED_TOPIC, t.id), utf8Encode('crashy'));
    // And data under an id no topic ever claimed, in the layout before the batch store (0x02 keys).
    await s.db.put(offsetKey(KIND_BATCH, 999, 0, 0), batch(1));
    await s.db.put(offsetKey(KIND_INDEX, 999, 0, 0), encodeIndexValue({ lastOffset: 0, maxTimestamp: 0, size: 70, records: 1, producerId: -1, producerEpoch: -1, baseSequence: -1, attributes: 0, controlType: -1, storeSeq: IN_LOG_DB }));
    await s.close();
    env.storage = s; // so reopen's close of the old handles is a no-op
    env.tm = { close: async () => {} } as unknown as Env['tm'];
    await env.reopen();
    expect(env.tm.get('crashy')).toBeUndefined();
    expect((await env.storage.db.keys({ gte: Uint8Array.of(KIND_BATCH), lt: Uint8Array.of(KIND_BATCH + 1) }).all()).length).toBe(0);
    expect((await env.storage.db.keys({ gte: Uint8Array.of(KIND_INDEX), lt: Uint8Array.of(KIND_INDEX + 1) }).all()).length).toBe(0);
    expect((await env.storage.db.keys({ gte: Uint8Array.of(KIND_DELETED_TOPIC), lt: Uint8Array.of(KIND_DELETED_TOPIC + 1) }).all()).length).toBe(0);
    expect((await env.storage.store.keys().all()).length).toBe(0);
    // New ids never collide with the orphan's.
    expect((await env.tm.create('next', 1, {})).id).toBeGreaterThan(999);
  });

  it('close waits for in-flight appends', async () => {
    env = await openEnv();
    await env.tm.create('w', 1, {});
    const log = env.tm.partition('w', 0)!;
    const ps = Array.from({ length: 20 }, () => log.append([batch(1)], { sync: true }));
    await env.close();
    const rs = await Promise.all(ps);
    expect(rs[19]!.lastOffset).toBe(19);
    await env.reopen();
    expect(env.tm.partition('w', 0)!.highWatermark).toBe(20);
    expect(baseOffsets((await env.tm.partition('w', 0)!.read(0, 1 << 20)).records).length).toBe(20);
  });
});
