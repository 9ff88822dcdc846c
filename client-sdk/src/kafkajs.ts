/** KafkaJS names that KafkaJS code uses beside the clients: its error class, compression types, partitioners. */
import { BrookError } from '@brook/protocol';
import { BUILTIN_PARTITIONER, type ICustomPartitioner, type PartitionerFn } from './producer/index.js';
import { keyedPartition, StickyPartitioner } from './partitioner.js';
import { toBytes } from './encoding.js';

/** KafkaJS's base error class name, for code that does `instanceof KafkaJSError`. */
export const KafkaJSError = BrookError;
export type KafkaJSError = BrookError;

/**
 * KafkaJS's codec names for a send's `compression`: Kafka's codec ids. Node has all four (zstd
 * through libzstd where its prebuilt binary loads); a browser those it registered (codecs.ts).
 */
export const CompressionTypes = { None: 0, GZIP: 1, Snappy: 2, LZ4: 3, ZSTD: 4 } as const;
export type CompressionTypes = (typeof CompressionTypes)[keyof typeof CompressionTypes];

function builtin(make: () => PartitionerFn): ICustomPartitioner {
  return Object.assign(make, { [BUILTIN_PARTITIONER]: true as const });
}

/**
 * KafkaJS's partitioner choices, accepted as `createPartitioner`. Both mean Brook's default:
 * Kafka's murmur2 for keyed messages (as KafkaJS's DefaultPartitioner) and sticky partitioning
 * for keyless ones; the producer applies them itself. Called directly, they partition like it.
 */
export const Partitioners: {
  DefaultPartitioner: ICustomPartitioner;
  LegacyPartitioner: ICustomPartitioner;
  JavaCompatiblePartitioner: ICustomPartitioner;
} = {
  DefaultPartitioner: builtin(defaultPartitionerFn),
  LegacyPartitioner: builtin(defaultPartitionerFn),
  JavaCompatiblePartitioner: builtin(defaultPartitionerFn),
};

function defaultPartitionerFn(): PartitionerFn {
  const sticky = new StickyPartitioner();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    const key = toBytes(message.key);
    const n = partitionMetadata.length;
    return key !== null ? keyedPartition(key, n) : sticky.partition(topic, n);
  };
}
