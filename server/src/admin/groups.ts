/** Admin routes for consumer groups: the view Kafka UIs show (owner, committed, end, lag per partition). */
import type { FastifyInstance } from 'fastify';
import { BrookError, ErrorCode } from '@brook/protocol';
import type { BrokerContext } from '../api/types.js';
import { deleteGroup, deleteOffsets, describeGroup, groupHasMembers, groupLagRows, groupSubscribesTo, listAllGroups } from '../services/groups.js';
import { commitWhileEmpty } from '../services/offsetCommits.js';
import { HttpError } from './errors.js';
import { errorSchema, groupDescription, groupParams, offsetResetBody, offsetResetResult, topicName } from './schemas.js';
import { mustTopic } from './topics.js';
import { viewerOf } from './access.js';

export async function groupRoutes(app: FastifyInstance, { ctx }: { ctx: BrokerContext }): Promise<void> {
  /** A group's lag rows, without the topics the caller may not describe. */
  const lagRowsFor = (groupId: string, describesTopic: (t: string) => boolean) => groupLagRows(ctx, groupId).filter((r) => describesTopic(r.topic));
  const totalLag = (rows: ReadonlyArray<{ lag: string | null }>) => String(rows.reduce((s, r) => s + (r.lag === null ? 0 : Number(r.lag)), 0));

  app.get('/api/groups', {
    schema: {
      tags: ['groups'],
      summary: 'List consumer groups (those the caller may describe; empty groups with committed offsets too)',
      response: {
        200: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              groupId: { type: 'string' },
              state: { type: 'string' },
              members: { type: 'integer' },
              assignor: { type: 'string' },
              protocolType: { type: 'string', description: "Classic groups only: the protocol type their members joined with ('consumer', 'connect', ...)" },
              groupType: { type: 'string', enum: ['classic'], description: 'Present for classic groups (JoinGroup/SyncGroup)' },
              totalLag: { type: 'string', pattern: '^[0-9]+$' },
            },
            required: ['groupId', 'state', 'members', 'totalLag'],
          },
        },
      },
    },
    handler: async (req) => {
      const viewer = viewerOf(ctx, req);
      return listAllGroups(ctx)
        .filter((g) => viewer.describesGroup(g.groupId))
        .map((g) => ({
          ...g,
          assignor: describeGroup(ctx, g.groupId).assignor,
          totalLag: totalLag(lagRowsFor(g.groupId, viewer.describesTopic)),
        }));
    },
  });

  app.get('/api/groups/:group', {
    schema: {
      tags: ['groups'],
      summary: 'Describe a group: state, epochs, members with assignments, per-partition offsets and lag',
      params: groupParams,
      response: { 200: groupDescription, 404: errorSchema },
    },
    handler: async (req) => {
      const { group } = req.params as { group: string };
      const viewer = viewerOf(ctx, req);
      if (!viewer.describesGroup(group)) throw new HttpError(403, 'GROUP_AUTHORIZATION_FAILED', `${viewer.principal?.name ?? 'this principal'} may not describe group ${group}`);
      const g = describeGroup(ctx, group);
      if (g.errorCode !== 0) throw new BrookError(g.errorCode, g.errorMessage ?? `group ${group} does not exist`);
      const offsets = lagRowsFor(group, viewer.describesTopic);
      return {
        groupId: g.groupId,
        state: g.state,
        epoch: g.groupEpoch,
        assignmentEpoch: g.assignmentEpoch,
        assignor: g.assignor,
        ...('protocolType' in g ? { protocolType: g.protocolType } : {}),
        memberCount: g.members.length,
        totalLag: totalLag(offsets),
        members: g.members.map((m) => ({
          memberId: m.memberId,
          instanceId: m.instanceId,
          clientId: m.clientId,
          host: m.clientHost,
          memberEpoch: m.memberEpoch,
          state: m.state,
          subscribedTopics: m.subscribedTopicNames,
          assignment: m.assignment,
          targetAssignment: m.targetAssignment,
        })),
        offsets,
      };
    },
  });

  app.post('/api/groups/:group/offsets/reset', {
    schema: {
      tags: ['groups'],
      summary: "Reset a group's offsets for a topic (refused with 409 while the group has members)",
      params: groupParams,
      body: offsetResetBody,
      response: { 200: offsetResetResult, 404: errorSchema, 409: errorSchema, 503: errorSchema },
    },
    handler: async (req) => {
      const { group } = req.params as { group: string };
      const body = req.body as {
        topic: string;
        to: 'earliest' | 'latest' | { offset: string | number } | { timestamp: string | number } | { shiftBy: string | number };
        partitions?: number[];
        dryRun: boolean;
      };
      if (groupHasMembers(ctx, group)) {
        throw new HttpError(409, 'NON_EMPTY_GROUP', `group ${group} has active members; stop them before resetting offsets`);
      }
      const t = mustTopic(ctx, body.topic);
      const parts = body.partitions ?? t.partitions.map((_, i) => i);
      const entries = [];
      for (const partition of parts) {
        const log = t.partitions[partition];
        if (!log) throw new BrookError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown partition ${body.topic}-${partition}`);
        const start = log.logStartOffset;
        const end = log.highWatermark;
        const prev = ctx.offsets.get(group, body.topic, partition)?.offset ?? null;
        let target: number;
        const to = body.to;
        if (to === 'earliest') target = start;
        else if (to === 'latest') target = end;
        else if ('offset' in to) target = Number(to.offset);
        else if ('shiftBy' in to) target = (prev ?? start) + Number(to.shiftBy);
        else {
          const ts = typeof to.timestamp === 'number' ? to.timestamp : parseDateTime(to.timestamp);
          target = (await log.findOffsetForTimestamp(ts, ctx.batchChecks.seek))?.offset ?? end;
        }
        // Out-of-range targets are clamped to the log, as kafka-consumer-groups.sh does.
        entries.push({ partition, previousOffset: prev, newOffset: Math.min(Math.max(target, start), end) });
      }
      if (!body.dryRun) {
        const committed = await commitWhileEmpty(
          ctx,
          group,
          entries.map((e) => ({ topic: body.topic, partition: e.partition, offset: e.newOffset, metadata: null })),
        );
        if (!committed) throw new HttpError(409, 'NON_EMPTY_GROUP', `group ${group} has active members; stop them before resetting offsets`);
        ctx.logger.info({ groupId: group, topic: body.topic, partitions: entries.length }, 'group offsets reset');
      }
      return {
        groupId: group,
        topic: body.topic,
        dryRun: body.dryRun,
        offsets: entries.map((e) => ({
          partition: e.partition,
          previousOffset: e.previousOffset === null ? null : String(e.previousOffset),
          newOffset: String(e.newOffset),
        })),
      };
    },
  });

  app.delete('/api/groups/:group', {
    schema: {
      tags: ['groups'],
      summary: 'Delete a group and its offsets (409 while it has members)',
      params: groupParams,
      response: { 204: { type: 'null', description: 'Deleted' }, 404: errorSchema, 409: errorSchema, 503: errorSchema },
    },
    handler: async (req, reply) => {
      const { group } = req.params as { group: string };
      const r = await deleteGroup(ctx, group);
      if (r.errorCode === ErrorCode.NON_EMPTY_GROUP) throw new HttpError(409, 'NON_EMPTY_GROUP', r.errorMessage!);
      if (r.errorCode !== 0) throw new BrookError(r.errorCode, r.errorMessage);
      return reply.code(204).send();
    },
  });

  app.delete('/api/groups/:group/offsets', {
    schema: {
      tags: ['groups'],
      summary: "Delete a group's committed offsets for one topic (409 while members subscribe to it)",
      params: groupParams,
      querystring: { type: 'object', required: ['topic'], properties: { topic: topicName } },
      response: { 204: { type: 'null', description: 'Deleted' }, 404: errorSchema, 409: errorSchema, 503: errorSchema },
    },
    handler: async (req, reply) => {
      const { group } = req.params as { group: string };
      const { topic } = req.query as { topic: string };
      const subscribed = () => new HttpError(409, 'GROUP_SUBSCRIBED_TO_TOPIC', `group ${group} is subscribed to ${topic}`);
      if (groupSubscribesTo(ctx, group, topic)) throw subscribed();
      const parts = (await deleteOffsets(ctx, group, [{ topic, partitions: null }])).topics[0]?.partitions ?? [];
      if (parts[0]?.errorCode === ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC) throw subscribed();
      if (parts.length === 0) throw new HttpError(404, 'NOT_FOUND', `group ${group} has no offsets for ${topic}`);
      return reply.code(204).send();
    },
  });
}

/**
 * An RFC 3339 date-time (the schema checked its form) in ms. JavaScript dates have no leap
 * seconds: 23:59:60 is read as the last millisecond of its minute.
 */
function parseDateTime(text: string): number {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? Date.parse(text.replace(/:60(?=[.,zZ+-]|$)/, ':59.999').replace(/(\.999)[.,]\d+/, '$1')) : ms;
}
