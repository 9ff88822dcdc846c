// 1,000 groups of 5 members each, heartbeating at the default interval (3 s), on one broker.
// The members live in two child processes (heartbeat-driver.mjs), each member on its own
// WebSocket, built on the protocol package's encoders. Joins are paced at 1,000 members/s. Once
// every member holds an assignment, nothing changed for 2 s and /api/groups shows all 1,000
// groups stable with 5 members, the broker's CPU (utime + stime from /proc) is measured over a
// 30 s window, then its RSS.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startChildBroker, client, createTopic, procCpuSeconds, sleep, fmt, fmtRate, mmm } from './lib.mjs';

export const id = 'groups';
export const title = '1,000 consumer groups x 5 members';
export const description =
  '5,000 members (1,000 groups of 5, all subscribed to one 5-partition topic, so each member owns one partition) heartbeat every 3 s (the default), ' +
  'each on its own WebSocket, driven by two child processes of lightweight protocol-level members. Broker CPU is utime + stime from /proc over a window ' +
  'that starts once every group is stable (% of one core); the idle broker, before any member joined, is measured over 3 s for comparison.';

const DRIVER = fileURLToPath(new URL('./heartbeat-driver.mjs', import.meta.url));

export function cells({ quick }) {
  const groups = quick ? 200 : 1000;
  const windowSeconds = quick ? 6 : 30;
  return [
    {
      key: quick ? 'groups/200x5' : 'groups/1000x5',
      label: `${groups.toLocaleString('en')} groups x 5 members, ${windowSeconds} s window`,
      params: { groups, members: 5, windowSeconds, heartbeatIntervalMs: 3000 },
      run: (ctx) => groupsRun(ctx, { groups, membersPerGroup: 5, windowSeconds }),
    },
  ];
}

function ask(child, cmd) {
  return new Promise((resolve, reject) => {
    const onMsg = (m) => {
      if (m.type === 'stats') {
        child.off('message', onMsg);
        resolve(m);
      } else if (m.type === 'error') {
        child.off('message', onMsg);
        reject(new Error(`heartbeat driver: ${m.message}`));
      }
    };
    child.on('message', onMsg);
    child.send(cmd);
  });
}

async function allStats(drivers) {
  const xs = await Promise.all(drivers.map((d) => ask(d, { cmd: 'stats' })));
  return {
    members: xs.reduce((n, x) => n + x.members, 0),
    assigned: xs.reduce((n, x) => n + x.assigned, 0),
    open: xs.reduce((n, x) => n + x.open, 0),
    quietMs: Math.min(...xs.map((x) => x.lastChangeAgoMs)),
    heartbeats: xs.reduce((n, x) => n + x.heartbeats, 0),
    errors: xs.reduce((n, x) => n + x.errors, 0),
    rttP50: Math.max(...xs.map((x) => x.rttP50)),
    rttP99: Math.max(...xs.map((x) => x.rttP99)),
  };
}

async function groupsRun(ctx, { groups, membersPerGroup, windowSeconds }) {
  const broker = await startChildBroker('brook-bench-groups-');
  const drivers = [];
  try {
    const brook = client(broker.url, 'bench-groups');
    const topic = 'hb';
    await createTopic(brook, topic, membersPerGroup);
    const c0 = broker.cpuSeconds();
    await sleep(3000);
    const idleCpuPct = ((broker.cpuSeconds() - c0) / 3) * 100;

    const total = groups * membersPerGroup;
    const nDrivers = 2;
    for (let d = 0; d < nDrivers; d++) {
      const child = fork(DRIVER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      drivers.push(child);
    }
    const ids = Array.from({ length: groups }, (_, i) => `hb-${String(i).padStart(4, '0')}`);
    const j0 = performance.now();
    drivers.forEach((child, d) =>
      child.send({ cmd: 'start', url: broker.url, topic, groups: ids.filter((_, i) => i % nDrivers === d), membersPerGroup, joinsPerSecond: 1000 / nDrivers }),
    );
    // Settled: every member has an assignment, nothing changed for 2 s, the broker agrees.
    let joinSeconds = null;
    for (;;) {
      if (performance.now() - j0 > 120_000) throw new Error('the groups did not settle within 120 s');
      await sleep(500);
      const s = await allStats(drivers);
      ctx.progress(s.assigned, total, 'joining');
      if (s.assigned === total && joinSeconds === null) joinSeconds = (performance.now() - j0) / 1000;
      if (s.assigned < total || s.quietMs < 2000) continue;
      const res = await fetch(`${broker.httpUrl}/api/groups`);
      const list = await res.json();
      const stable = list.filter((g) => g.state === 'stable' && g.members === membersPerGroup).length;
      if (stable === groups) break;
    }
    const before = await allStats(drivers);
    const cpu0 = broker.cpuTimes();
    const driverCpu0 = drivers.reduce((n, d) => n + procCpuSeconds(d.pid), 0);
    const w0 = performance.now();
    while (performance.now() - w0 < windowSeconds * 1000) {
      await sleep(500);
      ctx.progress(performance.now() - w0, windowSeconds * 1000, 'measuring');
    }
    const secs = (performance.now() - w0) / 1000;
    const cpu1 = broker.cpuTimes();
    const cpuPct = ((cpu1.user + cpu1.system - cpu0.user - cpu0.system) / secs) * 100;
    const userPct = ((cpu1.user - cpu0.user) / secs) * 100;
    const systemPct = ((cpu1.system - cpu0.system) / secs) * 100;
    const driversCpuPct = ((drivers.reduce((n, d) => n + procCpuSeconds(d.pid), 0) - driverCpu0) / secs) * 100;
    const rssMB = broker.rssBytes() / (1024 * 1024);
    const after = await allStats(drivers);
    return {
      cpuPct,
      userPct,
      systemPct,
      driversCpuPct,
      idleCpuPct,
      rssMB,
      joinSeconds,
      heartbeatsPerSecond: (after.heartbeats - before.heartbeats) / secs,
      hbRttP50: after.rttP50,
      hbRttP99: after.rttP99,
      errors: after.errors,
      members: after.open,
    };
  } finally {
    for (const d of drivers) {
      if (d.connected) d.send({ cmd: 'stop' });
      await new Promise((r) => (d.exitCode !== null ? r() : d.once('exit', r)));
    }
    await broker.stop();
  }
}

export function summary(f) {
  return `broker CPU ${f.cpuPct.toFixed(1)}% of a core, RSS ${f.rssMB.toFixed(0)} MB, ${f.heartbeatsPerSecond.toFixed(0)} heartbeats/s`;
}

export function report(rows) {
  const L = [
    '| scenario | broker CPU, % of one core | of which user / kernel | idle broker CPU, % | broker RSS, MB | heartbeats/s | heartbeat RTT p50 / p99, ms | all joined after, s | member errors | the 2 driver processes, % CPU |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const f = r.figures;
    L.push(
      `| ${r.label} | ${mmm(f.cpuPct, (x) => fmt(x, 1))} | ${fmt(f.userPct?.median, 1)} / ${fmt(f.systemPct?.median, 1)} | ${fmt(f.idleCpuPct?.median, 1)} | ${mmm(f.rssMB, (x) => fmt(x, 0))} | ${fmt(f.heartbeatsPerSecond?.median, 0)} | ${fmt(f.hbRttP50?.median, 2)} / ${fmt(f.hbRttP99?.median, 2)} | ${mmm(f.joinSeconds, (x) => fmt(x, 1))} | ${fmtRate(f.errors?.median)} | ${fmt(f.driversCpuPct?.median, 0)} |`,
    );
  }
  return L.join('\n');
}
