/**
 * Records and metadata: Produce, Fetch and ListOffsets go to each partition's leader (the cluster
 * splits and merges); Metadata to any broker. Versions stop before topic ids replace names
 * (Produce 13, Fetch 13) and before transactions v2 (Produce 12, KIP-890): this client adds a
 * transaction's partitions itself with AddPartitionsToTxn, which every Kafka 4.x broker serves.
 */
import { BrookError, ErrorCode } from '@brook/protocol';
import { EMPTY, type ApiMapping } from './types.js';

const READ_UNCOMMITTED = 0;

export const produce: ApiMapping<'Produce', 'Produce'> = {
  kafka: 'Produce',
  maxVersion: 11,
  route: () => ({ kind: 'leaders' }),
  toKafka: (b) => ({
    transactionalId: b.transactionalId,
    acks: b.acks,
    timeoutMs: b.timeoutMs,
    topicData: b.topics.map((t) => ({ name: t.topic, partitionData: t.partitions.map((p) => ({ index: p.partition, records: p.records })) })),
  }),
  fromKafka: (res) => ({
    topics: res.responses.map((t) => ({
      topic: t.name,
      partitions: t.partitionResponses.map((p) => ({
        partition: p.index,
        errorCode: p.errorCode,
        errorMessage: p.errorMessage,
        baseOffset: p.baseOffset,
        logStartOffset: p.logStartOffset,
      })),
    })),
  }),
};

export const fetch: ApiMapping<'Fetch', 'Fetch'> = {
  kafka: 'Fetch',
  maxVersion: 12,
  route: () => ({ kind: 'leaders' }),
  // Sessionless full fetches (session id 0, epoch -1), as Brook's Fetch is.
  toKafka: (b) => ({
    replicaId: -1,
    maxWaitMs: b.maxWaitMs,
    minBytes: b.minBytes,
    maxBytes: b.maxBytes,
    isolationLevel: b.isolationLevel,
    sessionId: 0,
    sessionEpoch: -1,
    topics: b.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes })) })),
  }),
  fromKafka: (res) => {
    if (res.errorCode !== 0) throw new BrookError(res.errorCode, `fetch failed: ${new BrookError(res.errorCode).message}`);
    return {
      topics: res.responses.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          errorMessage: null,
          highWatermark: p.highWatermark,
          lastStableOffset: p.lastStableOffset,
          logStartOffset: p.logStartOffset,
          abortedTransactions: p.abortedTransactions ?? [],
          records: p.records ?? EMPTY,
        })),
      })),
    };
  },
};

export const listOffsets: ApiMapping<'ListOffsets', 'ListOffsets'> = {
  kafka: 'ListOffsets',
  route: () => ({ kind: 'leaders' }),
  toKafka: (b) => ({
    replicaId: -1,
    isolationLevel: b.isolationLevel ?? READ_UNCOMMITTED,
    topics: b.topics.map((t) => ({ name: t.topic, partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, timestamp: p.timestamp })) })),
  }),
  fromKafka: (res) => ({
    topics: res.topics.map((t) => ({
      topic: t.name,
      partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, errorCode: p.errorCode, errorMessage: null, timestamp: p.timestamp, offset: p.offset })),
    })),
  }),
};

export const metadata: ApiMapping<'Metadata', 'Metadata'> = {
  kafka: 'Metadata',
  route: () => ({ kind: 'any' }),
  // Brook's SDK never creates topics by asking about them (an unknown topic is an error).
  toKafka: (b) => ({ topics: b.topics === null ? null : b.topics.map((name) => ({ name })), allowAutoTopicCreation: false }),
  fromKafka: (res) => {
    if (res.errorCode !== 0) throw new BrookError(res.errorCode);
    return {
      topics: res.topics.map((t) => ({
        errorCode: t.errorCode,
        errorMessage: null,
        name: t.name ?? '',
        internal: t.isInternal,
        numPartitions: t.partitions.length,
      })),
    };
  },
};

/** Brook's answer for a partition the cluster could not send anywhere (no leader known). */
export function unroutedPartition(api: 'Produce' | 'Fetch' | 'ListOffsets', partition: number, errorCode: number): Record<string, unknown> {
  const errorMessage = `no leader known for this partition (${new BrookError(errorCode).type})`;
  switch (api) {
    case 'Produce':
      return { partition, errorCode, errorMessage, baseOffset: -1, logStartOffset: -1 };
    case 'Fetch':
      return { partition, errorCode, errorMessage, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: [], records: EMPTY };
    case 'ListOffsets':
      return { partition, errorCode, errorMessage, timestamp: -1, offset: -1 };
  }
}

export const NO_LEADER = ErrorCode.LEADER_NOT_AVAILABLE;
