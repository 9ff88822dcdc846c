#!/usr/bin/env node
// npm run bench:rebalance: time from a member joining (or leaving gracefully) a stable group of
// 10 members on 60 partitions until the broker reports the group stable again, with every
// partition owned. Broker in a child process; members are SDK consumers in this process.
import { startChildBroker } from './lib/broker.mjs';
import { Brook, logLevel } from '../client-sdk/dist/index.js';
import { Connection } from '../client-sdk/dist/connection.js';
import { createLogger } from '../client-sdk/dist/logger.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const broker = await startChildBroker('brook-bench-rb-');
const url = broker.url;
const brook = new Brook({ url, clientId: 'bench-rb', logLevel: logLevel.NOTHING });
const admin = brook.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: 'rb', numPartitions: 60 }] });
const raw = new Connection({ url, clientId: 'bench-rb-watch', logger: createLogger(logLevel.NOTHING) });
await raw.connect();

async function stable(n) {
  const r = await raw.request('ConsumerGroupDescribe', { groupIds: ['rb-group'] });
  const g = r.groups[0];
  if (g.state !== 'stable' || g.members.length !== n) return false;
  const owned = g.members.reduce((s, m) => s + m.assignment.reduce((x, a) => x + a.partitions.length, 0), 0);
  return owned === 60;
}

async function waitStable(n, timeoutMs = 30_000) {
  const t0 = performance.now();
  while (!(await stable(n))) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`group not stable with ${n} members after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 1));
  }
  return performance.now() - t0;
}

async function newMember() {
  const c = brook.consumer({ groupId: 'rb-group', sessionTimeout: 30_000, heartbeatInterval: 3000 });
  await c.connect();
  await c.subscribe({ topics: ['rb'] });
  return c;
}

const members = [];
for (let i = 0; i < 10; i++) {
  const c = await newMember();
  await c.run({ eachMessage: async () => {} });
  members.push(c);
}
await waitStable(10);

const joins = [];
const leaves = [];
for (let r = 0; r < ROUNDS; r++) {
  const c = await newMember();
  const t0 = performance.now();
  await c.run({ eachMessage: async () => {} });
  await waitStable(11);
  joins.push(performance.now() - t0);
  const t1 = performance.now();
  await c.disconnect();
  await waitStable(10);
  leaves.push(performance.now() - t1);
}

const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `${med(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;
console.log(`\nRebalance, 10 members on 60 partitions, heartbeat interval 3000 ms, ${ROUNDS} rounds (median):`);
console.log(`| event | join/leave to stable |\n| --- | --- |\n| 11th member joins | ${fmt(joins)} |\n| it leaves (disconnect) | ${fmt(leaves)} |`);

for (const c of members) await c.disconnect();
await admin.disconnect();
await raw.close();
await broker.stop();
