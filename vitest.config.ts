import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources; child-process tests use the built dist.
    alias: {
      '@brook/protocol': src('./protocol/src/index.ts'),
      '@brook/server': src('./server/src/index.ts'),
      '@brook/client': src('./client-sdk/src/index.ts'),
    },
  },
  test: {
    include: ['*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
