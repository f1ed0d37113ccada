/**
 * Per-route throttles (issue 24): the public form's POST /requests gets a low limit of its own, and the
 * approvers' routes (task links, decisions, the work queue, sign-in) numbers of their own, so a flood of
 * the form can neither exhaust them nor be the only limit. API Gateway keeps a token bucket per method
 * (the stage's `apiThrottle` is each method's default); CDK sets these as the stage's method settings
 * and the local runtime applies the same numbers to the same routes (local/route-throttle.ts). cdk.json
 * `routeThrottles` may change any of them; both read it through routeThrottlesFromContext.
 */
import { ConfigError } from './core/errors.ts';
import { isRecord } from './core/guards.ts';
import { FUNCTIONS, routesOf } from './functions.ts';

export interface Throttle {
  /** Steady requests per second. */
  rateLimit: number;
  /** Requests at once, above the steady rate. */
  burstLimit: number;
}

/** `METHOD /path`, as shared/functions.ts routes them. */
export type RouteKey = string;

/** One submission a second, five at once: far above a district's ~1,000 requests a year. */
export const FORM_THROTTLE: Throttle = { rateLimit: 1, burstLimit: 5 };
/** The approvers' routes keep today's stage numbers whatever the stage default becomes. */
export const APPROVER_THROTTLE: Throttle = { rateLimit: 10, burstLimit: 20 };

export const ROUTE_THROTTLE_DEFAULTS: Readonly<Record<RouteKey, Throttle>> = {
  'POST /requests': FORM_THROTTLE,
  'GET /tasks/{taskId}': APPROVER_THROTTLE,
  'POST /tasks/{taskId}': APPROVER_THROTTLE,
  'GET /queue': APPROVER_THROTTLE,
  'POST /queue/{taskId}/{action}': APPROVER_THROTTLE,
  'POST /queue/away': APPROVER_THROTTLE,
  'GET /auth/login': APPROVER_THROTTLE,
  'GET /auth/callback': APPROVER_THROTTLE,
  // The vendor's incident link is public: the form's own low limit (each link also takes ten reports at most).
  'GET /incidents': FORM_THROTTLE,
  'POST /incidents': FORM_THROTTLE,
};

const ROUTES = new Set(FUNCTIONS.flatMap((f) => routesOf(f).map((r) => `${r.method} ${r.path}`)));

/**
 * The throttles of a deployment: the defaults above, with cdk.json context `routeThrottles` (route →
 * {"rateLimit", "burstLimit"}) over them. ConfigError naming the route when one is malformed.
 */
export function routeThrottlesFromContext(context: Record<string, unknown>): Record<RouteKey, Throttle> {
  const raw = context.routeThrottles;
  if (raw === undefined || raw === null) return { ...ROUTE_THROTTLE_DEFAULTS };
  if (!isRecord(raw)) {
    throw new ConfigError(
      'routeThrottles must be an object of "METHOD /path" to {"rateLimit", "burstLimit"}',
    );
  }
  const throttles = { ...ROUTE_THROTTLE_DEFAULTS };
  for (const [route, value] of Object.entries(raw)) {
    if (!ROUTES.has(route)) {
      throw new ConfigError(`routeThrottles["${route}"]: no such route (e.g. "POST /requests")`);
    }
    throttles[route] = throttleOf(route, value);
  }
  return throttles;
}

function throttleOf(route: string, value: unknown): Throttle {
  const number = (name: keyof Throttle, max: number): number => {
    const n = isRecord(value) ? value[name] : undefined;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
      throw new ConfigError(`routeThrottles["${route}"].${name} must be a whole number from 1 to ${max}`);
    }
    return n;
  };
  return { rateLimit: number('rateLimit', 10_000), burstLimit: number('burstLimit', 5_000) };
}

/** API Gateway's method-settings key for a route: `/tasks/{taskId}/POST`. */
export const methodSettingsKey = (route: RouteKey): string => {
  const [method, path] = route.split(' ');
  return `${path}/${method}`;
};
