import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against the TypeScript sources; child-process tests use the built dist.
export const alias = {
  // The subpath first: an alias also matches its key followed by '/'.
  '@brook/protocol/codecs': src('./protocol/src/codecs.ts'),
  '@brook/protocol': src('./protocol/src/index.ts'),
  // protocol's own import of CRC-32C (package.json "imports"): Node's, from source.
  '#crc32c': src('./protocol/src/crc32c.node.ts'),
  '#gzip': src('./protocol/src/gzip.node.ts'),
  '#zstd': src('./protocol/src/zstd.node.ts'),
  '@brook/server': src('./server/src/index.ts'),
  '@brook/client': src('./client-sdk/src/index.ts'),
};

// `npm test` runs unit and integration tests. Three suites run apart (and in .ci/run): the process
// soaks (`*.soak.test.ts`, a minute each: `npm run test:soak`) and the install test, which packs
// the tarballs and installs them from the npm registry into a temp project (`*.install.test.ts`:
// `npm run test:install`), and the conformance suite (`*.conformance.test.ts`, per target:
// `npm run test:conformance`). See vitest.suite.config.ts.
// Files that need a process of their own: they check module state nothing else has touched yet
// (the compression codecs the SDK registers on its first connection).
const ownProcess = ['client-sdk/test/compression.test.ts'];
const exclude = ['**/node_modules/**', '**/*.soak.test.ts', '**/*.install.test.ts', '**/*.conformance.test.ts'];

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files wait on fsyncs, sockets and timers rather than compute: three at a time on two
    // cores took the suite from about 250 s to 115 s here (vitest's default is cores - 1).
    maxWorkers: 3,
    projects: [
      // A worker keeps the modules it loaded from one file to the next (vitest's isolate: false):
      // loading them again for each of the 95 files was 133 of 193 s of the files' time on a slow
      // day, and the whole run fell from 193 s to 107 s. Tests share no state through modules;
      // each starts its own broker on its own temp dir.
      { extends: true, test: { name: 'main', include: ['*/test/**/*.test.ts'], exclude: [...exclude, ...ownProcess], isolate: false } },
      { extends: true, test: { name: 'own-process', include: ownProcess, isolate: true } },
    ],
  },
});
