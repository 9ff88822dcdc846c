/** GET /api/broker (the console's overview, for scripts too) and GET /api/whoami. */
import type { FastifyInstance } from 'fastify';
import type { BrokerContext } from '../api/types.js';
import { BROKER_VERSION } from '../config.js';
import { groupLagRows, listAllGroups } from '../services/groups.js';
import { viewerOf } from './access.js';
import { brokerOverview, whoamiSchema } from './schemas.js';
import { sumRates, type Throughput } from './throughput.js';

export interface OverviewOptions {
  ctx: BrokerContext;
  throughput: Throughput;
  /** When the broker started serving (ms since the epoch). */
  startedAt: number;
  listeners: () => { http: number; kafka: number | null };
}

export async function overviewRoutes(app: FastifyInstance, { ctx, throughput, startedAt, listeners }: OverviewOptions): Promise<void> {
  app.get('/api/broker', {
    schema: {
      tags: ['ops'],
      summary: 'The broker at a glance: version, uptime, listeners, totals, live rates, groups by state, the worst lag',
      response: { 200: brokerOverview },
    },
    handler: async (req) => {
      const viewer = viewerOf(ctx, req);
      const topics = ctx.topics.list().filter((t) => viewer.describesTopic(t.name));
      const stats = topics.flatMap((t) => t.partitions.map((log) => log.stats()));
      const rates = throughput.rates();
      const groups = listAllGroups(ctx).filter((g) => viewer.describesGroup(g.groupId));
      const byState: Record<string, number> = {};
      let worstLag: { groupId: string; topic: string; partition: number; lag: string } | null = null;
      for (const g of groups) {
        byState[g.state] = (byState[g.state] ?? 0) + 1;
        for (const row of groupLagRows(ctx, g.groupId)) {
          if (row.lag === null || !viewer.describesTopic(row.topic)) continue;
          if (worstLag === null || Number(row.lag) > Number(worstLag.lag)) worstLag = { groupId: g.groupId, topic: row.topic, partition: row.partition, lag: row.lag };
        }
      }
      return {
        version: BROKER_VERSION,
        clusterId: ctx.cluster.clusterId,
        startedAt: new Date(startedAt).toISOString(),
        uptimeSeconds: (Date.now() - startedAt) / 1000,
        listeners: listeners(),
        authEnabled: ctx.auth !== null,
        topics: topics.length,
        partitions: stats.length,
        records: stats.reduce((s, x) => s + x.records, 0),
        sizeBytes: stats.reduce((s, x) => s + x.bytes, 0),
        rates: sumRates(topics.flatMap((t) => rates.get(t.name) ?? [])),
        groups: { total: groups.length, byState },
        worstLag,
      };
    },
  });

  app.get('/api/whoami', {
    schema: {
      tags: ['ops'],
      summary: 'The principal the credentials name and whether it may change things (the console asks this first)',
      response: { 200: whoamiSchema },
    },
    handler: async (req) => {
      const viewer = viewerOf(ctx, req);
      return { authEnabled: ctx.auth !== null, principal: viewer.principal?.name ?? null, admin: viewer.admin };
    },
  });
}
