// One big consumer group: 1,000 members join one group on a 1,000-partition topic at once (the
// storm), then one more member joins. The members are lightweight protocol-level members in a
// child process (heartbeat-driver.mjs), so the broker process is measured alone; meanwhile an
// SDK producer in this process keeps sending (10 records of 100 B, acks all, back to back with
// 5 ms pauses), and its send latency shows what the group work costs everyone else.
//
// Broker CPU is utime + stime from /proc. Event-loop stalls are measured inside the broker by
// perf_hooks.monitorEventLoopDelay, which prom-client exposes as
// brook_process_nodejs_eventloop_lag_max_seconds on /metrics (the longest delay since the
// previous scrape): this script scrapes once before a phase and once after it. The same figure
// over 5 s with only the producer running, before the storm, is the baseline: on a busy machine
// the kernel's scheduling alone delays the loop by tens of milliseconds.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startChildBroker, client, createTopic, rawConnection, sameAssignment, sleep, fmt, mmm, quantile } from './lib.mjs';

export const id = 'biggroup';
export const title = 'One big group: 1,000 members join at once, then one more';
export const description =
  '1,000 lightweight protocol-level members (one child process, each member on its own WebSocket, joins as fast as the driver can open sockets) ' +
  'join one group subscribed to a 1,000-partition topic; then one more member joins. An SDK producer keeps sending to another topic throughout. ' +
  'Storm: from the first join until every member holds its one partition and ConsumerGroupDescribe says stable (polled every 500 ms); broker CPU over that time. ' +
  'One more: from its join request until every member holds exactly its target (ConsumerGroupDescribe polled every 10 ms), its join round trip, and until the group reports stable ' +
  '(members not moved only pick up the new epoch at their next regular heartbeat, as in Kafka). Longest event-loop stall in the broker per phase ' +
  '(monitorEventLoopDelay), against a baseline of 5 s with only the producer running, and the producer\'s send latency.';

const DRIVER = fileURLToPath(new URL('./heartbeat-driver.mjs', import.meta.url));
const GROUP = 'big';

export function cells({ quick }) {
  const members = quick ? 100 : 1000;
  return [
    {
      key: quick ? 'biggroup/100' : 'biggroup/1000',
      label: `${members.toLocaleString('en')} members on ${members.toLocaleString('en')} partitions, then one more`,
      params: { members, partitions: members },
      run: (ctx) => bigGroupRun(ctx, { members, partitions: members, stormTimeoutMs: quick ? 60_000 : 480_000 }),
    },
  ];
}

/** The broker's longest event-loop delay since the previous scrape, in ms. */
async function loopStallMs(broker) {
  const text = await (await fetch(`${broker.httpUrl}/metrics`)).text();
  const m = /^brook_process_nodejs_eventloop_lag_max_seconds\s+(\S+)/m.exec(text);
  return m ? Number(m[1]) * 1000 : NaN;
}

function driverStats(child) {
  return request(child, { cmd: 'stats' }, 'stats');
}

function request(child, cmd, replyType) {
  return new Promise((resolve, reject) => {
    const onMsg = (m) => {
      if (m.type === replyType || m.type === 'error') {
        child.off('message', onMsg);
        if (m.type === 'error') reject(new Error(`heartbeat driver: ${m.message}`));
        else resolve(m);
      }
    };
    child.on('message', onMsg);
    child.send(cmd);
  });
}

