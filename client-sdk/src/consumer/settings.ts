/** Consumer configuration defaults and the settings of one `run()`, resolved once. */
import type { ConsumerConfig, ConsumerRunConfig, DeliveryGuarantee } from './types.js';

export const DEFAULTS = {
  sessionTimeout: 45_000,
  heartbeatInterval: 3_000,
  rebalanceTimeout: 60_000,
  maxWaitTimeInMs: 500,
  minBytes: 1,
  maxBytes: 10 * 1024 * 1024,
  maxBytesPerPartition: 1024 * 1024,
  autoCommitInterval: 5_000,
};

/** The settings of the current `run()`. */
export interface RunState {
  config: ConsumerRunConfig;
  autoCommit: boolean;
  guarantee: DeliveryGuarantee;
  concurrency: number;
  autoCommitInterval: number | null;
  autoCommitThreshold: number | null;
}

export function runStateOf(config: ConsumerRunConfig, guarantee: DeliveryGuarantee): RunState {
  const interval = config.autoCommitInterval === undefined ? DEFAULTS.autoCommitInterval : config.autoCommitInterval;
  return {
    config,
    autoCommit: config.autoCommit ?? true,
    guarantee,
    concurrency: Math.max(1, Math.floor(config.partitionsConsumedConcurrently ?? 1)),
    autoCommitInterval: interval !== null && interval > 0 ? interval : null,
    autoCommitThreshold: config.autoCommitThreshold && config.autoCommitThreshold > 0 ? config.autoCommitThreshold : null,
  };
}

/** Whether the run commits processed offsets by itself (at-least-once auto-commit). */
export function autoCommits(run: RunState | null): boolean {
  return run !== null && run.autoCommit && run.guarantee === 'at-least-once';
}

/** The wire isolation level: 1 read_committed (the default), 0 read_uncommitted. */
export function isolationLevelOf(config: ConsumerConfig): number {
  const level = config.isolationLevel ?? (config.readUncommitted ? 'read_uncommitted' : 'read_committed');
  return level === 'read_committed' ? 1 : 0;
}

export function sessionTimeoutOf(config: ConsumerConfig): number {
  return config.sessionTimeout ?? DEFAULTS.sessionTimeout;
}
