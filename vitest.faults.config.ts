import { defineConfig } from 'vitest/config';

/** The fault suite (`npm run test:faults`): real processes, one file at a time so timings stay honest. */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
