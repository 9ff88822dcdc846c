/** The HTTP side of the one port: /health, /metrics, the admin API under /api, OpenAPI at /openapi.json and /docs. */
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { BrokerContext } from '../api/types.js';
import { BROKER_VERSION } from '../config.js';
import { installErrorHandler } from './errors.js';
import { topicRoutes } from './topics.js';
import { groupRoutes } from './groups.js';
import { Authorizer, type Principal } from '../auth/authorizer.js';

function httpPrincipal(auth: Authorizer, header: string | undefined): Principal | null {
  if (!header) return null;
  const [scheme, value = ''] = header.split(' ', 2);
  const creds = scheme?.toLowerCase() === 'basic' ? Buffer.from(value, 'base64').toString('utf8') : scheme?.toLowerCase() === 'bearer' ? value : '';
  const i = creds.indexOf(':');
  return i <= 0 ? null : auth.authenticate(creds.slice(0, i), creds.slice(i + 1));
}

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
      summary: 'Liveness: 200 once the broker serves; names the ports of both listeners',
      response: {
        200: {
          type: 'object',
          properties: {
            status: { type: 'string' },
            listeners: {
              type: 'object',
              properties: { http: { type: 'integer' }, kafka: { type: ['integer', 'null'], description: 'The Kafka protocol port; null when that listener is off' } },
            },
          },
        },
        503: { type: 'object', properties: { status: { type: 'string' } } },
      },
    },
    handler: async (_req, reply) => {
      if (!isReady()) return reply.code(503).send({ status: 'shutting-down' });
      const address = app.server.address();
      const http = typeof address === 'object' && address ? address.port : 0;
      return { status: 'ok', listeners: { http, kafka: ctx.cluster.kafkaEndpoint?.port ?? null } };
    },
  });

  app.get('/metrics', { schema: { tags: ['ops'], summary: 'Prometheus metrics (text format)' } }, async (_req, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  if (ctx.auth) {
    const auth = ctx.auth;
    // The admin API and /metrics need credentials: `Authorization: Bearer name:secret` (or Basic).
    app.addHook('onRequest', async (req, reply) => {
      const path = req.url.split('?')[0]!;
      if (!path.startsWith('/api/') && path !== '/api' && path !== '/metrics') return;
      const principal = httpPrincipal(auth, req.headers.authorization);
      if (!principal) {
        reply.header('www-authenticate', 'Bearer realm="brook"');
        return reply.code(401).send({ error: 'SASL_AUTHENTICATION_FAILED', message: 'send Authorization: Bearer <name>:<secret>' });
      }
      if (!Authorizer.allows(principal, 'cluster', '', 'admin')) {
        return reply.code(403).send({ error: 'CLUSTER_AUTHORIZATION_FAILED', message: `${principal.name} may not use the admin API` });
      }
    });
  }
  await app.register(topicRoutes, { ctx });
  await app.register(groupRoutes, { ctx });
}
