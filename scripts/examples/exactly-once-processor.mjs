#!/usr/bin/env node
// Consume-transform-produce, exactly once: read numbers from `in`, write each doubled to `out`,
// and commit the input offsets inside the same transaction. Kill it at any moment (kill -9) and
// start it again: a read_committed reader of `out` still sees every input exactly once.
//
//   npm run build && npm start                                   # a broker on 127.0.0.1:7092
//   node scripts/examples/exactly-once-processor.mjs --in numbers --out doubled
//
// How: the producer has a transactionalId, so a restarted instance fences the previous one and
// the broker aborts whatever it left open. Each batch is one transaction: its outputs and
// `sendOffsets` (the group's offsets, checked against this member's epoch, KIP-447) commit
// together or not at all. The consumer reads read_committed (the default) and never commits on
// its own (autoCommit: false). Options: --group, --txn-id, --session-timeout, --work-ms,
// --max-batch-bytes, --url.
import { parseArgs } from 'node:util';
import { Brook, logLevel } from '@brook/client';

const { values: args } = parseArgs({
  options: {
    in: { type: 'string', default: 'numbers' },
    out: { type: 'string', default: 'doubled' },
    group: { type: 'string', default: 'doubler' },
    'txn-id': { type: 'string', default: 'doubler-1' },
    'session-timeout': { type: 'string', default: '6000' },
    // Time "spent working" inside each transaction (a test widens the window a kill can hit).
    'work-ms': { type: 'string', default: '0' },
    'max-batch-bytes': { type: 'string', default: String(1024 * 1024) },
    url: { type: 'string', default: process.env.BROOK_URL ?? 'ws://127.0.0.1:7092/ws' },
  },
});

const brook = new Brook({ url: args.url, clientId: 'exactly-once-processor', logLevel: logLevel.ERROR, retry: { retries: 20 } });
const producer = brook.producer({ transactionalId: args['txn-id'], transactionTimeout: 10_000 });
await producer.connect();
const consumer = brook.consumer({ groupId: args.group, isolationLevel: 'read_committed', heartbeatInterval: 300, sessionTimeout: Number(args['session-timeout']), maxBytesPerPartition: Number(args['max-batch-bytes']) });
await consumer.connect();
await consumer.subscribe({ topics: [args.in], fromBeginning: true });

let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  process.exit(code);
};
process.on('SIGINT', () => void stop(0)).on('SIGTERM', () => void stop(0));

await consumer.run({
  autoCommit: false,
  eachBatch: async ({ batch, resolveOffset, isStale }) => {
    if (batch.isEmpty() || isStale()) return;
    const tx = await producer.transaction();
    try {
      await tx.send({
        topic: args.out,
        messages: batch.messages.map((m) => ({ key: m.key, value: String(Number(m.value.toString()) * 2), partition: batch.partition })),
      });
      if (Number(args['work-ms']) > 0) await new Promise((r) => setTimeout(r, Number(args['work-ms'])));
      const next = String(Number(batch.lastOffset()) + 1);
      await tx.sendOffsets({ consumerGroupId: args.group, topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
      await tx.commit();
      resolveOffset(batch.lastOffset());
    } catch (e) {
      if (tx.isActive()) await tx.abort().catch(() => {});
      if (e.type === 'PRODUCER_FENCED' || e.type === 'TRANSACTION_TIMED_OUT') {
        // A newer instance took over (this one is a zombie): stop without touching anything
        // (not through disconnect(), which would wait for this very handler).
        console.error(`fenced: ${e.message}`);
        process.exit(3);
      }
      throw e; // the consumer retries the batch from its last position
    }
  },
});
console.error('processor running');
