// A broker restart does not reset consumer groups: the group is restored from
// __consumer_offsets and connected members carry on with their partitions and epochs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startBroker } from '@brook/server';
import { Brook, logLevel } from '../src/index.js';

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('members keep their partitions across a broker restart and keep consuming', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'brook-restart-'));
  let broker = await startBroker({ port: 0, dataDir, logLevel: 'silent', groupMinSessionTimeoutMs: 1000 });
  const port = broker.port;
  const brook = new Brook({ url: broker.url, clientId: 'restart-test', logLevel: logLevel.NOTHING, retry: { retries: 10 } });
  const admin = brook.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'r', numPartitions: 4 }] });
  const producer = brook.producer();
  await producer.connect();
  const seen: string[] = [];
  const consumers = [0, 1].map(() => brook.consumer({ groupId: 'rg', sessionTimeout: 10_000, heartbeatInterval: 300 }));
  for (const c of consumers) {
    await c.connect();
    await c.subscribe({ topics: ['r'], fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  }
  const describe = async () => (await admin.describeGroups(['rg'])).groups[0]!;
  await until('stable 2/2', async () => {
    const g = await describe();
    return g.state === 'stable' && g.members.every((m) => m.assignment.reduce((s, a) => s + a.partitions.length, 0) === 2);
  });
  await producer.send({ topic: 'r', messages: Array.from({ length: 40 }, (_, i) => ({ value: `before-${i}`, partition: i % 4 })) });
  await until('first messages consumed', () => seen.length === 40);
  const before = await describe();

  await broker.close();
  broker = await startBroker({ port, dataDir, logLevel: 'silent', groupMinSessionTimeoutMs: 1000 });

  await producer.send({ topic: 'r', messages: Array.from({ length: 40 }, (_, i) => ({ value: `after-${i}`, partition: i % 4 })) });
  await until('messages after the restart consumed', () => seen.length === 80);
  const after = await describe();
  // Same members, same epochs, same partitions: the restart caused no rebalance.
  const view = (g: typeof before) =>
    g.members.map((m) => ({ memberId: m.memberId, assignment: m.assignment })).sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
  expect(view(after)).toEqual(view(before));
  expect(after.groupEpoch).toBe(before.groupEpoch);
  expect(new Set(seen).size).toBe(80);

  for (const c of consumers) await c.disconnect();
  await producer.disconnect();
  await admin.disconnect();
  await broker.close();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);
