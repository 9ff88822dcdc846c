// Graceful shutdown under load: SIGTERM answers what is in flight and exits 0; producers see a
// retriable error, reconnect when the broker is back, and nothing acknowledged is lost.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';
import { Brook, logLevel } from '@brook/client';
import { RawClient, removeDir, serverCli, spawnBroker, tempDir } from './helpers.js';
import { decodeBatches } from '@brook/protocol';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map(removeDir)));

it('SIGTERM under load loses nothing acknowledged, and clients carry on after a restart', async () => {
  const dir = await tempDir();
  dirs.push(dir);
  let b = await spawnBroker(dir);
  const port = b.port;
  const brook = new Brook({ url: b.url, clientId: 'shutdown-test', logLevel: logLevel.NOTHING, retry: { retries: 30 } });
  const admin = brook.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'steady', numPartitions: 2 }] });
  await admin.disconnect();
  const producer = brook.producer();
  await producer.connect();
  const acked = new Set<string>();
  let stop = false;
  let n = 0;
  const loops = [0, 1, 2, 3].map(async () => {
    while (!stop) {
      const values = Array.from({ length: 20 }, () => `v${n++}`);
      await producer.send({ topic: 'steady', messages: values.map((value) => ({ value })) });
      for (const v of values) acked.add(v);
    }
  });
  await new Promise((r) => setTimeout(r, 400));
  const before = acked.size;
  b.proc.kill('SIGTERM');
  expect(await b.exited).toBe(0);
  b = await spawnBroker(dir, port);
  // The producers reconnect by themselves and keep going.
  for (let i = 0; i < 200 && acked.size < before + 500; i++) await new Promise((r) => setTimeout(r, 25));
  expect(acked.size).toBeGreaterThan(before + 500);
  stop = true;
  await Promise.all(loops);
  await producer.disconnect();

  const c = await RawClient.connect(b.url);
  const seen = new Set<string>();
  for (const partition of [0, 1]) {
    let offset = 0;
    for (let i = 0; i < 1000; i++) {
      const f = await c.request('Fetch', { maxWaitMs: 0, minBytes: 1, maxBytes: 8 << 20, isolationLevel: 0, topics: [{ topic: 'steady', partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 8 << 20 }] }] });
      const recs = decodeBatches(f.topics[0]!.partitions[0]!.records).flatMap((x) => x.records).filter((r) => r.offset >= offset);
      if (recs.length === 0) break;
      for (const r of recs) seen.add(new TextDecoder().decode(r.value!));
      offset = recs[recs.length - 1]!.offset + 1;
    }
  }
  const missing = [...acked].filter((v) => !seen.has(v));
  expect(missing).toEqual([]);
  c.close();
  b.proc.kill('SIGTERM');
  expect(await b.exited).toBe(0);
}, 60_000);

it('SIGTERM during start-up (here: once the log is recovered) shuts the broker down cleanly once it is up', async () => {
  const dir = await tempDir();
  dirs.push(dir);
  const proc = spawn(process.execPath, [serverCli, '--port', '0', '--kafka-port', '0', '--data-dir', dir, '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const msgs: string[] = [];
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const msg = (JSON.parse(line) as { msg: string }).msg;
    msgs.push(msg);
    if (msg === 'log recovered') proc.kill('SIGTERM'); // before the broker listens
  });
  expect(await exited).toBe(0);
  expect(msgs.some((m) => m.startsWith('Brook listening'))).toBe(true);
  expect(msgs.indexOf('signal received')).toBeGreaterThan(msgs.findIndex((m) => m.startsWith('Brook listening')));
});
