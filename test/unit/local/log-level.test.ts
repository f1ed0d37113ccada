/**
 * The local handlers' log level (local/log-level.ts). The shared Powertools logger reads
 * POWERTOOLS_LOG_LEVEL once, when it is created, and returns to that level on every warm invocation;
 * so what counts is the level it is created with in a process that starts the runtime, as `npm start`
 * and the bench do. Each case runs in a fresh Node process: this one's logger was created long ago.
 */
import { describe, expect, it } from 'vitest';
import { runTsFile } from '../../support/run-ts.ts';

/** The shared logger's level in a fresh process that imports `entry` first, as its entry point does. */
async function levelAfterImporting(entry: string, level: string | undefined): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  delete env.POWERTOOLS_LOG_LEVEL;
  if (level !== undefined) env.POWERTOOLS_LOG_LEVEL = level;
  const run = await runTsFile('test/support/print-log-level.ts', [entry], env);
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.err}`);
  return run.out;
}

describe('local handlers log at WARN unless POWERTOOLS_LOG_LEVEL says otherwise', () => {
  it('a process that starts the runtime (npm start, the bench) creates the logger at WARN, or at the level named', async () => {
    const [unset, named] = await Promise.all([
      levelAfterImporting('#local/runtime.ts', undefined),
      levelAfterImporting('#local/runtime.ts', 'INFO'),
    ]);
    expect({ unset, named }).toEqual({ unset: 'WARN', named: 'INFO' });
  }, 120_000);
});
