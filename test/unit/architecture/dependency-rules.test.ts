/**
 * The architecture rules (.dependency-cruiser.cjs) catch what they forbid: each rule is run against a
 * small tree made for it, so a rule that stopped matching (a typo in a path pattern) fails here, not
 * silently in CI. `npm run arch` runs the same rules over the real tree.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import { afterEach, describe, expect, it } from 'vitest';

const config: IConfiguration = createRequire(import.meta.url)('../../../.dependency-cruiser.cjs');
let dir: string | undefined;

/** Writes the files (path → imports) into a fresh tree and cruises its shared/ folder with the rules. */
async function violations(files: Record<string, string[]>): Promise<string[]> {
  dir = mkdtempSync(join(tmpdir(), 'arch-'));
  for (const [path, imports] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    const lines = imports.map((to, i) => `import { x as x${i} } from '${to}';\nvoid x${i};`);
    writeFileSync(join(dir, path), `${lines.join('\n')}\nexport const x = 1;\n`);
  }
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const { forbidden } = config;
    const result = await cruise(['shared'], {
      validate: true,
      ruleSet: { forbidden },
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
    });
    const output = result.output as ICruiseResult;
    return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  } finally {
    process.chdir(cwd);
  }
}

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the architecture rules', () => {
  it('refuse an import cycle, even inside one feature', async () => {
    const found = await violations({
      'shared/tasks/decide.ts': ['./follow-up.ts'],
      'shared/tasks/follow-up.ts': ['./decide.ts'],
    });

    expect(found).toContain('no-circular: shared/tasks/decide.ts → shared/tasks/follow-up.ts');
  });

  it('refuse a feature reaching into another past its index.ts', async () => {
    const found = await violations({
      'shared/tasks/decide.ts': ['../requests/store.ts'],
      'shared/requests/store.ts': [],
    });

    expect(found).toContain('feature-through-index: shared/tasks/decide.ts → shared/requests/store.ts');
  });

  it('refuse the core importing a feature', async () => {
    const found = await violations({
      'shared/core/http/edge.ts': ['../../registry/index.ts'],
      'shared/registry/index.ts': [],
    });

    expect(found).toContain('core-imports-no-feature: shared/core/http/edge.ts → shared/registry/index.ts');
  });

  it('refuse a feature importing one layered after it', async () => {
    const found = await violations({
      'shared/registry/registry.ts': ['../requests/index.ts'],
      'shared/requests/index.ts': [],
    });

    expect(found).toContain('feature-order-registry: shared/registry/registry.ts → shared/requests/index.ts');
  });

  it('let a feature use an earlier one through its index.ts', async () => {
    const found = await violations({
      'shared/requests/submission.ts': ['../registry/index.ts', '../core/errors.ts'],
      'shared/registry/index.ts': ['./registry.ts'],
      'shared/registry/registry.ts': [],
      'shared/core/errors.ts': [],
    });

    expect(found).toEqual([]);
  });
});
