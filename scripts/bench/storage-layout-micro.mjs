// Micro-benchmark of storage layouts for the log, in one process without a broker: what LevelDB's
// compactions cost Brook's layout, and what layouts that keep record batches out of them would
// save. The write pattern is the broker's under Java's ProducerPerformance: batches of 64 records
// round-robin over 6 partitions, 5 batches per group-committed write, synced. For each layout:
// the write rate, the process's CPU (every thread: LevelDB's compaction thread included) and the
// bytes the process wrote to disk (/proc/self/io) until its background work settled, as a
// multiple of the payload (write amplification). Layouts alternate on fresh dirs, `--runs` times.
//
//   node scripts/bench/storage-layout-micro.mjs [--size 1024] [--mb 200] [--partitions 6] [--runs 2]
//
// Layouts (only `interleaved` is Brook's; the others are what a storage change could look like):
//   interleaved   one LevelDB: each batch under (partition, offset) and its index entry beside it
//   batches-only  the same without index entries (what the index entries cost)
//   seq-keys      batches keyed by a global write sequence in one LevelDB (synced), the
//                 (partition, offset) index in a second LevelDB (unsynced)
//   log-file      batches appended to one file (fdatasync) and the index in LevelDB (synced)
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { KIND_BATCH, KIND_INDEX, encodeIndexValue, offsetKey } from '../../server/dist/log/keys.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const SIZE = arg('--size', 1024);
const MB = arg('--mb', 200);
const PARTITIONS = arg('--partitions', 6);
const RUNS = arg('--runs', 2);
const PER_BATCH = Math.max(1, Math.floor(65536 / SIZE));
const PER_WRITE = 5;
const LEVEL_OPTIONS = process.env.LEVEL_OPTIONS ? JSON.parse(process.env.LEVEL_OPTIONS) : {};
const CHECKPOINT_EVERY = arg('--checkpoint-every', 200);
const BATCH_BYTES = 61 + PER_BATCH * (SIZE + 8); // a v2 batch header and records of about this size
const BATCHES = Math.ceil((MB * 1e6) / BATCH_BYTES);

// Random capital letters, as ProducerPerformance sends: Snappy (LevelDB's table compression) finds
// little to take out, as with most real payloads once the producer compressed them.
const payload = randomBytes(BATCH_BYTES).map((b) => 65 + (b % 26));

// Brook's own keys and index entries (server/src/log/keys.ts), topic id 1.
const key = (kind, partition, offset) => offsetKey(kind, 1, partition, offset);
const seqKey = (seq) => offsetKey(KIND_BATCH, 0, 0, seq);
/** Below every other key (first byte 0x00), so new batches never fall between older keys. */
const lowSeqKey = (seq) => {
  const k = new Uint8Array(9);
  new DataView(k.buffer).setBigUint64(1, BigInt(seq));
  return k;
};
/** An index entry as Brook writes it; `lastOffset` holds the sequence or file position the other layouts point with. */
const indexValue = (lastOffset) =>
  encodeIndexValue({ lastOffset, maxTimestamp: 0, size: BATCH_BYTES, records: PER_BATCH, producerId: -1, producerEpoch: -1, baseSequence: -1, attributes: 0, controlType: -1, storeSeq: -1 });

const openDb = async (dir) => {
  const db = new ClassicLevel(dir, { keyEncoding: 'view', valueEncoding: 'view', ...LEVEL_OPTIONS });
  await db.open();
  return db;
};

