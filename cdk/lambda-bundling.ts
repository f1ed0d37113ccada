/**
 * How every Lambda is bundled, in one place: CDK (cdk/constructs/district-function.ts) passes these
 * options to esbuild for the deployed assets, and the bundle tests, `HANDLERS=bundled npm start` and
 * the benchmarks build with exactly the same ones, so what AWS runs is what they run.
 *
 * Imports nothing from aws-cdk-lib: the local runtime and the tests load this module too.
 */
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';

/** ESM bundles: some CommonJS dependencies call `require` for Node built-ins, which ESM lacks. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export const LAMBDA_BUNDLE = {
  minify: true,
  sourceMap: true,
  format: 'esm',
  target: 'node24',
  platform: 'node',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  // Minifying renames classes and functions. Error names are string literals by construction
  // (shared/core/errors.ts), and keepNames is the second guard: anything else that reads `.name` at run
  // time (a logger's error serialiser, a third-party error class) sees the real name too.
  keepNames: true,
} as const;

/** The entry file of a handler: `lambdas/<name>.ts` under the project root. */
export function lambdaEntry(projectRoot: string, name: string): string {
  return `${projectRoot.replace(/\/$/, '')}/lambdas/${name}.ts`;
}

/**
 * esbuild's JS API options equal to what CDK's NodejsFunction runs for LAMBDA_BUNDLE
 * (`esbuild --bundle --platform=node --target=node24 --format=esm --main-fields=module,main --minify
 * --sourcemap --keep-names --banner:js=…`, nothing external: the pinned AWS SDK is bundled).
 */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: LAMBDA_BUNDLE.platform,
    target: LAMBDA_BUNDLE.target,
    format: LAMBDA_BUNDLE.format,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    minify: LAMBDA_BUNDLE.minify,
    sourcemap: LAMBDA_BUNDLE.sourceMap,
    keepNames: LAMBDA_BUNDLE.keepNames,
    banner: { js: LAMBDA_BUNDLE.banner },
    external: [],
    logLevel: 'warning',
  };
}

/**
 * Builds the named handlers as CDK would, into `outDir/<name>/index.mjs` (the asset layout CDK
 * uploads). One esbuild run for all of them (it parses the shared SDK once); each entry's output is
 * the same as its own run with esbuildOptions(), as nothing is split or shared between entries.
 */
export async function buildLambdaBundles(
  projectRoot: string,
  names: readonly string[],
  outDir: string,
): Promise<Map<string, string>> {
  const { build } = await import('esbuild');
  const { entryPoints: _one, outfile: _file, ...options } = esbuildOptions('', '');
  await build({
    ...options,
    entryPoints: Object.fromEntries(names.map((name) => [`${name}/index`, lambdaEntry(projectRoot, name)])),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
  });
  return new Map(names.map((name) => [name, join(outDir, name, 'index.mjs')]));
}
