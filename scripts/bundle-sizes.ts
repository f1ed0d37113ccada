/**
 * Prints each handler's bundle size in KB, built exactly as CDK builds it (cdk/lambda-bundling.ts):
 * a quick check after a change of imports (npm run bench measures them with import times).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLambdaBundles } from '../cdk/lambda-bundling.ts';
import { FUNCTIONS } from '../shared/functions.ts';

const dir = mkdtempSync(join(tmpdir(), 'bundle-sizes-'));
try {
  const files = await buildLambdaBundles(
    join(import.meta.dirname, '..'),
    FUNCTIONS.map((fn) => fn.name),
    dir,
  );
  const sizes = Object.fromEntries(
    [...files].map(([name, file]) => [name, Math.round(statSync(file).size / 1024)]),
  );
  console.log(JSON.stringify(sizes, null, 1));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
