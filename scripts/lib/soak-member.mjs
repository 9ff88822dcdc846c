// One consumer-group member in its own process, for scripts/member-soak.mjs. Uses the built SDK.
//   node scripts/lib/soak-member.mjs '{"url","groupId","topic","mode","file","sessionTimeout","heartbeatInterval","workMs"}'
// Every message it processes is appended to `file` (one value per line) with a synchronous write,
// which the kernel keeps even if this process is then killed with SIGKILL:
//   at-least-once: the work first, then the record, before the handler returns (so before the
//     commit of that offset): a message whose commit was lost is processed and recorded again.
//   at-most-once: the record first (processing begins), then the work; the SDK committed the batch
//     before the handler saw it, so a message is never handed out twice, and a crash loses the rest.
// Events on stdout, JSON lines: { ev: 'ready' } | { ev: 'owned', partitions } (after each change)
// | { ev: 'fenced', partitions } (onPartitionsLost: partitions dropped without a commit, after being
// expelled while frozen) | { ev: 'error', message }.
// SIGTERM leaves the group cleanly and exits 0.
import { closeSync, openSync, writeSync } from 'node:fs';
import { Brook, logLevel } from '@brook/client';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const fd = openSync(cfg.file, 'a');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Fenced: the member learnt it was expelled (broker's answer, or its own session clock) and dropped
// its partitions without committing. SOAK_DEBUG=1 prints every SDK log line too.
const logCreator = () => (entry) => {
  if (process.env.SOAK_DEBUG) out({ ev: 'log', level: entry.label, message: entry.log.message });
};
const brook = new Brook({ url: cfg.url, clientId: `soak-member-${process.pid}`, logLevel: process.env.SOAK_DEBUG ? logLevel.DEBUG : logLevel.NOTHING, logCreator, retry: { retries: 30 } });
const consumer = brook.consumer({
  groupId: cfg.groupId,
  sessionTimeout: cfg.sessionTimeout ?? 1500,
  heartbeatInterval: cfg.heartbeatInterval ?? 300,
  onPartitionsAssigned: () => queueMicrotask(owned),
  onPartitionsRevoked: () => queueMicrotask(owned),
  onPartitionsLost: (partitions) => {
    out({ ev: 'fenced', partitions: partitions.length });
    queueMicrotask(owned);
  },
});
function owned() {
  out({ ev: 'owned', partitions: consumer.assignment().length });
}
consumer.on(consumer.events.CRASH, (e) => out({ ev: 'error', message: String(e.payload.error?.message ?? e.payload.error) }));

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  consumer.disconnect().then(
    () => {
      closeSync(fd);
      process.exit(0);
    },
    (e) => {
      out({ ev: 'error', message: String(e?.message ?? e) });
      process.exit(1);
    },
  );
});

const atMostOnce = cfg.mode === 'at-most-once';
try {
  await consumer.connect();
  await consumer.subscribe({ topics: [cfg.topic], fromBeginning: true });
  await consumer.run({
    deliveryGuarantee: cfg.mode,
    autoCommitInterval: 200,
    eachMessage: async ({ message }) => {
      const line = `${message.value.toString('utf8')}\n`;
      if (atMostOnce) writeSync(fd, line);
      if (cfg.workMs) await sleep(cfg.workMs);
      if (!atMostOnce) writeSync(fd, line);
    },
  });
  out({ ev: 'ready' });
} catch (e) {
  out({ ev: 'error', message: String(e?.message ?? e) });
  process.exit(1);
}
