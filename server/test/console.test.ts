// The web console's serving: / redirects to /ui, every /ui path is the app's page (the app routes
// on the path), assets are served with long caching, and all of it with a strict content policy.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { consolePlugin } from '../src/console/plugin.js';

describe('console plugin', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brook-ui-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Brook console</title>');
  writeFileSync(join(dir, 'assets', 'console-ABC.js'), 'console.log(1)');
  const app = Fastify();
  void app.register(consolePlugin, { dir });
  const bare = Fastify();
  void bare.register(consolePlugin, { dir: join(dir, 'missing') });
  afterAll(async () => {
    await app.close();
    await bare.close();
  });

  it('redirects / to /ui and serves the page for every /ui path, with a strict content policy', async () => {
    const root = await app.inject('/');
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/ui');
    for (const path of ['/ui', '/ui/', '/ui/topics', '/ui/groups/billing', '/ui/playground']) {
      const page = await app.inject(path);
      expect(page.statusCode, path).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('Brook console');
      expect(page.headers['content-security-policy']).toContain("default-src 'self'");
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(page.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('serves hashed assets for good, and 404s an unknown one', async () => {
    const js = await app.inject('/ui/assets/console-ABC.js');
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toContain('immutable');
    expect(js.headers['content-security-policy']).toBeDefined();
    expect((await app.inject('/ui/assets/nope.js')).statusCode).toBe(404);
  });

  it('says how to build it when it is not built', async () => {
    const page = await bare.inject('/ui');
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build');
  });
});
