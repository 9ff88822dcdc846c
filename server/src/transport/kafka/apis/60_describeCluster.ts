// DescribeCluster: the cluster id and its one broker, which is also the controller.
import type { KafkaAdapter } from '../types.js';

export const describeCluster: KafkaAdapter<'DescribeCluster'> = {
  async handle(_body, rc) {
    const res = await rc.handlers.DescribeCluster({}, rc.conn);
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      endpointType: 1,
      clusterId: res.clusterId,
      controllerId: res.controllerId,
      brokers: res.brokers.map((b) => ({ ...b, rack: null, isFenced: false })),
      clusterAuthorizedOperations: -2147483648,
    };
  },
};
