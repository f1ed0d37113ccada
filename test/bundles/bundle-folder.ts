/** Where bundle tests build: under node_modules so vitest loads bundles as Node does (untransformed). */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/** A folder of this test file's own, removed after its tests. */
export function freshBundleFolder(): string {
  const parent = join(PROJECT_ROOT, 'node_modules', '.cache', 'lambda-bundles');
  mkdirSync(parent, { recursive: true });
  const folder = mkdtempSync(join(parent, 'test-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}
