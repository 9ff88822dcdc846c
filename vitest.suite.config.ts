import { defineConfig } from 'vitest/config';
import { alias } from './vitest.config.js';

// The suites `npm test` leaves out, chosen by BROOK_SUITE: `soak` (brokers and members killed
// with SIGKILL, frozen zombies, exactly-once) or `install` (packed tarballs installed into a temp
// project from the npm registry) or `conformance` (one target, BROOK_CONFORMANCE_TARGET; run by
// scripts/conformance.mjs).
const suite = process.env.BROOK_SUITE ?? 'soak';

export default defineConfig({
  resolve: { alias },
  test: {
    include: [`*/test/**/*.${suite}.test.ts`],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