/** Each layout: open(dir) -> { write(group of {partition, offset}), close() }. */
const LAYOUTS = {
  interleaved: async (dir) => {
    const db = await openDb(join(dir, 'db'));
    return {
      async write(group) {
        const b = db.batch();
        for (const { partition, offset } of group) {
          b.put(key(KIND_BATCH, partition, offset), payload);
          b.put(key(KIND_INDEX, partition, offset), indexValue(offset + PER_BATCH - 1));
        }
        await b.write({ sync: true });
      },
      dbs: [db],
    };
  },
  'batches-only': async (dir) => {
    const db = await openDb(join(dir, 'db'));
    return {
      async write(group) {
        const b = db.batch();
        for (const { partition, offset } of group) b.put(key(KIND_BATCH, partition, offset), payload);
        await b.write({ sync: true });
      },
      dbs: [db],
    };
  },
  'seq-one-db': async (dir) => {
    const db = await openDb(join(dir, 'db'));
    let seq = 0;
    return {
      async write(group) {
        const b = db.batch();
        for (const { partition, offset } of group) {
          b.put(lowSeqKey(seq), payload);
          b.put(key(KIND_INDEX, partition, offset), indexValue(seq++));
        }
        await b.write({ sync: true });
      },
      dbs: [db],
    };
  },
  'seq-checkpoint': async (dir) => {
    const db = await openDb(join(dir, 'db'));
    let seq = 0;
    let writes = 0;
    let pending = [];
    return {
      async write(group) {
        const b = db.batch();
        for (const { partition, offset } of group) {
          b.put(lowSeqKey(seq), payload);
          pending.push([partition, offset, seq++]);
        }
        if (++writes % CHECKPOINT_EVERY === 0) {
          for (const [partition, offset, s] of pending) b.put(key(KIND_INDEX, partition, offset), indexValue(s));
          pending = [];
        }
        await b.write({ sync: true });
      },
      dbs: [db],
    };
  },
  'seq-keys': async (dir) => {
    const data = await openDb(join(dir, 'data'));
    const index = await openDb(join(dir, 'index'));
    let seq = 0;
    return {
      async write(group) {
        const d = data.batch();
        const x = index.batch();
        for (const { partition, offset } of group) {
          d.put(seqKey(seq), payload);
          x.put(key(KIND_INDEX, partition, offset), indexValue(seq++));
        }
        await d.write({ sync: true });
        await x.write({ sync: false });
      },
      dbs: [data, index],
    };
  },
  'log-file': async (dir) => {
    const index = await openDb(join(dir, 'index'));
    const fd = openSync(join(dir, 'batches.log'), 'a');
    let position = 0;
    return {
      async write(group) {
        const x = index.batch();
        const bytes = Buffer.concat(group.map(() => payload));
        writeSync(fd, bytes);
        fdatasyncSync(fd);
        for (const { partition, offset } of group) {
          x.put(key(KIND_INDEX, partition, offset), indexValue(position));
          position += BATCH_BYTES;
        }
        await x.write({ sync: true });
      },
      dbs: [index],
      close: () => closeSync(fd),
    };
  },
};

const writtenBytes = () => Number(/^write_bytes: (\d+)/m.exec(readFileSync('/proc/self/io', 'utf8'))[1]);
const cpuSeconds = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until the process (LevelDB's background thread included) has used under 5% of a core for 1 s. */
async function settle() {
  const t0 = performance.now();
  for (;;) {
    const c0 = cpuSeconds();
    await sleep(1000);
    if (cpuSeconds() - c0 < 0.05 || performance.now() - t0 > 120_000) return;
  }
}

async function run(name) {
  const dir = await mkdtemp(join(tmpdir(), 'brook-layout-'));
  const layout = await LAYOUTS[name](dir);
  const offsets = new Array(PARTITIONS).fill(0);
  const w0 = writtenBytes();
  const c0 = cpuSeconds();
  const t0 = performance.now();
  for (let i = 0; i < BATCHES; i += PER_WRITE) {
    const group = [];
    for (let j = i; j < Math.min(BATCHES, i + PER_WRITE); j++) {
      const partition = j % PARTITIONS;
      group.push({ partition, offset: offsets[partition] });
      offsets[partition] += PER_BATCH;
    }
    await layout.write(group);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpuWriting = cpuSeconds() - c0;
  await settle();
  const cpuAll = cpuSeconds() - c0; // settle()'s last, idle second adds under 0.05 s
  const bytes = writtenBytes() - w0;
  for (const db of layout.dbs) await db.close();
  layout.close?.();
  await rm(dir, { recursive: true, force: true });
  const payloadBytes = BATCHES * BATCH_BYTES;
  return { mbs: payloadBytes / 1e6 / seconds, cpuWriting, cpuAll, amplification: bytes / payloadBytes };
}

const onlyAt = process.argv.indexOf('--layouts');
const names = onlyAt >= 0 ? process.argv[onlyAt + 1].split(',') : Object.keys(LAYOUTS);
const results = Object.fromEntries(names.map((k) => [k, []]));
for (let r = 0; r < RUNS; r++) {
  for (const name of names) {
    const x = await run(name);
    results[name].push(x);
    console.error(`${name} #${r + 1}: ${x.mbs.toFixed(0)} MB/s, CPU ${x.cpuWriting.toFixed(2)} s writing, ${x.cpuAll.toFixed(2)} s until settled, ${x.amplification.toFixed(2)}x written`);
  }
}
const list = (xs, f) => xs.map(f).join(', ');
console.log(`${BATCHES} batches of ${PER_BATCH} x ${SIZE} B (${((BATCHES * BATCH_BYTES) / 1e6).toFixed(0)} MB) over ${PARTITIONS} partitions, ${PER_WRITE} batches per synced write; ${RUNS} run(s) each, alternated:\n`);
console.log('| layout | MB/s | CPU s while writing | CPU s until settled | bytes written / payload |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, xs] of Object.entries(results)) {
  console.log(`| ${name} | ${list(xs, (x) => x.mbs.toFixed(0))} | ${list(xs, (x) => x.cpuWriting.toFixed(2))} | ${list(xs, (x) => x.cpuAll.toFixed(2))} | ${list(xs, (x) => x.amplification.toFixed(2))} |`);
}
