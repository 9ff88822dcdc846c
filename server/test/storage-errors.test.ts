// LevelDB write errors, for real: the broker runs in a child process under `ulimit -f` (1 MiB per
// file) with SIGXFSZ ignored, so once LevelDB's write-ahead log reaches the limit every write
// fails with EFBIG ("File too large") instead of killing the process. The producer must get a
// clear STORAGE_ERROR (1004), the broker must log it and keep serving reads of what was written
// before, and nothing of the refused writes may appear, not even after a restart without the limit.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { decodeBatches } from '@brook/protocol';
import { Brook, BrookError, logLevel } from '@brook/client';
import { RawClient, readPartition, removeDir, serverCli, spawnBroker, tempDir, testBroker } from './helpers.js';
import { storeKey } from '../src/log/keys.js';

const dirs: string[] = [];
const procs: ChildProcess[] = [];
afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL'); // a failed assertion left it running
  await Promise.all(dirs.map(removeDir));
});

interface LogLine {
  level: number;
  msg: string;
  port?: number;
  err?: { message?: string };
  failedWrites?: number;
}

/** The built broker under a file-size limit (in KiB), with SIGXFSZ ignored so writes fail with EFBIG. */
async function limitedBroker(dataDir: string, fileLimitKiB: number): Promise<{ proc: ChildProcess; url: string; httpUrl: string; logs: LogLine[]; exited: Promise<number | null> }> {
  const proc = spawn('bash', ['-c', `trap '' XFSZ; ulimit -f ${fileLimitKiB}; exec "$0" "$@"`, process.execPath, serverCli, '--port', '0', '--kafka-port', '0', '--data-dir', dataDir, '--log-level', 'info'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.push(proc);
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const logs: LogLine[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start: ${stderr}`)), 20_000);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      let j: LogLine;
      try {
        j = JSON.parse(line) as LogLine;
      } catch {
        return;
      }
      logs.push(j);
      if (j.msg.startsWith('Brook listening') && j.port) {
        clearTimeout(timer);
        resolve(j.port);
      }
    });
    void exited.then((code) => reject(new Error(`broker exited with ${code}: ${stderr}`)));
  });
  return { proc, url: `ws://127.0.0.1:${port}/ws`, httpUrl: `http://127.0.0.1:${port}`, logs, exited };
}

async function readAll(c: RawClient, topic: string, partition: number): Promise<{ values: string[]; offsets: number[]; highWatermark: number }> {
  const { records, highWatermark } = await readPartition(c, topic, partition);
  return { values: records.map((r) => r.value), offsets: records.map((r) => r.offset), highWatermark };
}

describe('storage errors', () => {
  it('a failing LevelDB write is a clear STORAGE_ERROR; the broker logs it, stays up, serves what it had, and writes nothing partial', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const b = await limitedBroker(dir, 1024);
    const brook = new Brook({ url: b.url, clientId: 'storage-test', logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 50 } });
    const admin = brook.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'full', numPartitions: 2 }] });
    const producer = brook.producer();
    await producer.connect();

    // 32 KiB per message, 2 per send: the 1 MiB write-ahead log fills after about 16 sends.
    const pad = 'x'.repeat(32 * 1024);
    const acked: string[][] = [[], []];
    let failure: unknown = null;
    let failedValues: string[] = [];
    for (let i = 0; i < 200 && failure === null; i++) {
      const partition = i % 2;
      const values = [`m${i}-a-${pad}`, `m${i}-b-${pad}`];
      try {
        const [meta] = await producer.send({ topic: 'full', messages: values.map((value) => ({ value, partition })) });
        expect(Number(meta!.baseOffset)).toBe(acked[partition]!.length);
        acked[partition]!.push(...values);
      } catch (e) {
        failure = e;
        failedValues = values;
      }
    }
    // The producer gets Brook's STORAGE_ERROR (1004) with the cause.
    expect(failure).toBeInstanceOf(BrookError);
    expect((failure as BrookError).type).toBe('STORAGE_ERROR');
    expect((failure as BrookError).code).toBe(1004);
    expect((failure as BrookError).message).toMatch(/LevelDB write failed: .*File too large/);
    expect(acked[0]!.length + acked[1]!.length).toBeGreaterThan(0);

    // Later writes fail the same way, small ones too.
    await expect(producer.send({ topic: 'full', messages: [{ value: 'small', partition: 0 }] })).rejects.toMatchObject({ type: 'STORAGE_ERROR' });

    // The broker logged it (pino, level error), and is still up.
    const logged = b.logs.filter((l) => l.level >= 50 && l.msg.startsWith('LevelDB write failed'));
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0]!.err?.message).toContain('File too large');
    expect(b.proc.exitCode).toBeNull();
    expect((await fetch(`${b.httpUrl}/health`)).status).toBe(200);

    // Reads of what was written before still work, and nothing of the refused sends is there.
    const raw = await RawClient.connect(b.url);
    for (const partition of [0, 1]) {
      const got = await readAll(raw, 'full', partition);
      expect(got.values).toEqual(acked[partition]);
      expect(got.offsets).toEqual(acked[partition]!.map((_, i) => i));
      expect(got.highWatermark).toBe(acked[partition]!.length);
      expect(got.values).not.toContain(failedValues[0]);
    }
    const topic = (await (await fetch(`${b.httpUrl}/api/topics/full`)).json()) as { partitions: Array<{ endOffset: string }> };
    expect(topic.partitions.map((p) => Number(p.endOffset))).toEqual([acked[0]!.length, acked[1]!.length]);
    raw.close();
    await producer.disconnect().catch(() => {});
    await admin.disconnect();

    // A clean shutdown still works.
    b.proc.kill('SIGTERM');
    expect(await b.exited).toBe(0);

    // Restarted without the limit: exactly the acknowledged data (the torn tail of the write-ahead
    // log is dropped by LevelDB's recovery), and new writes continue at the next dense offset.
    const again = await spawnBroker(dir);
    procs.push(again.proc);
    try {
      const c = await RawClient.connect(again.url);
      for (const partition of [0, 1]) {
        const got = await readAll(c, 'full', partition);
        expect(got.values).toEqual(acked[partition]);
        expect(got.highWatermark).toBe(acked[partition]!.length);
      }
      c.close();
      const p2 = new Brook({ url: again.url, logLevel: logLevel.NOTHING }).producer();
      await p2.connect();
      const [meta] = await p2.send({ topic: 'full', messages: [{ value: 'after restart', partition: 0 }] });
      expect(Number(meta!.baseOffset)).toBe(acked[0]!.length);
      await p2.disconnect();
    } finally {
      again.proc.kill('SIGTERM');
      await again.exited;
    }
  }, 60_000);
});

