import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { decodeBatches, encodeBatch, readBatchHeader, type RecordInput } from '@brook/protocol';
import { parseSeqKey } from '../../src/log/keys.js';
import { Storage, type Db } from '../../src/log/storage.js';
import { TopicManager, type TopicManagerOptions } from '../../src/log/topicManager.js';

export const logger = pino({ level: 'silent' });
const enc = new TextEncoder();
export const bytes = (s: string): Uint8Array => enc.encode(s);
export const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'brook-log-'));
}

/** A batch of n records with values "<prefix>-<i>" (and keys if keyOf is given). */
export function batch(n: number, opts: { prefix?: string; timestamp?: number; keyOf?: (i: number) => string | null } = {}): Uint8Array {
  const records: RecordInput[] = [];
  for (let i = 0; i < n; i++) {
    const k = opts.keyOf?.(i) ?? null;
    records.push({ key: k === null ? null : bytes(k), value: bytes(`${opts.prefix ?? 'v'}-${i}`), timestamp: opts.timestamp });
  }
  return encodeBatch({ records });
}

export interface Env {
  dir: string;
  storage: Storage;
  tm: TopicManager;
  reopen(opts?: Partial<TopicManagerOptions>): Promise<void>;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

/** A data dir with Storage + TopicManager (maintenance timer off), reopenable. */
export async function openEnv(opts: Partial<TopicManagerOptions> = {}, dir?: string): Promise<Env> {
  const d = dir ?? (await tempDir());
  const env: Env = {
    dir: d,
    storage: await Storage.open(d),
    tm: undefined as unknown as TopicManager,
    async reopen(o = opts) {
      await env.close();
      env.storage = await Storage.open(d);
      env.tm = await TopicManager.open(env.storage, { logger, maintenanceIntervalMs: 0, ...o });
    },
    async close() {
      await env.tm.close();
      await env.storage.close();
    },
    async destroy() {
      if (env.storage.db.status === 'open') await env.close();
      await rm(d, { recursive: true, force: true });
    },
  };
  env.tm = await TopicManager.open(env.storage, { logger, maintenanceIntervalMs: 0, ...opts });
  return env;
}

/** Base offsets of the concatenated batches in a read result. */
export function baseOffsets(records: Uint8Array): number[] {
  const out: number[] = [];
  let at = 0;
  for (let guard = 0; guard < 1_000_000 && at < records.length; guard++) {
    const h = readBatchHeader(records, at);
    out.push(h.baseOffset);
    at += h.batchLength + 12;
  }
  return out;
}

/** Values of every record a full read of partition 0 returns, from the log start. */
export async function valuesOf(e: Env, topic: string): Promise<string[]> {
  const log = e.tm.partition(topic, 0)!;
  const out: string[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const r = await log.read(offset, 1 << 20);
    const records = decodeBatches(r.records).flatMap((b) => b.records);
    for (const rec of records) if (rec.offset >= offset) out.push(text(rec.value)!);
    offset = r.lastOffset + 1;
  }
  return out;
}

/** The write sequences of every key in the batch store. */
export async function storeSeqs(e: Env): Promise<number[]> {
  return (await e.storage.store.keys().all()).map(parseSeqKey);
}

/**
 * Routes every chained-batch write of `db` through `fn`, which gets the write's options, whether
 * the batch deletes keys, and the write itself to call (or not), until the returned function runs.
 */
export function interceptWrites(
  db: Db,
  fn: (opts: { sync: boolean; deletes: boolean }, write: () => Promise<void>) => Promise<void>,
): () => void {
  const orig = db.batch;
  db.batch = function (this: Db, ...args: unknown[]) {
    if (args.length > 0) return (orig as (...a: unknown[]) => unknown).apply(this, args);
    const b = orig.call(this);
    const del = b.del.bind(b);
    let deletes = false;
    b.del = (key: Uint8Array) => {
      deletes = true;
      return del(key);
    };
    const write = b.write.bind(b);
    b.write = ((opts: { sync?: boolean } = {}) => fn({ sync: opts.sync === true, deletes }, () => write(opts))) as typeof b.write;
    return b;
  } as typeof db.batch;
  return () => {
    db.batch = orig;
  };
}
