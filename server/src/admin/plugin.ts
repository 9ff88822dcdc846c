/** The HTTP side of the one port: /health, /metrics, the admin API under /api, OpenAPI at /openapi.json and /docs. */
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { BrokerContext } from '../api/types.js';
import { BROKER_VERSION } from '../config.js';
import { installErrorHandler } from './errors.js';
import { topicRoutes } from './topics.js';
import { groupRoutes } from './groups.js';

export async function registerAdmin(app: FastifyInstance, ctx: BrokerContext, isReady: () => boolean): Promise<void> {
  installErrorHandler(app);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Brook admin API', version: BROKER_VERSION, description: 'Topics, consumer groups, offsets and lag of a Brook broker.' },
      tags: [{ name: 'topics' }, { name: 'groups' }, { name: 'ops' }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/health', {
    schema: {
      tags: ['ops'],
      summary: 'Liveness: 200 once the broker serves',
      response: { 200: { type: 'object', properties: { status: { type: 'string' } } }, 503: { type: 'object', properties: { status: { type: 'string' } } } },
    },
    handler: async (_req, reply) => (isReady() ? { status: 'ok' } : reply.code(503).send({ status: 'shutting-down' })),
  });

  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics (text format)' } }, async (_req, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  await app.register(topicRoutes, { ctx });
  await app.register(groupRoutes, { ctx });
}
