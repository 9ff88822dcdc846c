/**
 * What producers, consumers and admin clients talk to: a `Cluster`. They send Brook's request
 * shapes (the WebSocket protocol's messages) and get Brook's response shapes back, and the
 * cluster sends each request where it belongs:
 *
 * - to the leader of each topic-partition (Produce, Fetch, ListOffsets: split per leader, the
 *   answers merged),
 * - to the coordinator of a group (heartbeats, commits, offsets, describe) or of a transactional
 *   id (InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn),
 * - to any broker (Metadata, CreateTopics, ...), or to every broker (ListGroups).
 *
 * Over WebSocket (transport/ws.ts) the cluster is one Brook broker and every answer is "that
 * one"; over Kafka's protocol (transport/kafka.ts, Node only) it is the real thing. The logic
 * above it (batching, idempotence, reconciliation, commits, transactions) is written once.
 */
import type { ApiName, HeartbeatNowPush, RequestOf, ResponseOf } from '@brook/protocol';

/**
 * Kafka needs these before a transaction writes to a partition or commits a group's offsets; a
 * Brook broker does both implicitly on its WebSocket door, so there they are answered locally.
 */
export interface AddPartitionsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  topics: Array<{ topic: string; partitions: number[] }>;
}

export interface AddPartitionsToTxnResponse {
  topics: Array<{ topic: string; partitions: Array<{ partition: number; errorCode: number }> }>;
}

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}

/** CreateTopics with a replication factor per topic (Kafka clusters use it; a Brook broker has one replica). */
export type CreateTopicsRequest = Omit<RequestOf<'CreateTopics'>, 'topics'> & {
  topics: Array<RequestOf<'CreateTopics'>['topics'][number] & { replicationFactor?: number }>;
};

type BrookApis = { [N in Exclude<ApiName, 'Handshake' | 'CreateTopics'>]: { request: RequestOf<N>; response: ResponseOf<N> } };

export type ClusterApis = BrookApis & {
  CreateTopics: { request: CreateTopicsRequest; response: ResponseOf<'CreateTopics'> };
  AddPartitionsToTxn: { request: AddPartitionsToTxnRequest; response: AddPartitionsToTxnResponse };
  AddOffsetsToTxn: { request: AddOffsetsToTxnRequest; response: Record<string, never> };
};

export type ClusterApiName = keyof ClusterApis;
export type ClusterRequestOf<N extends ClusterApiName> = ClusterApis[N]['request'];
export type ClusterResponseOf<N extends ClusterApiName> = ClusterApis[N]['response'];

export interface RequestOptions {
  /** Overrides the client's request timeout (long polls, heartbeats). */
  timeoutMs?: number;
}

/** Size limits the producer builds its batches and requests under (null: the SDK's defaults). */
export interface ClusterLimits {
  /** The broker's default max.message.bytes. */
  maxMessageBytes: number | null;
  /** The largest request frame the broker takes. */
  maxFrameBytes: number | null;
  /** Kafka takes exactly one record batch per partition in a Produce request; Brook takes several. */
  oneBatchPerPartition: boolean;
}

export interface Cluster {
  /** Connects (with retries) to the broker or, for Kafka, bootstraps: versions, metadata. */
  connect(): Promise<void>;
  close(): Promise<void>;
  readonly isConnected: boolean;
  readonly limits: ClusterLimits;
  /** Bytes written but not yet sent on the sockets (acks 0 backpressure). */
  readonly bufferedAmount: number;
  /**
   * Sends a request where it belongs (see the file comment) and answers in Brook's shape. A
   * request-level error rejects with a BrookError; per-partition errors stay in the answer.
   */
  request<N extends ClusterApiName>(name: N, body: ClusterRequestOf<N>, opts?: RequestOptions): Promise<ClusterResponseOf<N>>;
  /** Produce with acks 0: sent to the leaders, nothing comes back. */
  sendOnly(name: 'Produce', body: RequestOf<'Produce'>): Promise<void>;
  /**
   * The node that leads a partition as far as the cluster knows now (-1 if it does not know yet):
   * the consumer runs one fetch per node so a long poll on one broker never holds back another.
   */
  leaderOf(topic: string, partition: number): number;
  /** Brokers known: with more than one, a broker may answer "unknown topic" for a topic just created elsewhere. */
  readonly brokerCount: number;
}

/** What a consumer hears from its connection besides answers. */
export interface ClusterHooks {
  /** Brook's WebSocket push: the member's assignment changed, heartbeat now. Kafka has none. */
  onHeartbeatNow?: (push: HeartbeatNowPush) => void;
  /** After a reconnect (not the first connect). */
  onReconnect?: () => void;
}
