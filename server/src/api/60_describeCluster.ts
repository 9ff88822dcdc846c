// DescribeCluster: the cluster id and its one broker (the Kafka listener's endpoint).
import type { BrokerContext, ServerHandler } from './types.js';
import { NODE_ID } from '../services/cluster.js';

export interface DescribeClusterResponse {
  clusterId: string;
  controllerId: number;
  brokers: Array<{ brokerId: number; host: string; port: number }>;
}

export function describeCluster(ctx: BrokerContext): ServerHandler<Record<string, never>, DescribeClusterResponse> {
  return async () => {
    const at = ctx.cluster.kafkaEndpoint;
    return { clusterId: ctx.cluster.clusterId, controllerId: NODE_ID, brokers: at ? [{ brokerId: NODE_ID, host: at.host, port: at.port }] : [] };
  };
}
