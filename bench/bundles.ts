/**
 * Bundle size and cold import time of every handler, built exactly as CDK builds it
 * (cdk/lambda-bundling.ts), against a naive reference handler built the same way. Import time is
 * the median of fresh Node processes, net of an empty Node start.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildLambdaBundles, esbuildOptions } from '../cdk/lambda-bundling.ts';
import { FUNCTIONS } from '../shared/functions.ts';

export interface BundleFigure {
  name: string;
  kb: number;
  importMs: number;
  kbRatio: number;
  importRatio: number;
}
export interface BundleFigures {
  emptyNodeStartMs: number;
  naiveReference: { kb: number; importMs: number };
  functions: BundleFigure[];
}

const ROOT = join(import.meta.dirname, '..');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Median wall time of `runs` fresh Node processes that import `file` (or nothing). */
function startMs(file: string | undefined, runs: number): number {
  const script = file ? `await import(${JSON.stringify(file)}).catch(() => {})` : '';
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' },
      stdio: 'ignore',
    });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

export async function measureBundles(runs = 10): Promise<BundleFigures> {
  const out = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  try {
    const naiveFile = join(out, 'naive-reference', 'index.mjs');
    await build(esbuildOptions(join(ROOT, 'bench', 'naive-reference.ts'), naiveFile));
    const bundles = await buildLambdaBundles(
      ROOT,
      FUNCTIONS.map((f) => f.name),
      out,
    );
    const empty = startMs(undefined, runs);
    const net = (file: string) => Math.max(0, startMs(file, runs) - empty);
    const naive = { kb: statSync(naiveFile).size / 1024, importMs: net(naiveFile) };
    const functions = [...bundles].map(([name, file]) => {
      const kb = statSync(file).size / 1024;
      const importMs = net(file);
      return { name, kb, importMs, kbRatio: kb / naive.kb, importRatio: importMs / naive.importMs };
    });
    return { emptyNodeStartMs: empty, naiveReference: naive, functions };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
