// The SDK must load in browsers: no Node built-ins, no Buffer/process dependencies outside
// guarded checks. Node-only files: the CLI, and Kafka's TCP transport, which nothing imports
// statically (context.ts loads it with a variable specifier when a Kafka connection is made).
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
const NODE_BUILTIN = /from\s+['"](node:[\w/]+|fs|path|os|net|tls|crypto|events|buffer|stream|util|child_process)['"]/;

describe('browser safety', () => {
  const sources = files(srcDir).filter((f) => !NODE_ONLY.includes(relative(srcDir, f)));
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
