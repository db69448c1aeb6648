import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start their own redis-server and Azurite; two cores on CI, so keep forks few.
    pool: 'forks',
    maxWorkers: 2,
    // The CLI built once into plain JavaScript for the tests' child processes (test/helpers/cli-build.ts),
    // and one Azurite for the run, started when the first integration file asks (test/helpers/shared-azurite-setup.ts).
    globalSetup: ['test/helpers/cli-build-setup.ts', 'test/helpers/shared-azurite-setup.ts'],
    testTimeout: 60_000,
    // A beforeAll may boot Azurite (about two CPU-seconds: close to a minute on two saturated cores,
    // test/helpers/azurite.ts); three times that keeps such a hook within a third of its limit.
    hookTimeout: 180_000,
  },
});
