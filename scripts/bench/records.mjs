// 1M records: a broker writes 1,000,000 records of 100 B (10 partitions) and 100,000 commit
// records (10,000 OffsetCommits of 10 partitions, 100 groups); then it is restarted on the same
// data (start-up time: spawn to listening, wall clock, plus the broker's own logged figure),
// and every record is read back. Broker RSS after writing, after the restart, after reading.
import { startChildBroker, client, createTopic, rawConnection, fetchAll, sleep, fmt, fmtRate, mmm } from './lib.mjs';

export const id = 'records';
export const title = '1M records: memory and recovery';
export const description =
  'One broker takes 1,000,000 records of 100 B (10 partitions, acks 1) and 100,000 commit records, is stopped (SIGTERM) and started again on the same data. ' +
  'Start-up is the wall-clock time from spawning the process to its "listening" log line (the broker\'s own figure, storage open to listening, beside it). ' +
  'RSS (from /proc) 1 s after writing, 1 s after the restart, and 1 s after reading all records back with Fetch.';

export function cells({ quick }) {
  const records = quick ? 200_000 : 1_000_000;
  const commits = quick ? 20_000 : 100_000;
  return [
    {
      key: quick ? 'records/200k' : 'records/1M',
      label: `${records.toLocaleString('en')} records, ${commits.toLocaleString('en')} commit records`,
      params: { records, commits },
      run: (ctx) => recordsRun(ctx, { records, commits }),
    },
  ];
}

const MB = 1024 * 1024;

async function recordsRun(ctx, { records, commits }) {
  let broker = await startChildBroker('brook-bench-records-');
  const dataDir = broker.dataDir;
  try {
    const brook = client(broker.url, 'bench-records');
    await createTopic(brook, 'recovery', 10);
    const producer = brook.producer();
    await producer.connect();
    const value = 'x'.repeat(100);
    const messages = Array.from({ length: 500 }, () => ({ value }));
    let sent = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (sent < records) {
          sent += 500;
          await producer.send({ topic: 'recovery', acks: 1, messages });
          ctx.progress(sent, records, 'writing records');
        }
      }),
    );
    const writeSeconds = (performance.now() - t0) / 1000;
    await producer.disconnect();
    const conn = rawConnection(broker.url, 'bench-records-commits');
    await conn.connect();
    const inFlight = [];
    for (let i = 0; i < commits; i += 10) {
      inFlight.push(
        conn.request('OffsetCommit', {
          groupId: `g${(i / 10) % 100}`,
          memberId: null,
          memberEpoch: -1,
          topics: [{ topic: 'recovery', partitions: Array.from({ length: 10 }, (_, p) => ({ partition: p, offset: i, metadata: null })) }],
        }),
      );
      if (inFlight.length >= 64) {
        await Promise.all(inFlight.splice(0));
        ctx.progress(i, commits, 'committing');
      }
    }
    await Promise.all(inFlight);
    await conn.close();
    await sleep(1000);
    const rssAfterWriteMB = broker.rssBytes() / MB;

    broker.proc.kill('SIGTERM');
    await broker.exited;
    const s0 = performance.now();
    broker = await startChildBroker('brook-bench-records-', [], { dataDir });
    const startupMs = performance.now() - s0;
    const loggedStartupMs = broker.startupMs;
    await sleep(1000);
    const rssAfterRestartMB = broker.rssBytes() / MB;

    const read = await fetchAll(broker.url, 'recovery', 10, sent, { onProgress: (d, t) => ctx.progress(d, t, 'reading back') });
    await sleep(1000);
    const rssAfterReadMB = broker.rssBytes() / MB;
    return { startupMs, loggedStartupMs, rssAfterWriteMB, rssAfterRestartMB, rssAfterReadMB, writeMsgs: sent / writeSeconds, readMsgs: read.msgs };
  } finally {
    await broker.stop();
  }
}

export function summary(f) {
  return `start-up ${f.startupMs.toFixed(0)} ms, RSS ${f.rssAfterWriteMB.toFixed(0)} / ${f.rssAfterRestartMB.toFixed(0)} / ${f.rssAfterReadMB.toFixed(0)} MB`;
}

export function report(rows) {
  const ms = (x) => fmt(x, 0);
  const L = [
    '| scenario | start-up, ms (wall) | start-up, ms (broker log) | RSS after writing, MB | RSS after restart, MB | RSS after reading all, MB | write / read msg/s |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const f = r.figures;
    L.push(
      `| ${r.label} | ${mmm(f.startupMs, ms)} | ${mmm(f.loggedStartupMs, ms)} | ${mmm(f.rssAfterWriteMB, ms)} | ${mmm(f.rssAfterRestartMB, ms)} | ${mmm(f.rssAfterReadMB, ms)} | ${fmtRate(f.writeMsgs?.median)} / ${fmtRate(f.readMsgs?.median)} |`,
    );
  }
  return L.join('\n');
}
