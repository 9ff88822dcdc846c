/**
 * Which web pages may talk to the broker. A browser lets any page open a WebSocket to any host
 * and send simple requests anywhere: without this, a page a developer happens to open could read
 * and write their local broker. Refused (403, logged):
 * - requests and WebSocket upgrades whose `Origin` is neither the broker's own (same origin, or a
 *   localhost page on the broker's port) nor listed in `--allowed-origins` (`*` allows any);
 * - on a broker bound to a loopback address, requests whose `Host` is not a loopback name or a
 *   listed origin's host: a DNS-rebinding page (evil.example resolving to 127.0.0.1) is then
 *   same-origin in the browser's eyes, and only the Host header gives it away.
 * Requests without `Origin` (curl, the SDK in Node, Kafka tools) are not browsers' cross-origin
 * requests and pass. Listed origins get CORS headers, and their preflights are answered.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

const LOOPBACK_HOST = /^(localhost|[a-z0-9-]+\.localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

export interface OriginPolicyOptions {
  /** Origins allowed besides the broker's own (`https://app.example.com`), or `*` for any. */
  allowedOrigins: readonly string[];
  /** The interface the broker listens on: the Host check applies when it is a loopback one. */
  listenHost: string;
  tls: boolean;
  logger: Logger;
}

type Verdict = { ok: true; cors: string | null } | { ok: false; status: 403; error: string; message: string };

/** `http://Example.com:80` and `http://example.com` are one origin; anything unparsable is kept as written. */
function normalizeOrigin(origin: string): string {
  try {
    return origin === 'null' ? 'null' : new URL(origin).origin;
  } catch {
    return origin;
  }
}

function hostnameOf(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return '';
  }
}

export class OriginPolicy {
  private readonly any: boolean;
  private readonly allowed: Set<string>;
  private readonly allowedHosts: Set<string>;
  private readonly checkHost: boolean;

  constructor(private readonly opts: OriginPolicyOptions) {
    this.any = opts.allowedOrigins.includes('*');
    this.allowed = new Set(opts.allowedOrigins.filter((o) => o !== '*').map(normalizeOrigin));
    this.allowedHosts = new Set([...this.allowed].map((o) => hostnameOf(o.replace(/^[a-z]+:\/\//i, ''))).filter(Boolean));
    this.checkHost = LOOPBACK_HOST.test(opts.listenHost);
  }

  /** The verdict on one request (an HTTP request or a WebSocket upgrade). */
  judge(req: FastifyRequest): Verdict {
    const host = req.headers.host ?? '';
    if (this.checkHost && !this.any) {
      const name = hostnameOf(host);
      if (!LOOPBACK_HOST.test(name) && !this.allowedHosts.has(name)) {
        return { ok: false, status: 403, error: 'HOST_NOT_ALLOWED', message: `this broker listens on ${this.opts.listenHost} and answers only to loopback host names, not ${host} (add its origin to --allowed-origins)` };
      }
    }
    const raw = req.headers.origin;
    if (raw === undefined) return { ok: true, cors: null };
    const origin = normalizeOrigin(raw);
    if (origin === `${this.opts.tls ? 'https' : 'http'}://${host}` || this.isLocalPageOnOurPort(origin, req)) return { ok: true, cors: null };
    if (this.any || this.allowed.has(origin)) return { ok: true, cors: origin };
    return { ok: false, status: 403, error: 'ORIGIN_NOT_ALLOWED', message: `pages from ${raw} may not use this broker; start it with --allowed-origins ${raw} to allow them` };
  }

  /** `http://localhost:7092` calling `127.0.0.1:7092`: the same broker under another loopback name. */
  private isLocalPageOnOurPort(origin: string, req: FastifyRequest): boolean {
    try {
      const u = new URL(origin);
      const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      return LOOPBACK_HOST.test(u.hostname) && port === req.socket.localPort && u.protocol === (this.opts.tls ? 'https:' : 'http:');
    } catch {
      return false;
    }
  }

  private refuse(req: FastifyRequest, reply: FastifyReply, v: Extract<Verdict, { ok: false }>): FastifyReply {
    this.opts.logger.warn({ origin: req.headers.origin, host: req.headers.host, path: req.url.split('?')[0], upgrade: req.headers.upgrade !== undefined, remote: req.ip }, `refused: ${v.error}`);
    return reply.code(v.status).send({ error: v.error, message: v.message });
  }

  /**
   * For every plain HTTP request; install it before any other onRequest hook, so a listed
   * origin's preflight (OPTIONS) is answered here rather than as an unknown route.
   */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (req, reply) => {
      // Upgrades are judged by the WebSocket route's own hook (see upgradeHook).
      if (req.headers.upgrade !== undefined) return;
      const v = this.judge(req);
      if (!v.ok) return this.refuse(req, reply, v);
      if (v.cors === null) return;
      reply.header('access-control-allow-origin', v.cors).header('vary', 'Origin');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
        return reply
          .code(204)
          .header('access-control-allow-methods', 'GET, HEAD, POST, DELETE')
          .header('access-control-allow-headers', 'authorization, content-type')
          .header('access-control-max-age', '600')
          .send();
      }
    });
  }

  /**
   * The WebSocket route's onRequest hook. As a route hook it runs after @fastify/websocket's own
   * hooks, which then close the upgrade's socket once the 403 is written.
   */
  readonly upgradeHook = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const v = this.judge(req);
    return v.ok ? undefined : this.refuse(req, reply, v);
  };
}

/** `--allowed-origins a,b` as a list (empty: only the broker's own pages). */
export function parseAllowedOrigins(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
