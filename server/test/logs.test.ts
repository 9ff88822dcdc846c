// The log lines operators read: each event once, with the fields that say what happened.
import { afterEach, expect, it } from 'vitest';
import pino from 'pino';
import { testBroker } from './helpers.js';

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
