import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The reliability suite is its own run: npm run reliability (vitest.reliability.config.ts).
    exclude: [...configDefaults.exclude, 'test/reliability/**'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Handlers log at INFO in production; tests keep the console readable. Tests that prove a secret
    // is never logged raise the level themselves (test/unit/task-test-kit.ts captureLogs).
    env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
  },
});
