#!/usr/bin/env node
// One big Fetch over Kafka's protocol, timed alone: a fresh broker, a 6-partition topic filled
// with 1 KiB records (Brook's SDK over Kafka's protocol, batches of 64 records), then Fetch v12
// requests for all 6 partitions at 1 MiB each (about 6 MiB answers, read from LevelDB: the
// hot cache holds only the newest 64 MiB of 120 MiB written), one at a time, each from another
// offset. Prints time to first byte and to the whole answer: the broker's read, encode and write.
//
//   node scripts/bench/kafka/fetch-micro.mjs [fetches=40] [recordBytes=1024] [recordsPerBatch=64] [batches=2000]
// (e.g. `40 100 100 12000`: batches of 10 KB, the small pieces an SDK producer of 100 B records sends)
import { connect } from 'node:net';
import { Brook } from '../../../client-sdk/dist/index.js';
import { kafka } from '../../../protocol/dist/index.js';
import { startChildBroker, stats } from '../lib.mjs';

const FETCHES = Number(process.argv[2] ?? 40);
const RECORD_BYTES = Number(process.argv[3] ?? 1024);
const PER_BATCH = Number(process.argv[4] ?? 64);
const BATCHES = Number(process.argv[5] ?? 2000);
const broker = await startChildBroker('brook-fetch-micro-', [], { logLevel: 'info' });
try {
  const brook = new Brook({ brokers: [`127.0.0.1:${broker.kafkaPort}`], clientId: 'fetch-micro' });
  const admin = brook.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'fm', numPartitions: 6 }] });
  await admin.disconnect();
  const producer = brook.producer();
  await producer.connect();
  const value = Buffer.alloc(RECORD_BYTES, 120);
  const sends = [];
  for (let i = 0; i < BATCHES; i++) {
    sends.push(producer.send({ topic: 'fm', messages: Array.from({ length: PER_BATCH }, () => ({ value, partition: i % 6 })) }));
    if (sends.length >= 32) await Promise.all(sends.splice(0));
  }
  await Promise.all(sends);
  await producer.disconnect();

  const s = connect({ host: '127.0.0.1', port: broker.kafkaPort });
  await new Promise((r) => s.once('connect', r));
  s.setNoDelay(true);
  let got = 0;
  let want = -1;
  let firstAt = 0;
  let answered = null;
  s.on('data', (c) => {
    if (got === 0) firstAt = performance.now();
    if (want < 0) want = c.readInt32BE(0) + 4;
    got += c.length;
    if (got >= want) {
      const n = want;
      got = 0;
      want = -1;
      answered(n);
    }
  });
  const fetch = (id, offset) =>
    kafka.encodeKafkaRequest('Fetch', 12, id, 'fetch-micro', {
      replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 50 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, rackId: '', forgottenTopicsData: [],
      topics: [{ topic: 'fm', topicId: '', partitions: [0, 1, 2, 3, 4, 5].map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 })) }],
    });
  const first = [];
  const whole = [];
  let bytes = 0;
  for (let i = 0; i < FETCHES + 5; i++) {
    const t0 = performance.now();
    const done = new Promise((r) => (answered = r));
    s.write(fetch(i + 1, (i % 15) * 1000));
    const n = await done;
    if (i < 5) continue; // warm-up
    first.push(firstAt - t0);
    whole.push(performance.now() - t0);
    bytes += n;
  }
  s.destroy();
  const f = (x) => `${x.median.toFixed(1)} ms (${x.min.toFixed(1)}-${x.max.toFixed(1)})`;
  console.log(`${FETCHES} fetches of ${(bytes / FETCHES / 2 ** 20).toFixed(2)} MiB: first byte ${f(stats(first))}, whole answer ${f(stats(whole))} (median, min-max)`);
} finally {
  await broker.stop();
}
