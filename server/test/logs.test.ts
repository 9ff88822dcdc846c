// The log lines operators read: each event once, with the fields that say what happened.
import { afterEach, expect, it } from 'vitest';
import pino from 'pino';
import type { TopicPartitions } from '@brook/protocol';
import { RawClient, testBroker } from './helpers.js';

type Line = Record<string, unknown> & { msg: string };

/** A broker whose pino lines are collected in memory. */
async function loggedBroker() {
  const lines: Line[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
  const broker = await testBroker({ logger });
  return { broker, lines, http: (path: string, init?: RequestInit) => fetch(`${broker.httpUrl}${path}`, init) };
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

it('logs a topic creation and a deletion once each, with its partitions', async () => {
  const { broker, lines, http } = await loggedBroker();
  stop = () => broker.stop();
  const created = await http('/api/topics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'logged', partitions: 2 }) });
  expect(created.status).toBe(201);
  expect((await http('/api/topics/logged', { method: 'DELETE' })).status).toBe(204);
  const about = (msg: string) => lines.filter((l) => l.msg === msg && l.topic === 'logged');
  expect(about('topic created')).toEqual([expect.objectContaining({ topic: 'logged', partitions: 2 })]);
  expect(about('topic deleted')).toHaveLength(1);
});

it('logs the partitions an expelled member held as moved in the rebalance that follows', async () => {
  const lines: Line[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
  const broker = await testBroker({ logger, groupMinSessionTimeoutMs: 100 });
  const c = await RawClient.connect(broker.url);
  stop = async () => {
    c.close();
    await broker.stop();
  };
  await c.request('CreateTopics', { topics: [{ name: 'moved', numPartitions: 2, configs: [] }], validateOnly: false });
  const beat = (memberId: string, memberEpoch: number, sessionTimeoutMs: number, topicPartitions: TopicPartitions[] | null) =>
    c.request('ConsumerGroupHeartbeat', {
      groupId: 'expel', memberId, memberEpoch, instanceId: null, rackId: null, rebalanceTimeoutMs: 60_000, sessionTimeoutMs,
      subscribedTopicNames: memberEpoch === 0 ? ['moved'] : null, subscribedTopicRegex: null, serverAssignor: null, topicPartitions,
    });
  // a stays (long session); b joins with a short session, gets a partition, then goes silent.
  let a = await beat('a', 0, 60_000, []);
  const b = await beat('b', 0, 300, []);
  for (let i = 0; i < 5; i++) a = await beat('a', a.memberEpoch, 60_000, a.assignment ?? null);
  const bHeld = await beat('b', b.memberEpoch, 300, []);
  expect(bHeld.assignment?.flatMap((tp) => tp.partitions)).toHaveLength(1);
  const expelled = () => lines.find((l) => l.msg === 'rebalance' && l.groupId === 'expel' && String(l.reason).includes('expelled'));
  await expect.poll(expelled, { timeout: 10_000, interval: 50 }).toBeTruthy();
  expect(expelled()).toMatchObject({ movedCount: 1, moved: ['moved-' + String(bHeld.assignment![0]!.partitions[0])] });
});
