import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // A CDK synth takes seconds on an idle machine and over a minute on a loaded shared one: the limits are
    // for hangs, not for speed (no test asserts timing).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
