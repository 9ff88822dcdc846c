// Child for durability.test.ts: appends synced batches, then unsynced ones whose fsync is held off
// (flushIntervalMs of an hour), reports what a reader sees, and waits to be killed with SIGKILL
// between the write and the sync.
import pino from 'pino';
import { decodeBatches, encodeBatch } from '@brook/protocol';
import { Storage, TopicManager } from '../../dist/log/index.js';

const dir = process.argv[2];
const storage = await Storage.open(dir, { flushIntervalMs: 3_600_000 });
const tm = await TopicManager.open(storage, { logger: pino({ level: 'silent' }), maintenanceIntervalMs: 0 });
await tm.create('power', 1, {});
const log = tm.partition('power', 0);
const enc = new TextEncoder();
const one = (v) => encodeBatch({ records: [{ value: enc.encode(v) }] });
for (let i = 0; i < 5; i++) await log.append([one(`synced-${i}`)], { sync: true });
for (let i = 0; i < 5; i++) await log.append([one(`unsynced-${i}`)], { sync: false });
const seen = decodeBatches((await log.read(0, 1 << 20)).records).flatMap((b) => b.records).map((r) => new TextDecoder().decode(r.value));
const state = { highWatermark: log.highWatermark, logEndOffset: log.logEndOffset, lastStableOffset: log.lastStableOffset, seen, unsynced: storage.queue.hasUnsyncedWrites };
process.stdout.write(`${JSON.stringify(state)}\n`);
setInterval(() => {}, 1000); // stay up until killed
