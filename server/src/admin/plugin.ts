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
import { Authorizer, type Principal } from '../auth/authorizer.js';

function httpPrincipal(auth: Authorizer, header: string | undefined): Principal | null {
  if (!header) return null;
  const [scheme, value = ''] = header.split(' ', 2);
  const creds = scheme?.toLowerCase() === 'basic' ? Buffer.from(value, 'base64').toString('utf8') : scheme?.toLowerCase() === 'bearer' ? value : '';
  const i = creds.indexOf(':');
  return i <= 0 ? null : auth.authenticate(creds.slice(0, i), creds.slice(i + 1));
}

/** Needs credentials when the broker has auth configured. */
function isProtected(path: string): boolean {
  return path.startsWith('/api/') || path === '/api' || path === '/metrics';
}

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
          properties: {
            status: { type: 'string', enum: ['ok'] },
            listeners: {
              type: 'object',
              properties: { http: { type: 'integer' }, kafka: { type: ['integer', 'null'], description: 'The Kafka protocol port; null when that listener is off' } },
            },
          },
        },
        503: { type: 'object', properties: { status: { type: 'string', enum: ['shutting-down'] } }, required: ['status'] },
      },
    },
    handler: async (_req, reply) => {
      if (!isReady()) return reply.code(503).send({ status: 'shutting-down' });
      const address = app.server.address();
      const http = typeof address === 'object' && address ? address.port : 0;
      return { status: 'ok', listeners: { http, kafka: ctx.cluster.kafkaEndpoint?.port ?? null } };
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

  if (ctx.auth) {
    const auth = ctx.auth;
    // The admin API and /metrics need credentials: `Authorization: Bearer name:secret` (or Basic).
    app.addHook('onRequest', async (req, reply) => {
      if (!isProtected(req.url.split('?')[0]!)) return;
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
