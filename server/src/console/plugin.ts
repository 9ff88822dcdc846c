/**
 * The web console: serves the built single-page app (`npm run build` writes it to server/dist/ui)
 * at /ui, and redirects / there. The app calls only the public admin API (/api/...), so
 * everything it shows a script can fetch too; nothing here reads the broker's state.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where the build puts the app: the same folder from src/console (tests) and dist/console (the package). */
export const CONSOLE_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

/**
 * The page loads only its own scripts and styles and talks only to its own origin (the admin
 * API and the playground's WebSocket), and no other site may frame it.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

export async function consolePlugin(app: FastifyInstance, { dir = CONSOLE_DIR }: { dir?: string } = {}): Promise<void> {
  // A WebSocket upgrade to a page is a client with a wrong URL: it gets the 404 that names the mistake
  // (a route hook, after @fastify/websocket's own, which then closes the socket).
  const notForUpgrades = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.headers.upgrade !== undefined) return reply.callNotFound();
  };
  const hide = { schema: { hide: true }, onRequest: notForUpgrades };
  app.get('/', hide, async (_req, reply) => reply.redirect('/ui'));

  const indexFile = join(dir, 'index.html');
  const index = existsSync(indexFile) ? readFileSync(indexFile) : null;
  const page = async (_req: unknown, reply: FastifyReply) => {
    if (!index) {
      return reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run `npm run build` and restart the broker.\n');
    }
    return reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(index);
  };
  // Every page of the app is the same document; the app routes on the path.
  app.get('/ui', hide, page);
  app.get('/ui/*', hide, page);
  if (index) {
    // Asset names carry a content hash: cached for good.
    await app.register(fastifyStatic, {
      root: join(dir, 'assets'),
      prefix: '/ui/assets/',
      maxAge: '365d',
      immutable: true,
      setHeaders: (reply) => void reply.headers(SECURITY_HEADERS),
    });
  }
}
