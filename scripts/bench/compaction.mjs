// One compaction pass of a partition, in an in-process broker: `batches` batches of 100 records of
// 100 B, each with one of `keys` keys drawn at random (a fixed seed; most records are superseded,
// and most batches keep a few), written through the log, then
// TopicManager.runCompaction. Prints the pass's time, what it did, and the broker's longest
// event-loop delay during it; median of three passes, each on a freshly written topic.
//   node scripts/bench/compaction.mjs [codec=0 (none; 1 gzip, 2 snappy, 3 lz4, 4 zstd)] [batches=2000] [keys=20000]
// BROOK_SERVER_DIST=<clone>/server/dist picks another build (before/after pairs).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBatch } from '../../protocol/dist/index.js';
import { registerKafkaCodecs } from '../../protocol/dist/codecs.js';

const dist = process.env.BROOK_SERVER_DIST ?? new URL('../../server/dist', import.meta.url).pathname;
const { startBroker } = await import(join(dist, 'index.js'));
const [codec, batches, keys] = [Number(process.argv[2] ?? 0), Number(process.argv[3] ?? 2000), Number(process.argv[4] ?? 20000)];
registerKafkaCodecs();

const dataDir = mkdtempSync(join(tmpdir(), 'brook-compaction-'));
const broker = await startBroker({ port: 0, kafkaPort: null, dataDir, logLevel: 'warn', logMaintenanceIntervalMs: 0 });
const enc = new TextEncoder();
const value = new Uint8Array(100).fill(65);
const runs = [];
try {
  for (let run = 0; run < 3; run++) {
    const topic = `compacted-${run}`;
    await broker.context.topics.create(topic, 1, { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' });
    const log = broker.context.topics.partition(topic, 0);
    let seed = 1;
    const draw = () => (seed = (seed * 48271) % 2147483647) % keys;
    for (let b = 0; b < batches; b++) {
      const records = Array.from({ length: 100 }, () => ({ key: enc.encode(`key-${draw()}`), value }));
      // The last one synced: records are visible (and compactable) once fsynced.
      await log.append([encodeBatch({ records, compression: codec })], { sync: b === batches - 1 });
    }
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    while (loop.count < 2) await new Promise((r) => setTimeout(r, 2));
    const t0 = performance.now();
    const r = await broker.context.topics.runCompaction();
    const ms = performance.now() - t0;
    loop.disable();
    runs.push({ ms, loopMax: loop.max / 1e6, ...r });
    await broker.context.topics.delete(topic);
  }
} finally {
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
}
runs.sort((a, b) => a.ms - b.ms);
const m = runs[1];
console.log(
  `codec ${codec}, ${batches} batches x 100 records, ${keys} keys: compaction ${m.ms.toFixed(0)} ms (${runs.map((x) => x.ms.toFixed(0)).join(', ')}), ` +
    `longest loop delay ${m.loopMax.toFixed(1)} ms (${runs.map((x) => x.loopMax.toFixed(1)).join(', ')}); ${m.batchesRewritten} rewritten, ${m.batchesRemoved} removed, ${m.recordsRemoved} records removed`,
);
