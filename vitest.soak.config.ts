import { defineConfig } from 'vitest/config';
import { alias } from './vitest.config.js';

// The process soaks: brokers and members killed with SIGKILL, frozen zombies, exactly-once.
export default defineConfig({
  resolve: { alias },
  test: {
    include: ['*/test/**/*.soak.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
