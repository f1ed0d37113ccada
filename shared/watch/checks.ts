/**
 * How often the watch looks (issue 22; docs/design.md "Monitoring"): the district sets both in
 * cdk.json (`policyCheckDays`, `sslCheckDays`); these are the defaults and the bounds. A schedule
 * (EventBridge Scheduler `rate(n days)` on AWS, the local clock locally) invokes each function.
 */
export const WATCH_CHECKS = {
  /** watch-policies: the reviewed privacy policies, fetched and compared. */
  policyCheckDays: { default: 7, function: 'watch-policies' },
  /** start-ssl-spot-checks: the SSL grade of every tested website, between renewals. */
  sslCheckDays: { default: 30, function: 'start-ssl-spot-checks' },
} as const;

export type WatchCheck = keyof typeof WATCH_CHECKS;
export type WatchCheckDays = Record<WatchCheck, number>;

export const WATCH_CHECK_DAYS_BOUNDS = { min: 1, max: 365 } as const;

export const DEFAULT_WATCH_CHECK_DAYS: WatchCheckDays = {
  policyCheckDays: WATCH_CHECKS.policyCheckDays.default,
  sslCheckDays: WATCH_CHECKS.sslCheckDays.default,
};

/** What the schedule sends the function: the time it was due (Scheduler fills the attribute in). */
export const WATCH_SCHEDULE_INPUT = JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' });

/** The Scheduler expression of a check every `days` days. */
export const everyDaysExpression = (days: number) => `rate(${days} ${days === 1 ? 'day' : 'days'})`;

/**
 * The district's check intervals from its settings (cdk.json context): whole days within the bounds;
 * an absent one keeps its default. Throws an Error naming every bad setting.
 */
export function parseWatchCheckDays(context: Record<string, unknown>): WatchCheckDays {
  const out: WatchCheckDays = { ...DEFAULT_WATCH_CHECK_DAYS };
  const problems: string[] = [];
  for (const key of ['policyCheckDays', 'sslCheckDays'] as const) {
    const value = context[key];
    if (value === undefined || value === null) continue;
    const { min, max } = WATCH_CHECK_DAYS_BOUNDS;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push(
        `${key} must be a whole number of days from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
    } else out[key] = value;
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return out;
}
