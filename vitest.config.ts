import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `coffer-source`
// export condition, so tests never need a build.
export default defineConfig({
  resolve: { conditions: ['coffer-source'] },
  ssr: { resolve: { conditions: ['coffer-source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    globalSetup: ['./test/postgres-global-setup.ts'],
    pool: 'forks',
    reporters: ['default', './scripts/summary-reporter.ts'],
    testTimeout: 30_000,
  },
});
