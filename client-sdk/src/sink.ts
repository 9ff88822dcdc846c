/**
 * The idempotent consumer: exactly-once into a system outside Brook (a database, a file, an API
 * with its own transactions). The sink's store keeps its results AND the next offset to read of
 * each partition, written together in ONE transaction of its own. On assignment the consumer
 * starts each partition from the offset in the store, not from the group's committed offset, so
 * a crash between processing and storing replays nothing that was stored and loses nothing that
 * was not. Usage:
 *
 *   await consumer.run(idempotentSink(consumer, store));
 */
import type { Consumer } from './consumer/consumer.js';
import type { ConsumerRunConfig, KafkaMessage, TopicPartition } from './consumer/types.js';

export interface SinkBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  /** The offset to store with the results: the next one to read (last message's + 1). */
  nextOffset: string;
}

export interface SinkStore {
  /** The next offsets the store holds for these partitions (null where it holds none yet). */
  readOffsets(partitions: TopicPartition[]): Promise<Array<TopicPartition & { offset: string | null }>>;
  /** Writes the batch's results and `nextOffset` in one atomic transaction of the store. */
  writeBatch(batch: SinkBatch): Promise<void>;
}

export interface IdempotentSinkOptions {
  /**
   * Also commit to the group (default true), so `brook groups describe` and the lag metrics show
   * progress. The store stays the source of truth: positions always come from it.
   */
  commitToBroker?: boolean;
}

/** A run configuration for `consumer.run` that feeds whole batches to the store. */
export function idempotentSink(consumer: Pick<Consumer, 'seek'>, store: SinkStore, options: IdempotentSinkOptions = {}): ConsumerRunConfig {
  return {
    autoCommit: options.commitToBroker ?? true,
    // Awaited before the partitions are fetched, so the seeks decide where each one starts.
    onPartitionsAssigned: async (partitions) => {
      for (const s of await store.readOffsets(partitions)) {
        if (s.offset !== null) consumer.seek({ topic: s.topic, partition: s.partition, offset: s.offset });
      }
    },
    eachBatch: async ({ batch, resolveOffset, isStale }) => {
      if (batch.isEmpty() || isStale()) return;
      const last = batch.lastOffset();
      await store.writeBatch({ topic: batch.topic, partition: batch.partition, messages: batch.messages, nextOffset: String(Number(last) + 1) });
      resolveOffset(last);
    },
  };
}
