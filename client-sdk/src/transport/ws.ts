/**
 * One Brook broker over WebSocket, as a cluster of one: every request goes to the one
 * connection, every partition's leader and every coordinator is that broker. Node and browsers.
 */
import type { ApiName, RequestOf, ResponseOf } from '@brook/protocol';
import type { Connection } from '../connection.js';
import type { Cluster, ClusterApiName, ClusterLimits, ClusterRequestOf, ClusterResponseOf, RequestOptions } from './types.js';

/** The node id of the one broker (Brook's Kafka door names the same one). */
const BROOK_NODE = 0;

export class WsCluster implements Cluster {
  constructor(readonly connection: Connection) {}

  connect(): Promise<void> {
    return this.connection.connect();
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  get isConnected(): boolean {
    return this.connection.isConnected;
  }

  get limits(): ClusterLimits {
    const hs = this.connection.handshake;
    return { maxMessageBytes: hs?.maxMessageBytes ?? null, maxFrameBytes: hs?.maxFrameBytes ?? null, oneBatchPerPartition: false };
  }

  get bufferedAmount(): number {
    return this.connection.bufferedAmount;
  }

  async request<N extends ClusterApiName>(name: N, body: ClusterRequestOf<N>, opts?: RequestOptions): Promise<ClusterResponseOf<N>> {
    // The broker adds a transaction's partitions and group itself when it sees them.
    if (name === 'AddPartitionsToTxn') {
      const req = body as ClusterRequestOf<'AddPartitionsToTxn'>;
      const added: ClusterResponseOf<'AddPartitionsToTxn'> = { topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((partition) => ({ partition, errorCode: 0 })) })) };
      return added as ClusterResponseOf<N>;
    }
    if (name === 'AddOffsetsToTxn') return {} as ClusterResponseOf<N>;
    // The codec writes the fields of Brook's messages only (a replication factor is dropped).
    const res = await this.connection.request(name as ApiName, body as RequestOf<ApiName>, opts);
    return res as ResponseOf<ApiName> as ClusterResponseOf<N>;
  }

  sendOnly(name: 'Produce', body: RequestOf<'Produce'>): Promise<void> {
    return this.connection.sendOnly(name, body);
  }

  leaderOf(): number {
    return BROOK_NODE;
  }

  get brokerCount(): number {
    return 1;
  }
}
