// Rebalance time: a stable group of 10 SDK consumers on 60 partitions; an 11th member joins
// (time from its `run()` until the broker reports the group stable with 11 members and every
// partition owned), then leaves with `disconnect()` (until stable with 10 again). 5 rounds per
// run; a run's figure is the median of its rounds. Also used by `npm run bench:rebalance`.
import { startChildBroker, client, createTopic, rawConnection, sleep, stats, fmt, mmm } from './lib.mjs';

export const id = 'rebalance';
export const title = 'Rebalance';
export const description =
  'A stable group of 10 SDK consumers (heartbeat interval 3 s) on a 60-partition topic. Join: from the 11th member\'s `run()` until ' +
  'ConsumerGroupDescribe shows the group stable with 11 members and all 60 partitions owned; leave: from its `disconnect()` until stable with 10. ' +
  'Median of 5 rounds per run.';

export function cells({ quick }) {
  const rounds = quick ? 2 : 5;
  return [
    {
      key: 'rebalance/10m/60p',
      label: `10 members + 1 joining and leaving, 60 partitions, ${rounds} rounds`,
      params: { members: 10, partitions: 60, rounds },
      run: (ctx) => rebalanceRun(ctx, { rounds }),
    },
  ];
}

export async function rebalanceRun(ctx, { rounds }) {
  const broker = await startChildBroker('brook-bench-rb-');
  const members = [];
  const raw = rawConnection(broker.url, 'bench-rb-watch');
  try {
    const brook = client(broker.url, 'bench-rb');
    await createTopic(brook, 'rb', 60);
    await raw.connect();
    const stable = async (n) => {
      const r = await raw.request('ConsumerGroupDescribe', { groupIds: ['rb-group'] });
      const g = r.groups[0];
      if (g.state !== 'stable' || g.members.length !== n) return false;
      const owned = g.members.reduce((s, m) => s + m.assignment.reduce((x, a) => x + a.partitions.length, 0), 0);
      return owned === 60;
    };
    const waitStable = async (n, timeoutMs = 30_000) => {
      const t0 = performance.now();
      while (!(await stable(n))) {
        if (performance.now() - t0 > timeoutMs) throw new Error(`group not stable with ${n} members after ${timeoutMs} ms`);
        await sleep(1);
      }
    };
    const newMember = async () => {
      const c = brook.consumer({ groupId: 'rb-group', sessionTimeout: 30_000, heartbeatInterval: 3000 });
      await c.connect();
      await c.subscribe({ topics: ['rb'] });
      return c;
    };
    for (let i = 0; i < 10; i++) {
      const c = await newMember();
      await c.run({ eachMessage: async () => {} });
      members.push(c);
      ctx.progress(i + 1, 10, 'forming the group');
    }
    await waitStable(10);
    const joins = [];
    const leaves = [];
    for (let r = 0; r < rounds; r++) {
      const c = await newMember();
      const t0 = performance.now();
      await c.run({ eachMessage: async () => {} });
      await waitStable(11);
      joins.push(performance.now() - t0);
      const t1 = performance.now();
      await c.disconnect();
      await waitStable(10);
      leaves.push(performance.now() - t1);
      ctx.progress(r + 1, rounds, 'join/leave rounds');
    }
    return { joinMs: stats(joins).median, leaveMs: stats(leaves).median, joinMaxMs: Math.max(...joins), leaveMaxMs: Math.max(...leaves) };
  } finally {
    await Promise.all(members.map((c) => c.disconnect().catch(() => {})));
    await raw.close().catch(() => {});
    await broker.stop();
  }
}

export function summary(f) {
  return `join ${f.joinMs.toFixed(0)} ms, leave ${f.leaveMs.toFixed(0)} ms`;
}

export function report(rows) {
  const ms = (x) => fmt(x, 0);
  const L = ['| scenario | join to stable, ms | leave to stable, ms | slowest join / leave of any round, ms |', '| --- | --- | --- | --- |'];
  for (const r of rows) {
    const f = r.figures;
    L.push(`| ${r.label} | ${mmm(f.joinMs, ms)} | ${mmm(f.leaveMs, ms)} | ${ms(f.joinMaxMs?.max)} / ${ms(f.leaveMaxMs?.max)} |`);
  }
  return L.join('\n');
}
