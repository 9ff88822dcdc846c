// The SDK must load in browsers: no Node built-ins, no Buffer/process dependencies outside
// guarded checks. Node-only files: the CLI and `brook migrate` (which only the CLI imports), and
// Kafka's TCP transport, which nothing imports statically (context.ts loads it with a variable
// specifier when a Kafka connection is made).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../src', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const NODE_ONLY = ['cli.ts', 'transport/kafka.ts'];
const NODE_ONLY_DIRS = ['migrate/', 'cli/'];
const NODE_BUILTIN = /from\s+['"](node:[\w/]+|fs|path|os|net|tls|crypto|events|buffer|stream|util|child_process)['"]/;

describe('browser safety', () => {
  const nodeOnly = (rel: string) => NODE_ONLY.includes(rel) || NODE_ONLY_DIRS.some((d) => rel.startsWith(d));
  const sources = files(srcDir).filter((f) => !nodeOnly(relative(srcDir, f)));
  it.each(sources.map((f) => [relative(srcDir, f), f]))('%s imports no Node built-ins', (_name, file) => {
    const code = readFileSync(file, 'utf8');
    expect(code).not.toMatch(NODE_BUILTIN);
    // Node-only modules are never imported statically.
    expect(code).not.toMatch(/from\s+['"][./]*(transport\/)?kafka\.js['"]/);
    expect(code).not.toMatch(/from\s+['"][./]*cli\.js['"]/);
    expect(code).not.toMatch(/\brequire\(/);
    // Buffer and process only behind a typeof/globalThis guard.
    for (const line of code.split('\n')) {
      if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue;
      if (/\bBuffer\.(from|alloc|concat)\(/.test(line)) expect(line).toMatch(/globalThis/);
      if (/\bprocess\./.test(line)) expect(line).toMatch(/typeof process/);
    }
  });
});

it('the Kafka transport is Node-only and the check above would catch it', () => {
  const code = readFileSync(join(srcDir, 'transport/kafka.ts'), 'utf8');
  expect(code).toMatch(NODE_BUILTIN);
});

// The `browser` export condition's build: the entry bundled as a browser bundler would, with
// every import followed. Fails on any Node built-in and on `ws`, whichever file brings it in.
describe('browser build', () => {
  it('bundles client-sdk/src/browser.ts for browsers with no Node built-in and without ws', async () => {
    const esbuild = await import('esbuild');
    const entry = fileURLToPath(new URL('../src/browser.ts', import.meta.url));
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      metafile: true,
      logLevel: 'silent',
      alias: { '@brook/protocol': fileURLToPath(new URL('../../protocol/src/index.ts', import.meta.url)) },
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((f) => f.includes('node_modules/ws/'))).toBe(false);
    expect(inputs.filter((f) => /transport\/kafka|(^|\/)cli\.ts$|\/cli\/|\/migrate\//.test(f))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).toMatch(/new \w+\(\w+\)/); // the browser's own WebSocket
    expect(code).not.toMatch(/from\s*["'](node:|ws["'])/);
  });

  it('is what the package exports under the browser condition', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { exports: Record<string, Record<string, unknown>> };
    expect(pkg.exports['.']!.browser).toEqual({ types: './dist/browser.d.ts', default: './dist/browser/brook.js' });
  });
});
