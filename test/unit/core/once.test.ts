import { describe, expect, it } from 'vitest';
import { once } from '#shared/core/once.ts';

describe('once: handler dependencies are built on first use and reused', () => {
  it('builds once, returns the same value every time', () => {
    let builds = 0;
    const deps = once(() => ({ n: ++builds }));
    expect(deps()).toBe(deps());
    expect(builds).toBe(1);
  });

  it('a build that fails (bad config) fails again on the next call instead of caching nothing', () => {
    let calls = 0;
    const deps = once(() => {
      calls++;
      throw new Error('Missing required environment variable TABLE_NAME');
    });
    expect(deps).toThrow('TABLE_NAME');
    expect(deps).toThrow('TABLE_NAME');
    expect(calls).toBe(2);
  });
});
