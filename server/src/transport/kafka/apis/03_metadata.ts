// Metadata: the shared handler says which topics exist (and which the principal may see); this
// adds what Kafka clients need around it: the one broker (leader and only replica of every
// partition), the cluster id, topic ids. Auto-creation follows Kafka's auto.create.topics.enable,
// which Brook leaves off unless the broker is started with autoCreateTopics.
import { ErrorCode } from '@brook/protocol';
import { allowed } from '../../../api/acl.js';
import { NODE_ID } from '../../../services/cluster.js';
import { kafkaCode, KafkaError } from '../errors.js';
import type { KafkaAdapter, KafkaRequestContext, KafkaResponseOf } from '../types.js';
import { ZERO_UUID, topicIdOf } from './topics.js';

type Topic = KafkaResponseOf<'Metadata'>['topics'][number];
const NOT_REQUESTED = -2147483648;

export const metadata: KafkaAdapter<'Metadata'> = {
  async handle(body, rc) {
    const { ctx, version } = rc;
    // v0: an empty list means every topic; v1+: null does.
    const all = body.topics === null || (version === 0 && body.topics.length === 0);
    const unknownIds: Topic[] = [];
    const names: string[] = [];
    for (const t of all ? [] : body.topics!) {
      const name = t.name ?? ctx.cluster.topicNameOf(t.topicId);
      if (name !== null) names.push(name);
      else unknownIds.push(topicError(KafkaError.UNKNOWN_TOPIC_ID, null, t.topicId));
    }
    if (ctx.options.autoCreateTopics && (version < 4 || body.allowAutoTopicCreation)) await autoCreate(rc, names);
    const res = (await rc.handlers.Metadata({ topics: all ? null : names }, rc.conn))!; // only Produce answers null
    const endpoint = ctx.cluster.kafkaEndpoint;
    const topics: Topic[] = res.topics.map((t) => {
      if (t.errorCode !== 0) return topicError(kafkaCode(t.errorCode), t.name, ZERO_UUID);
      const partitions = Array.from({ length: t.numPartitions }, (_, p) => ({
        errorCode: 0,
        partitionIndex: p,
        leaderId: NODE_ID,
        leaderEpoch: -1,
        replicaNodes: [NODE_ID],
        isrNodes: [NODE_ID],
        offlineReplicas: [],
      }));
      return { errorCode: 0, name: t.name, topicId: topicIdOf(ctx, t.name), isInternal: t.internal, partitions, topicAuthorizedOperations: NOT_REQUESTED };
    });
    return {
      throttleTimeMs: 0,
      brokers: endpoint ? [{ nodeId: NODE_ID, host: endpoint.host, port: endpoint.port, rack: null }] : [],
      clusterId: ctx.cluster.clusterId,
      controllerId: NODE_ID,
      topics: [...topics, ...unknownIds],
      clusterAuthorizedOperations: NOT_REQUESTED,
      errorCode: 0,
    };
  },
};

function topicError(errorCode: number, name: string | null, topicId: string): Topic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: NOT_REQUESTED };
}

/** Creates the unknown topics a client may create (cluster admin, as CreateTopics needs). */
async function autoCreate(rc: KafkaRequestContext, names: string[]): Promise<void> {
  const { ctx, conn } = rc;
  for (const name of names) {
    if (ctx.topics.get(name) || !allowed(ctx, conn, 'cluster', '', 'admin')) continue;
    try {
      await ctx.topics.create(name, ctx.options.autoCreateTopicPartitions);
    } catch (e) {
      // A concurrent create won, or the name is invalid: the handler's answer says which.
      if (!(e instanceof Error) || !('code' in e) || e.code !== ErrorCode.TOPIC_ALREADY_EXISTS) ctx.logger.debug({ topic: name, err: (e as Error).message }, 'auto-create failed');
    }
  }
}