describe('storage read errors', () => {
  it('a failing LevelDB read answers KAFKA_STORAGE_ERROR (56) for that partition only, logged at most once a second', async () => {
    const lines: Array<{ level: number; msg: string; failedReads?: number; err?: { message?: string } }> = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const dataDir = await tempDir();
    dirs.push(dataDir);
    // Write, then restart, so the batches are read from LevelDB (the hot cache starts empty).
    let broker = await testBroker({ dataDir, logger });
    let c = await RawClient.connect(broker.url);
    await c.request('CreateTopics', { topics: [{ name: 'rd', numPartitions: 2, configs: [] }], validateOnly: false });
    const producer = new Brook({ url: broker.url, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    for (const partition of [0, 1]) await producer.send({ topic: 'rd', messages: [{ value: `p${partition}`, partition }] });
    await producer.disconnect();
    c.close();
    await broker.close();
    broker = await testBroker({ dataDir, logger });
    try {
      // Every LevelDB read of partition 0's data fails from now on (batches are read with getMany).
      const log = broker.context.topics.partition('rd', 0)!;
      const store = log.store;
      const broken = (): never => {
        throw new Error('EIO: i/o error, read');
      };
      const hex = (k: Uint8Array) => Buffer.from(k).toString('hex');
      const rd0 = new Set(Array.from({ length: log.index.length }, (_, i) => hex(storeKey(log.index.seqOf(i), log.topicId, 0))));
      expect(rd0.size).toBeGreaterThan(0);
      const getMany = store.getMany.bind(store);
      store.getMany = (async (keys: Uint8Array[]) => {
        if (keys.some((k) => rd0.has(hex(k)))) broken();
        return getMany(keys);
      }) as typeof store.getMany;
      c = await RawClient.connect(broker.url);
      const fetchAll = () =>
        c.request('Fetch', {
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          topics: [{ topic: 'rd', partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) }],
        });
      const f = await fetchAll();
      const [p0, p1] = f.topics[0]!.partitions;
      expect(p0!.errorCode).toBe(56);
      expect(p0!.errorMessage).toContain('EIO');
      expect(p0!.records.length).toBe(0);
      // The other partition is served.
      expect(p1!.errorCode).toBe(0);
      expect(decodeBatches(p1!.records).flatMap((b) => b.records).length).toBe(1);
      await fetchAll();
      await fetchAll();
      const logged = lines.filter((l) => l.level >= 50 && l.msg.startsWith('LevelDB read failed'));
      expect(logged.length).toBe(1);
      expect(logged[0]!.err?.message).toContain('EIO');
      c.close();
    } finally {
      await broker.close();
    }
  });
});
