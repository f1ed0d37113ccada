import { defineConfig } from 'vitest/config';

/**
 * `npm run reliability`: hostile input, escaping, link attacks, injected faults and crashes against
 * the local runtime (test/reliability/). Kept apart from `npm test` (vitest.config.ts excludes the
 * folder): it takes minutes, and its figures table (test/reliability/global-setup.ts) is its output.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/reliability/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each file runs one local runtime (one per process); two at a time fit a 2-core machine.
    maxWorkers: 2,
    // Injected faults make handlers log errors by design; the figures are the output.
    env: { POWERTOOLS_LOG_LEVEL: 'CRITICAL' },
  },
});
