/**
 * How long each human step should take (days from assignment to decision): the district's service
 * levels, set in cdk.json (`serviceLevelDays`, task kind → days; kinds left out keep these defaults).
 * A task past its service level is "overdue" in the queue, the reports and the digest; its deadline
 * (deadlines.ts) still closes the request later, as before. A service level is never past its deadline.
 */
import { type Env, optionalEnv } from '../core/env.ts';
import { ConfigError } from '../core/errors.ts';
import { isOneOf, keysOf } from '../core/guards.ts';
import { DEADLINE_DAYS_BOUNDS, type DeadlineDays, type DeadlineKind } from './deadlines.ts';
import type { TaskKind } from './task-kinds.ts';

export type ServiceLevelDays = Record<DeadlineKind, number>;

/** Reviews within 10 days; steps that wait on a vendor, a purchase or an install within 14; a reply within 5. */
export const DEFAULT_SERVICE_LEVEL_DAYS: ServiceLevelDays = {
  'privacy-review': 10,
  'dpa-signature': 14,
  'curriculum-review': 10,
  'administrative-review': 10,
  'technical-review': 10,
  replacement: 14,
  procurement: 14,
  license: 14,
  installation: 14,
  'policy-change': 14,
  answer: 5,
  // New York's clock is the shortest: the district hears of it within 7 days.
  'incident-review': 7,
  'deletion-confirmation': 30,
};

/**
 * Checks a district's service levels: whole days from 1 to the step's deadline (`deadlines`, at synth
 * and local start; a handler, given the checked JSON, bounds them by the largest deadline allowed).
 * Throws ConfigError naming every bad entry.
 */
export function parseServiceLevelDays(raw: unknown, deadlines?: DeadlineDays): ServiceLevelDays {
  const limit = (kind: DeadlineKind) => deadlines?.[kind] ?? DEADLINE_DAYS_BOUNDS.max;
  const out: ServiceLevelDays = { ...DEFAULT_SERVICE_LEVEL_DAYS };
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError('serviceLevelDays must be an object of task kind to a number of days');
  }
  const problems: string[] = [];
  for (const [kind, days] of Object.entries(raw ?? {})) {
    if (!isOneOf(keysOf(DEFAULT_SERVICE_LEVEL_DAYS), kind)) {
      problems.push(`serviceLevelDays.${kind}: unknown task kind`);
    } else if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > limit(kind)) {
      problems.push(
        `serviceLevelDays.${kind}: must be a whole number of days from 1 to the deadline (${limit(kind)})`,
      );
    } else {
      out[kind] = days;
    }
  }
  // A default may pass a deadline the district shortened: it then follows the deadline.
  for (const kind of keysOf(out)) out[kind] = Math.min(out[kind], limit(kind));
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return out;
}

/** SERVICE_LEVEL_DAYS (JSON, as CDK writes it from cdk.json); the defaults when unset. */
export function readServiceLevelDays(env: Env = process.env): ServiceLevelDays {
  const raw = optionalEnv('SERVICE_LEVEL_DAYS', '', env);
  if (!raw) return { ...DEFAULT_SERVICE_LEVEL_DAYS };
  try {
    return parseServiceLevelDays(JSON.parse(raw));
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError('Environment variable SERVICE_LEVEL_DAYS must be a JSON object', { cause });
  }
}

/** The service level of a task kind (the SSL remediation has its own window: none here). */
export function serviceLevelOf(kind: TaskKind, levels: ServiceLevelDays): number | undefined {
  return isOneOf(keysOf(levels), kind) ? levels[kind] : undefined;
}

/** True when a pending task assigned at `assignedAt` is past its service level at `now`. */
export function pastServiceLevel(assignedAt: string, days: number | undefined, now: Date): boolean {
  return days !== undefined && now.getTime() - Date.parse(assignedAt) > days * 86_400_000;
}
