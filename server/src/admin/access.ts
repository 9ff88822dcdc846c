/**
 * Who is asking the admin API, and what they may see. With auth on, any authenticated principal
 * may read (GET) what its ACLs let it describe, so the console can show a service owner its own
 * topics and groups; changes (and /metrics, which names everything) need cluster admin. With
 * auth off everyone sees and may change everything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BrokerContext } from '../api/types.js';
import { Authorizer, type Principal } from '../auth/authorizer.js';

/** Paths that need credentials when the broker has auth configured. */
export function isProtected(path: string): boolean {
  return path.startsWith('/api/') || path === '/api' || path === '/metrics';
}

/** Reads that any authenticated principal may make; the answer is filtered to what it may describe. */
function isFilteredRead(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && path.startsWith('/api/');
}

/** What one request may see: every check is true with auth off. */
export interface Viewer {
  readonly principal: Principal | null;
  readonly admin: boolean;
  describesTopic(topic: string): boolean;
  /** Reading records (the record browser and the tail) is consuming: Kafka's READ. */
  readsTopic(topic: string): boolean;
  /** Describing a group needs the group ACL a member needs (Kafka: READ implies DESCRIBE). */
  describesGroup(groupId: string): boolean;
}

const principals = new WeakMap<FastifyRequest, Principal>();

export function viewerOf(ctx: Pick<BrokerContext, 'auth'>, req: FastifyRequest): Viewer {
  const p = principals.get(req) ?? null;
  if (!ctx.auth || !p) {
    const open = !ctx.auth;
    return { principal: null, admin: open, describesTopic: () => open, readsTopic: () => open, describesGroup: () => open };
  }
  const admin = Authorizer.allows(p, 'cluster', '', 'admin');
  return {
    principal: p,
    admin,
    describesTopic: (t) => admin || Authorizer.allows(p, 'topic', t, 'describe'),
    readsTopic: (t) => admin || Authorizer.allows(p, 'topic', t, 'consume'),
    describesGroup: (g) => admin || Authorizer.allows(p, 'group', g, 'use'),
  };
}

function httpPrincipal(auth: Authorizer, header: string | undefined): Principal | null {
  if (!header) return null;
  const [scheme, value = ''] = header.split(' ', 2);
  const creds = scheme?.toLowerCase() === 'basic' ? Buffer.from(value, 'base64').toString('utf8') : scheme?.toLowerCase() === 'bearer' ? value : '';
  const i = creds.indexOf(':');
  return i <= 0 ? null : auth.authenticate(creds.slice(0, i), creds.slice(i + 1));
}

/**
 * With auth on: 401 without valid credentials (`Authorization: Bearer name:secret`, or Basic) on
 * the protected paths, 403 for a change or /metrics without cluster admin.
 */
export function installAuthentication(app: FastifyInstance, auth: Authorizer): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0]!;
    if (!isProtected(path)) return;
    const principal = httpPrincipal(auth, req.headers.authorization);
    if (!principal) {
      reply.header('www-authenticate', 'Bearer realm="brook"');
      return reply.code(401).send({ error: 'SASL_AUTHENTICATION_FAILED', message: 'send Authorization: Bearer <name>:<secret>' });
    }
    principals.set(req, principal);
    if (!isFilteredRead(req.method, path) && !Authorizer.allows(principal, 'cluster', '', 'admin')) {
      return reply.code(403).send({ error: 'CLUSTER_AUTHORIZATION_FAILED', message: `${principal.name} may not change the broker or read /metrics (needs cluster admin)` });
    }
  });
}
