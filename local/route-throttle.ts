/**
 * API Gateway's per-method throttling, locally: one token bucket per route (the numbers of
 * shared/route-throttles.ts, as CDK deploys them). A bucket holds `burstLimit` tokens and refills at
 * `rateLimit` a second; a request finds a token or is answered 429 as API Gateway answers it, before
 * any handler runs. Routes without a throttle of their own are not throttled locally (the stage
 * default would throttle the tests' and the pages' polling, which AWS never sees).
 */
import type { RouteKey, Throttle } from '#shared/route-throttles.ts';

export class RouteThrottle {
  private readonly buckets = new Map<RouteKey, { tokens: number; at: number }>();

  constructor(
    private readonly throttles: Readonly<Record<RouteKey, Throttle>>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token for `route` (`METHOD /path`); false when its bucket is empty. */
  take(route: RouteKey): boolean {
    const throttle = this.throttles[route];
    if (!throttle) return true;
    const at = this.now();
    const bucket = this.buckets.get(route) ?? { tokens: throttle.burstLimit, at };
    const tokens = Math.min(
      throttle.burstLimit,
      bucket.tokens + ((at - bucket.at) / 1000) * throttle.rateLimit,
    );
    const allowed = tokens >= 1;
    this.buckets.set(route, { tokens: allowed ? tokens - 1 : tokens, at });
    return allowed;
  }
}