async function bigGroupRun(ctx, { members, partitions, stormTimeoutMs }) {
  const broker = await startChildBroker('brook-bench-biggroup-', ['--group-max-size', String(members + 10)]);
  const raw = rawConnection(broker.url, 'bench-biggroup-watch');
  let driver = null;
  let producing = null;
  let stopProducer = false;
  try {
    const brook = client(broker.url, 'bench-biggroup');
    await createTopic(brook, 'wide', partitions);
    await createTopic(brook, 'load', 4);
    await raw.connect();
    const describe = async () => (await raw.request('ConsumerGroupDescribe', { groupIds: [GROUP] })).groups[0];

    // The producer runs from before the storm to the end.
    const producer = brook.producer();
    await producer.connect();
    const sendMs = [];
    let sendErrors = 0;
    const messages = Array.from({ length: 10 }, () => ({ value: 'x'.repeat(100) }));
    producing = (async () => {
      while (!stopProducer) {
        const t = performance.now();
        try {
          await producer.send({ topic: 'load', acks: -1, messages });
          sendMs.push(performance.now() - t);
        } catch {
          sendErrors++;
        }
        await sleep(5);
      }
      await producer.disconnect();
    })();
    await sleep(1000);
    await loopStallMs(broker);
    await sleep(5000);
    const baselineStallMs = await loopStallMs(broker);
    sendMs.length = 0;

    // The storm.
    driver = fork(DRIVER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await loopStallMs(broker); // starts a fresh window
    const cpu0 = broker.cpuSeconds();
    const t0 = performance.now();
    driver.send({ cmd: 'start', url: broker.url, topic: 'wide', groups: [GROUP], membersPerGroup: members, joinsPerSecond: 100_000 });
    let stormSeconds = null;
    for (;;) {
      await sleep(500);
      const s = await driverStats(driver);
      ctx.progress(s.assigned, members, 'storm');
      if (s.assigned === members) {
        const g = await describe();
        if (g.state === 'stable' && g.members.length === members) {
          stormSeconds = (performance.now() - t0) / 1000;
          break;
        }
      }
      if (performance.now() - t0 > stormTimeoutMs) break;
    }
    const stormCpuSeconds = broker.cpuSeconds() - cpu0;
    const stormStallMs = await loopStallMs(broker);
    const stormSends = sendMs.splice(0).sort((a, b) => a - b);
    const storm = {
      baselineStallMs,
      stormSeconds,
      stormCpuSeconds,
      stormStallMs,
      stormSendP99Ms: quantile(stormSends, 0.99),
      stormSendMaxMs: stormSends.at(-1) ?? NaN,
      stormSettled: stormSeconds === null ? `no: not stable after ${stormTimeoutMs / 1000} s` : 'yes',
    };
    if (stormSeconds === null) return storm;

    // One more member.
    await sleep(1000);
    await loopStallMs(broker);
    const cpu1 = broker.cpuSeconds();
    const t1 = performance.now();
    const joined = request(driver, { cmd: 'start', url: broker.url, topic: 'wide', groups: [GROUP], membersPerGroup: 1, joinsPerSecond: 1000, reportJoined: true }, 'joined');
    let settledAt = null;
    let oneMoreCpuSeconds = null;
    let stableAt = null;
    while (performance.now() - t1 < 30_000) {
      const g = await describe();
      const now = performance.timeOrigin + performance.now();
      if (settledAt === null && g.members.length === members + 1 && g.members.every((m) => sameAssignment(m.assignment, m.targetAssignment))) {
        settledAt = now;
        oneMoreCpuSeconds = broker.cpuSeconds() - cpu1;
      }
      if (g.state === 'stable' && g.members.length === members + 1) {
        stableAt = now;
        break;
      }
      await sleep(settledAt === null ? 10 : 50);
    }
    // From the join request (sent by the driver once its socket is open), not from the fork's command.
    const { joinRttMs, sentAt } = await joined;
    const settledMs = settledAt === null ? null : settledAt - sentAt;
    const stableMs = stableAt === null ? null : stableAt - sentAt;
    const oneMoreStallMs = await loopStallMs(broker);
    const oneMoreSends = sendMs.splice(0).sort((a, b) => a - b);
    return {
      ...storm,
      oneMoreJoinRttMs: joinRttMs,
      oneMoreSettledMs: settledMs,
      oneMoreStableMs: stableMs,
      oneMoreCpuSeconds,
      oneMoreStallMs,
      oneMoreSendMaxMs: oneMoreSends.at(-1) ?? NaN,
      sendErrors,
    };
  } finally {
    stopProducer = true;
    await producing?.catch(() => {});
    if (driver) {
      if (driver.connected) driver.send({ cmd: 'stop' });
      await new Promise((r) => (driver.exitCode !== null ? r() : driver.once('exit', r)));
    }
    await raw.close().catch(() => {});
    await broker.stop();
  }
}

export function summary(f) {
  if (f.stormSeconds === null) return `storm did not settle (broker CPU ${fmt(f.stormCpuSeconds, 1)} s so far)`;
  return `storm: broker CPU ${fmt(f.stormCpuSeconds, 1)} s, stall ${fmt(f.stormStallMs, 0)} ms; one more: settled ${fmt(f.oneMoreSettledMs, 0)} ms, stall ${fmt(f.oneMoreStallMs, 0)} ms`;
}

export function report(rows) {
  const L = [
    '| scenario | baseline stall (producer only), ms | storm: settled after, s | storm: broker CPU, s | storm: longest stall, ms | storm: send p99 / max, ms | one more: join round trip, ms | one more: all at target, ms | one more: reported stable, ms | one more: broker CPU, s | one more: longest stall, ms | one more: send max, ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const f = r.figures;
    L.push(
      `| ${r.label}${r.notes?.stormSettled && r.notes.stormSettled !== 'yes' ? ` (${r.notes.stormSettled})` : ''} | ${mmm(f.baselineStallMs, (x) => fmt(x, 0))} | ${mmm(f.stormSeconds, (x) => fmt(x, 1))} | ${mmm(f.stormCpuSeconds, (x) => fmt(x, 1))} | ${mmm(f.stormStallMs, (x) => fmt(x, 0))} | ${fmt(f.stormSendP99Ms?.median, 1)} / ${fmt(f.stormSendMaxMs?.median, 0)} | ${mmm(f.oneMoreJoinRttMs, (x) => fmt(x, 1))} | ${mmm(f.oneMoreSettledMs, (x) => fmt(x, 0))} | ${mmm(f.oneMoreStableMs, (x) => fmt(x, 0))} | ${mmm(f.oneMoreCpuSeconds, (x) => fmt(x, 2))} | ${mmm(f.oneMoreStallMs, (x) => fmt(x, 0))} | ${fmt(f.oneMoreSendMaxMs?.median, 0)} |`,
    );
  }
  return L.join('\n');
}
