// The SDK (everything but the CLI) must load in browsers: no Node built-ins, no Buffer/process
// dependencies outside guarded checks.
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

describe('browser safety', () => {
  const sources = files(srcDir).filter((f) => relative(srcDir, f) !== 'cli.ts');
  it.each(sources.map((f) => [relative(srcDir, f), f]))('%s imports no Node built-ins', (_name, file) => {
    const code = readFileSync(file, 'utf8');
    expect(code).not.toMatch(/from\s+['"](node:|fs|path|os|net|tls|crypto|events|buffer|stream|util|child_process)['"]/);
    expect(code).not.toMatch(/\brequire\(/);
    // Buffer and process only behind a typeof/globalThis guard.
    for (const line of code.split('\n')) {
      if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue;
      if (/\bBuffer\.(from|alloc|concat)\(/.test(line)) expect(line).toMatch(/globalThis/);
      if (/\bprocess\./.test(line)) expect(line).toMatch(/typeof process/);
    }
  });
});
