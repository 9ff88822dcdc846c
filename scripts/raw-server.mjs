#!/usr/bin/env node
// The raw limit for `npm run bench`: a bare ws server that appends each frame to LevelDB as one
// key in one batch and acknowledges it. `node scripts/raw-server.mjs <dataDir> <sync: 0|1>`.
import { Level } from 'level';
import { WebSocketServer } from 'ws';

const [dir, syncArg] = process.argv.slice(2);
const sync = syncArg === '1';
const db = new Level(dir, { keyEncoding: 'view', valueEncoding: 'view' });
await db.open();
let seq = 0;
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('connection', (ws) => {
  ws.on('message', async (data) => {
    const key = new Uint8Array(8);
    new DataView(key.buffer).setFloat64(0, seq++);
    await db.batch().put(key, data).write({ sync });
    ws.send(Uint8Array.of(1));
  });
});
wss.on('listening', () => console.log(JSON.stringify({ port: wss.address().port })));
process.on('SIGTERM', async () => {
  wss.close();
  await db.close();
  process.exit(0);
});
