import { defineConfig } from 'vitest/config';

/** `npm run bench:scale`: the workflow at 500 units and at 3,000 invocations of one unit (not part of `npm test`). */
export default defineConfig({
  test: {
    include: ['test/bench/scale.bench.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // The 3,000-invocation run took over an hour on the shared 2-core machine at load 20–30 (minutes when idle).
    testTimeout: 7_200_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
