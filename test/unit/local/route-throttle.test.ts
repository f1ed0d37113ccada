/**
 * The local stand-in for API Gateway's per-method throttling (issue 24): a token bucket per route, with
 * the burst at once and then the steady rate, and routes without a throttle of their own untouched.
 * The clock is the test's.
 */
import { describe, expect, it } from 'vitest';
import { RouteThrottle } from '#local/route-throttle.ts';

describe('local per-route throttles', () => {
  const throttles = { 'POST /requests': { rateLimit: 2, burstLimit: 3 } };

  it('lets the burst through at once, then the steady rate, per route', () => {
    const clock = { ms: 0 };
    const throttle = new RouteThrottle(throttles, () => clock.ms);

    const burst = Array.from({ length: 5 }, () => throttle.take('POST /requests'));
    expect(burst).toEqual([true, true, true, false, false]);

    clock.ms += 500; // one token at 2 a second
    expect(throttle.take('POST /requests')).toBe(true);
    expect(throttle.take('POST /requests')).toBe(false);

    clock.ms += 60_000; // refilled, but never above the burst
    expect(Array.from({ length: 4 }, () => throttle.take('POST /requests'))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('does not throttle a route without a throttle of its own', () => {
    const throttle = new RouteThrottle(throttles, () => 0);
    for (let i = 0; i < 100; i++) throttle.take('POST /requests');
    expect(Array.from({ length: 100 }, () => throttle.take('POST /tasks/{taskId}')).every(Boolean)).toBe(
      true,
    );
  });
});
