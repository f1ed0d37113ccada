/**
 * The local handlers' log level (local/log-level.ts). The shared Powertools logger reads
 * POWERTOOLS_LOG_LEVEL once, when it is created, and returns to that level on every warm invocation;
 * so what counts is the level it is created with in a process that starts the runtime, as `npm start`
 * and the bench do. Each case runs in a fresh Node process: this one's logger was created long ago.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** The shared logger's level in a fresh process that imports `entry` first, as its entry point does. */
function levelAfterImporting(entry: string, level: string | undefined): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  delete env.POWERTOOLS_LOG_LEVEL;
  if (level !== undefined) env.POWERTOOLS_LOG_LEVEL = level;
  const script = `await import(${JSON.stringify(entry)}); const { logger } = await import('#shared/core/logger.ts'); process.stdout.write(logger.getLevelName());`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`)))),
  );
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
