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
    // is never logged raise the level themselves (test/support/task-kit.ts captureLogs).
    env: { POWERTOOLS_LOG_LEVEL: 'WARN' },
    // `npm run coverage` (needs @vitest/coverage-v8 at vitest's exact version, 4.1.12).
    coverage: {
      provider: 'v8',
      include: ['lambdas/**/*.ts', 'shared/**/*.ts'],
      reporter: ['text-summary', 'html'],
      reportsDirectory: 'coverage',
      // The floor: the unit suite's coverage of lambdas/ and shared/ on 2026-11-30, rounded down.
      thresholds: { statements: 96, branches: 89, functions: 94, lines: 97 },
    },
  },
});
