// Small fakes shared by the consumer's unit tests (committer, reconciler, positions).
import { createLogger, logLevel } from '../../src/logger.js';
import { keyOf, newPartitionState, OwnedPartitions, type PartitionState } from '../../src/consumer/partitions.js';
import type { FetchedMessage } from '../../src/consumer/fetched.js';
import type { KafkaMessage } from '../../src/consumer/types.js';

export const silentLogger = createLogger(logLevel.NOTHING);

/** Owned partitions with the given states; `init` adjusts each new state. */
export function ownedWith(tps: Array<[string, number]>, init: (ps: PartitionState) => void = () => {}): OwnedPartitions {
  const owned = new OwnedPartitions();
  for (const [topic, partition] of tps) {
    const ps = newPartitionState(keyOf(topic, partition));
    init(ps);
    owned.set(ps);
  }
  return owned;
}

export function partition(owned: OwnedPartitions, topic: string, p: number): PartitionState {
  const ps = owned.get(keyOf(topic, p));
  if (!ps) throw new Error(`${topic}-${p} not owned`);
  return ps;
}

/** Buffered messages of `size` bytes each at the given offsets. */
export function messages(offsets: number[], size = 10): FetchedMessage[] {
  return offsets.map((offset) => ({ offset, message: { offset: String(offset), size } as KafkaMessage }));
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: Error): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending callback and timer-free continuation run. */
export function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}
