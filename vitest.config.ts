import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure domain, no services) and `services` (PostgreSQL, Temporal). Temporal's
// time-skipping server keeps one clock per server and the service suites share local servers, so
// files run one after another.
export default defineConfig({
  test: {
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'services',
          include: ['test/{integration,workflows,e2e,histories}/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
