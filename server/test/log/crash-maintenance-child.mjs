// Child for crash.test.ts: appends (synced) to a topic whose front DeleteRecords keeps removing and
// to a compacted topic the cleaner keeps rewriting, so a kill lands between a removal's log write
// and its batch-store deletes too; reports each acknowledged append, until killed.
import pino from 'pino';
import { encodeBatch } from '@brook/protocol';
import { Storage, TopicManager } from '../../dist/log/index.js';

const dir = process.argv[2];
const storage = await Storage.open(dir);
const tm = await TopicManager.open(storage, { logger: pino({ level: 'silent' }), maintenanceIntervalMs: 0 });
if (!tm.get('front')) await tm.create('front', 1, {});
if (!tm.get('compact')) await tm.create('compact', 1, { 'cleanup.policy': 'compact' });
const front = tm.partition('front', 0);
const compact = tm.partition('compact', 0);
const enc = new TextEncoder();
let i = 0;

async function produce() {
  for (;;) {
    const id = i++;
    const log = id % 2 === 0 ? front : compact;
    const key = enc.encode(`k${id % 7}`);
    const r = await log.append([encodeBatch({ records: [{ key, value: enc.encode(`v${id}`) }] })], { sync: true });
    process.stdout.write(`ack ${log === front ? 'front' : 'compact'} ${r.lastOffset} ${id}\n`);
  }
}

async function maintain() {
  for (;;) {
    if (front.highWatermark > 3) await tm.deleteRecords('front', 0, front.highWatermark - 3);
    await tm.runCompaction();
    await new Promise((r) => setImmediate(r));
  }
}

process.stdout.write('ready\n');
await Promise.all([produce(), produce(), maintain()]);
