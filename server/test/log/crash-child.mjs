// Child for crash.test.ts: appends with sync writes and reports each acknowledged offset, until killed.
import pino from 'pino';
import { encodeBatch } from '@brook/protocol';
import { Storage, TopicManager } from '../../dist/log/index.js';

const dir = process.argv[2];
const storage = await Storage.open(dir);
const tm = await TopicManager.open(storage, { logger: pino({ level: 'silent' }), maintenanceIntervalMs: 0 });
if (!tm.get('crash')) await tm.create('crash', 2, {});
const logs = tm.get('crash').partitions;
const enc = new TextEncoder();
let i = 0;
// Several appends in flight at once, as a broker would have.
async function worker(w) {
  for (let n = 0; n < 1_000_000; n++) {
    const p = (w + n) % 2;
    const id = i++;
    const r = await logs[p].append([encodeBatch({ records: [{ key: enc.encode(`k${id}`), value: enc.encode(`v${id}`) }] })], { sync: true });
    process.stdout.write(`ack ${p} ${r.lastOffset} ${id}\n`);
  }
}
process.stdout.write('ready\n');
await Promise.all([0, 1, 2, 3].map(worker));
