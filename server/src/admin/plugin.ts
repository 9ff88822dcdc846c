/** The HTTP side of the one port: /health, /metrics, the admin API under /api, OpenAPI at /openapi.json and /docs. */
import type { FastifyInstance, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { BrokerContext } from '../api/types.js';
import { BROKER_VERSION } from '../config.js';
import { errorSchema } from './errors.js';
import { installValidation } from './validation.js';
import { topicRoutes } from './topics.js';
import { groupRoutes } from './groups.js';
import { installAuthentication, isProtected } from './access.js';
import { overviewRoutes } from './overview.js';
import { listenersSchema } from './schemas.js';
import { Throughput } from './throughput.js';

/**
 * Declares the answers every route of a kind can give, so the OpenAPI document lists each status
 * a route can return: 400 where there is input to check, 413 and 415 where a body may come (fastify
 * reads one on any method but GET and HEAD), 401 and 403 where auth applies.
 */
function declareCommonResponses(route: RouteOptions, authOn: boolean): void {
  const schema = route.schema;
  if (!schema || schema.hide) return;
  const response = (schema.response ??= {}) as Record<string, unknown>;
  const methods = [route.method].flat();
  const mayHaveBody = methods.some((m) => m !== 'GET' && m !== 'HEAD');
  if (schema.params || schema.querystring || mayHaveBody) response[400] ??= errorSchema;
  if (mayHaveBody) {
    response[413] ??= errorSchema;
    response[415] ??= errorSchema;
  }
  if (authOn && isProtected(route.url)) {
    response[401] ??= errorSchema;
    response[403] ??= errorSchema;
    schema.security ??= [{ bearer: [] }, { basic: [] }];
  }
}

export async function registerAdmin(app: FastifyInstance, ctx: BrokerContext, isReady: () => boolean): Promise<void> {
  const startedAt = Date.now();
  const listeners = () => {
    const address = app.server.address();
    return { http: typeof address === 'object' && address ? address.port : 0, kafka: ctx.cluster.kafkaEndpoint?.port ?? null };
  };
  installValidation(app);
  app.addHook('onRoute', (route) => declareCommonResponses(route, ctx.auth !== null));
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Brook admin API',
        version: BROKER_VERSION,
        description:
          'Topics, consumer groups, offsets and lag of a Brook broker. Errors are `{ "error": CODE, "message": text }`. ' +
          'A known path with a method it does not serve answers 405 with an `Allow` header; an unknown path 404.',
      },
      tags: [{ name: 'topics' }, { name: 'groups' }, { name: 'ops' }],
      ...(ctx.auth
        ? {
            components: {
              securitySchemes: {
                bearer: { type: 'http', scheme: 'bearer', description: 'The token is `name:secret`' },
                basic: { type: 'http', scheme: 'basic' },
              },
            },
          }
        : {}),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/health', {
    schema: {
      tags: ['ops'],
      summary: 'Liveness: 200 once the broker serves; names the ports of both listeners',
      response: {
        200: {
          type: 'object',
          required: ['status'],
          properties: { status: { type: 'string', enum: ['ok'] }, listeners: listenersSchema },
        },
        503: { type: 'object', properties: { status: { type: 'string', enum: ['shutting-down'] } }, required: ['status'] },
      },
    },
    handler: async (_req, reply) => {
      if (!isReady()) return reply.code(503).send({ status: 'shutting-down' });
      return { status: 'ok', listeners: listeners() };
    },
  });

  app.get('/metrics', {
    schema: {
      tags: ['ops'],
      summary: 'Prometheus metrics (text format)',
      response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  }, async (_req, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  // With auth: credentials on /api and /metrics; reads filtered per principal, changes need cluster admin.
  if (ctx.auth) installAuthentication(app, ctx.auth);
  const throughput = new Throughput(ctx.metrics);
  throughput.start();
  app.addHook('onClose', async () => throughput.stop());
  await app.register(topicRoutes, { ctx, throughput });
  await app.register(groupRoutes, { ctx });
  await app.register(overviewRoutes, { ctx, throughput, startedAt, listeners });
}
