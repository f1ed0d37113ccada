/**
 * The local runtime runs every handler with the configuration CDK gives it in AWS: each variable of
 * each function's contract (shared/functions.ts `env`) has a local value.
 */
import { describe, expect, it } from 'vitest';
import { handlerEnvironment, readLocalSettings } from '#local/config.ts';
import { FUNCTIONS } from '#shared/functions.ts';

const env = handlerEnvironment({
  baseUrl: 'http://localhost:3000',
  dynamodb: 'http://127.0.0.1:1',
  ses: 'http://127.0.0.1:2',
  aws: 'http://127.0.0.1:3',
  sslLabsApiBase: 'http://127.0.0.1:4/api/v4',
});

describe('local configuration', () => {
  it.each(FUNCTIONS.map((f) => [f.name, f.env] as const))(
    '%s gets every variable it reads',
    (_name, vars) => {
      for (const name of vars) expect(env[name], name).toMatch(/\S/);
    },
  );

  it('HANDLERS chooses source or bundled handlers and refuses anything else', () => {
    expect(readLocalSettings({}).handlers).toBe('source');
    // npm start applies AWS's abuse limits unless a load or crash test turns them off.
    expect(readLocalSettings({}).limits).toBe('as-deployed');
    expect(readLocalSettings({ LOCAL_LIMITS: 'off' }).limits).toBe('off');
    expect(() => readLocalSettings({ LOCAL_LIMITS: 'none' })).toThrow(
      /LOCAL_LIMITS must be "as-deployed" or "off"/,
    );
    expect(readLocalSettings({ HANDLERS: 'bundled' }).handlers).toBe('bundled');
    expect(() => readLocalSettings({ HANDLERS: 'minified' })).toThrow(
      'HANDLERS must be "source" or "bundled"',
    );
  });
});
