// Helpers for the SDK's integration tests: a broker on an ephemeral port and a raw read-back path.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBatches, type DecodedRecord } from '@brook/protocol';
import { startBroker, type Broker } from '@brook/server';
import { Brook, logLevel } from '../src/index.js';
import { openConnection } from '../src/context.js';
import type { Connection } from '../src/connection.js';
import { createLogger } from '../src/logger.js';

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'brook-sdk-test-'));
}

export interface TestBroker {
  broker: Broker;
  dataDir: string;
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function testBroker(opts: { dataDir?: string; port?: number } = {}): Promise<TestBroker> {
  const dataDir = opts.dataDir ?? (await tempDir());
  const broker = await startBroker({ port: opts.port ?? 0, dataDir, logLevel: 'silent' });
  const port = Number(new URL(broker.url).port);
  return {
    broker,
    dataDir,
    url: broker.url,
    port,
    async stop() {
      await broker.close();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function client(url: string, extra: { retries?: number } = {}): Brook {
  return new Brook({ url, clientId: 'sdk-test', logLevel: logLevel.NOTHING, retry: { retries: extra.retries ?? 5 } });
}

export function rawConnection(url: string): Connection {
  return openConnection({ url, clientId: 'sdk-test-raw', logger: createLogger(logLevel.NOTHING), requestTimeout: 10_000, connectionTimeout: 5_000, retries: 3 });
}

/** Reads every record of a partition from `from` to the log end, with raw Fetch requests. */
export async function readAll(conn: Connection, topic: string, partition: number, from = 0): Promise<DecodedRecord[]> {
  const out: DecodedRecord[] = [];
  let offset = from;
  for (;;) {
    const res = await conn.request('Fetch', {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 8 * 1024 * 1024,
      isolationLevel: 0,
      topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 8 * 1024 * 1024 }] }],
    });
    const p = res.topics[0]!.partitions[0]!;
    if (p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}@${offset}: error ${p.errorCode} ${p.errorMessage}`);
    const recs = decodeBatches(p.records).flatMap((b) => b.records).filter((r) => r.offset >= offset);
    out.push(...recs);
    if (recs.length === 0 || offset >= p.highWatermark) return out;
    offset = recs[recs.length - 1]!.offset + 1;
    if (offset >= p.highWatermark) return out;
  }
}

export const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));
