/**
 * Lean Lambdas: a handler's bundle, as CDK builds it, holds only the AWS SDK clients its handler uses.
 * shared/core/aws/clients.ts makes every client once, marked pure, so esbuild drops the ones a bundle
 * never touches; a side effect in a client's arguments (an object spread, for one) would keep it, and
 * with it a whole SDK package (S3's is about 200 KB minified) in every bundle.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#shared/functions.ts';
import { buildLambdaBundles } from '../../cdk/lambda-bundling.ts';
import { freshBundleFolder, PROJECT_ROOT } from './bundle-folder.ts';

/** The functions that keep evidence documents (shared/evidence): the only ones with the S3 client. */
const DOCUMENT_FUNCTIONS = FUNCTIONS.filter((spec) => spec.env.includes('DOCUMENTS_BUCKET')).map(
  (s) => s.name,
);

describe('each bundle carries only the SDK clients its handler uses', () => {
  it('the S3 client is in the evidence functions only', async () => {
    const names = FUNCTIONS.map((spec) => spec.name);
    const bundles = await buildLambdaBundles(PROJECT_ROOT, names, freshBundleFolder());
    const withS3 = names.filter((name) =>
      readFileSync(bundles.get(name) ?? '', 'utf8').includes('PutObjectCommand'),
    );
    expect(DOCUMENT_FUNCTIONS.length).toBeGreaterThan(0);
    expect(withS3.sort()).toEqual([...DOCUMENT_FUNCTIONS].sort());
  }, 300_000);
});
