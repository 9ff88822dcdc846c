// Rebalance time: a stable group of 10 SDK consumers on 60 partitions; an 11th member joins
// (time from its `run()` until every member holds exactly its target and every partition is
// owned, with 11 members), then leaves with `disconnect()` (the same, with 10 again). 5 rounds per
// run; a run's figure is the median of its rounds. Also used by `npm run bench:rebalance`.
// "Reported stable" (every member at the group's epoch) comes later, as in Kafka: a member whose
// target did not change is not told and picks the new epoch up at its next heartbeat (3 s).
import { startChildBroker, client, createTopic, rawConnection, sameAssignment, sleep, stats, fmt, mmm } from './lib.mjs';

export const id = 'rebalance';
export const title = 'Rebalance';
export const description =
  'A stable group of 10 SDK consumers (heartbeat interval 3 s) on a 60-partition topic. Join: from the 11th member\'s `run()` until ' +
  'ConsumerGroupDescribe shows 11 members, each holding exactly its target, and all 60 partitions owned; leave: from its `disconnect()` until the same with 10. ' +
  'Members whose target did not change report the new epoch at their next heartbeat (as in Kafka), so the group is *reported* stable up to 3 s later; that time is shown apart. ' +
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
    /** 'settled': n members, each holding exactly its target, all 60 owned; 'stable': as the broker reports it. */
    const reached = async (n, what) => {
      const r = await raw.request('ConsumerGroupDescribe', { groupIds: ['rb-group'] });
      const g = r.groups[0];
      if (g.members.length !== n) return false;
      if (what === 'stable' && g.state !== 'stable') return false;
      const owned = g.members.reduce((s, m) => s + m.assignment.reduce((x, a) => x + a.partitions.length, 0), 0);
      return owned === 60 && g.members.every((m) => sameAssignment(m.assignment, m.targetAssignment));
    };
    const waitFor = async (n, what, timeoutMs = 30_000) => {
      const t0 = performance.now();
      while (!(await reached(n, what))) {
        if (performance.now() - t0 > timeoutMs) throw new Error(`group not ${what} with ${n} members after ${timeoutMs} ms`);
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
    await waitFor(10, 'stable');
    const joins = [];
    const leaves = [];
    const joinsStable = [];
    for (let r = 0; r < rounds; r++) {
      const c = await newMember();
      const t0 = performance.now();
      await c.run({ eachMessage: async () => {} });
      await waitFor(11, 'settled');
      joins.push(performance.now() - t0);
      await waitFor(11, 'stable');
      joinsStable.push(performance.now() - t0);
      const t1 = performance.now();
      await c.disconnect();
      await waitFor(10, 'settled');
      leaves.push(performance.now() - t1);
      await waitFor(10, 'stable'); // the next round starts from a group reported stable
      ctx.progress(r + 1, rounds, 'join/leave rounds');
    }
    return {
      joinMs: stats(joins).median,
      leaveMs: stats(leaves).median,
      joinMaxMs: Math.max(...joins),
      leaveMaxMs: Math.max(...leaves),
      joinStableMs: stats(joinsStable).median,
    };
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
  const L = ['| scenario | join: all at target, ms | leave: all at target, ms | slowest join / leave of any round, ms | join: reported stable, ms |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    const f = r.figures;
    L.push(`| ${r.label} | ${mmm(f.joinMs, ms)} | ${mmm(f.leaveMs, ms)} | ${ms(f.joinMaxMs?.max)} / ${ms(f.leaveMaxMs?.max)} | ${f.joinStableMs ? mmm(f.joinStableMs, ms) : '-'} |`);
  }
  return L.join('\n');
}
