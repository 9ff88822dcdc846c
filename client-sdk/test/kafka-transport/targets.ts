// The SDK's transports as test targets: one Brook broker reached over its WebSocket (`url`) or
// over its Kafka port (`brokers`), with the same producer, consumer and admin code on top.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '@brook/server';
import { Brook, logLevel, type BrookConfig } from '../../src/index.js';

export type TransportName = 'websocket' | 'kafka';
export const TRANSPORTS: TransportName[] = ['websocket', 'kafka'];

export interface Target {
  readonly transport: TransportName;
  readonly broker: Broker;
  /** A client of this target (extra settings such as sasl on top). */
  client(extra?: Partial<BrookConfig>): Brook;
  stop(): Promise<void>;
}

export async function startTarget(transport: TransportName, options: Partial<Parameters<typeof startBroker>[0]> = {}): Promise<Target> {
  const dataDir = await mkdtemp(join(tmpdir(), 'brook-transport-test-'));
  // Short group timings: over Kafka a member heartbeats on the broker's interval (no push).
  const broker = await startBroker({ port: 0, kafkaPort: 0, dataDir, logLevel: 'silent', groupMinSessionTimeoutMs: 1000, groupHeartbeatIntervalMs: 250, ...options });
  const address = transport === 'kafka' ? { brokers: [broker.kafkaAddress!] } : { url: broker.url };
  return {
    transport,
    broker,
    client: (extra = {}) => new Brook({ ...address, clientId: `transport-${transport}`, logLevel: logLevel.NOTHING, ...extra }),
    async stop() {
      await broker.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));
