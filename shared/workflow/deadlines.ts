/**
 * How long each human step of TS-PE-535 may wait for its decision before the request is closed with a
 * reason (the state's TimeoutSeconds, and the due date on the task link). The district sets them in
 * cdk.json (`humanStepDeadlineDays`, validated by cdk/config.ts and local/config.ts); these are the
 * defaults. The ASL files never spell a deadline: a waitForTaskToken state says
 *   "TimeoutSeconds": "${PrivacyReviewDeadlineSeconds}"      (the whole JSON value, quotes included)
 * and its payload's `timeoutSeconds` says the same; texts may say "within ${PrivacyReviewDeadlineDays} days".
 * `resolveDeadlines` turns those placeholders into numbers before anything reads the definition (CDK,
 * the local engine, asl-validator, `npm run limits`), so every consumer sees plain valid ASL.
 */

import { ConfigError } from '../core/errors.ts';
import { isOneOf, keysOf } from '../core/guards.ts';
import type { TaskKind } from './task-kinds.ts';

const DAY_SECONDS = 86_400;

/**
 * Default deadline of each task kind, in days. A new task kind must be listed here (the type says so):
 * the SOP gives reviews 14 days and steps that wait on a vendor or a purchase 21.
 */
/** Every human step but the SSL remediation, which waits for what is left of its own window. */
export type DeadlineKind = Exclude<TaskKind, 'ssl-remediation'>;

export const DEFAULT_DEADLINE_DAYS: Record<DeadlineKind, number> = {
  'privacy-review': 14,
  'dpa-signature': 21,
  'curriculum-review': 14,
  'administrative-review': 14,
  'technical-review': 14,
  replacement: 21,
  procurement: 21,
  license: 21,
  installation: 21,
  // Between renewals (issue 22): a changed privacy policy waits this long; undecided, nothing changes
  // and the next watch compares with the old policy again.
  'policy-change': 30,
  // The reply to a reviewer's question (SOP 4): after it the review resumes without an answer.
  answer: 7,
  // The longest state notice clock (Illinois: parents within 30 days); the clocks themselves are
  // cdk.json `incidentClocks`, each shown with its own date.
  'incident-review': 30,
  // The written disposal notice of a standard DPA (NDPA Exhibit D): 60 days to certify destruction.
  'deletion-confirmation': 60,
};

/** The smallest and largest deadline a district may set for one step (days). */
export const DEADLINE_DAYS_BOUNDS = { min: 1, max: 180 } as const;

export type DeadlineDays = Record<DeadlineKind, number>;

/** `privacy-review` → `PrivacyReview` (the stem of its placeholders). */
export function deadlineStem(kind: string): string {
  return kind
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The placeholder a waitForTaskToken state of this kind uses for TimeoutSeconds. */
export const deadlineSecondsPlaceholder = (kind: string) => `\${${deadlineStem(kind)}DeadlineSeconds}`;

/**
 * Checks a district's deadlines (days per task kind; kinds left out keep their default) and returns the
 * full table. Throws ConfigError naming every bad entry.
 */
export function parseDeadlineDays(raw: unknown): DeadlineDays {
  const out: DeadlineDays = { ...DEFAULT_DEADLINE_DAYS };
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('humanStepDeadlineDays must be an object of task kind to a number of days');
  }
  const problems: string[] = [];
  for (const [kind, days] of Object.entries(raw)) {
    if (!isOneOf(keysOf(DEFAULT_DEADLINE_DAYS), kind)) {
      problems.push(
        `humanStepDeadlineDays.${kind}: unknown task kind (known: ${Object.keys(DEFAULT_DEADLINE_DAYS).join(', ')})`,
      );
    } else if (
      typeof days !== 'number' ||
      !Number.isInteger(days) ||
      days < DEADLINE_DAYS_BOUNDS.min ||
      days > DEADLINE_DAYS_BOUNDS.max
    ) {
      problems.push(
        `humanStepDeadlineDays.${kind}: must be a whole number of days from ${DEADLINE_DAYS_BOUNDS.min} to ${DEADLINE_DAYS_BOUNDS.max}`,
      );
    } else {
      out[kind] = days;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  return out;
}

/**
 * Replaces the deadline placeholders of an ASL text: `"${XDeadlineSeconds}"` (a whole JSON string) by
 * the number of seconds, `${XDeadlineDays}` inside a text by the number of days. A placeholder naming
 * no task kind is an error, so a typo cannot reach a deployment as a literal string.
 */
export function resolveDeadlines(asl: string, days: DeadlineDays = DEFAULT_DEADLINE_DAYS): string {
  const byStem = new Map(Object.entries(days).map(([kind, d]) => [deadlineStem(kind), d]));
  const lookup = (stem: string, token: string): number => {
    const d = byStem.get(stem);
    if (d === undefined) throw new ConfigError(`${token} names no task kind of shared/workflow/deadlines.ts`);
    return d;
  };
  return asl
    .replace(/"\$\{(\w+)DeadlineSeconds\}"/g, (token, stem: string) =>
      String(lookup(stem, token) * DAY_SECONDS),
    )
    .replace(/\$\{(\w+)DeadlineDays\}/g, (token, stem: string) => String(lookup(stem, token)))
    .replace(/\$\{(\w+)DeadlineSeconds\}/g, (token) => {
      throw new ConfigError(`${token} must be a whole JSON value ("${token}"), not part of a text`);
    });
}
