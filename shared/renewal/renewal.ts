/**
 * SOP 17 "Data Privacy Agreement and SSL grade will be renewed annually if applicable": what applies
 * to a resource, when the renewal is due, and the one-time EventBridge Scheduler schedule that starts
 * the annual-renewal state machine then.
 */
import { createHash } from 'node:crypto';
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { hostnameOf } from '../core/text/hostname.ts';
import type { RenewalPlan, RequestRecord } from '../workflow/index.ts';
import { RENEWAL_SCHEDULE_PREFIX } from '../workflow/index.ts';

export const NOTHING_TO_RENEW = 'No DPA and no website: nothing to renew annually';
export const DEFAULT_RENEWAL_LEAD_DAYS = 30;
const DAY_MS = 86_400_000;
/** Scheduler names: 1-64 characters of [0-9a-zA-Z-_.]. */
const MAX_SCHEDULE_NAME = 64;

export interface RenewalApplicability {
  /** A DPA was signed (SOP 4), so it is renewed every year. */
  dpa: boolean;
  /** The resource uses a website (SOP 5), so its SSL grade is re-tested every year. */
  ssl: boolean;
}

export function renewalApplicability(request: RequestRecord): RenewalApplicability {
  return { dpa: request.security?.dpa?.decision === 'signed', ssl: renewalWebsites(request).length > 0 };
}

export const isRenewalApplicable = (a: RenewalApplicability) => a.dpa || a.ssl;

/** "DPA renewal and SSL re-test", "DPA renewal", "SSL re-test". */
export function renewalWork(a: RenewalApplicability): string {
  return [a.dpa ? 'DPA renewal' : '', a.ssl ? 'SSL re-test' : ''].filter(Boolean).join(' and ');
}

/**
 * One year from now, or `leadDays` before the signed DPA expires when that is sooner, so the vendor
 * is asked in time; a date already past (an expired or nearly expired DPA) becomes tomorrow.
 * Keeps the current time of day; whole seconds (Scheduler `at()` has no milliseconds).
 */
export function renewalDueAt(
  now: Date,
  options: { dpaExpiresOn?: string; leadDays: number },
): { due: Date; basis: 'anniversary' | 'dpa-expiry' } {
  const start = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const anniversary = new Date(start);
  anniversary.setUTCFullYear(anniversary.getUTCFullYear() + 1);
  const expiry = parseDay(options.dpaExpiresOn);
  if (expiry === undefined) return { due: anniversary, basis: 'anniversary' };
  const timeOfDay = start.getTime() % DAY_MS;
  const beforeExpiry = new Date(expiry + timeOfDay - options.leadDays * DAY_MS);
  if (beforeExpiry >= anniversary) return { due: anniversary, basis: 'anniversary' };
  if (beforeExpiry <= start) return { due: new Date(start.getTime() + DAY_MS), basis: 'dpa-expiry' };
  return { due: beforeExpiry, basis: 'dpa-expiry' };
}

/** Midnight UTC of a YYYY-MM-DD date (a longer ISO timestamp counts by its date), or undefined. */
function parseDay(value: string | undefined): number | undefined {
  const day = /^(\d{4}-\d{2}-\d{2})/.exec(value ?? '')?.[1];
  if (!day) return undefined;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** `renewal-<requestId>-<yyyy>`: one schedule per request and year, so a retried create conflicts. */
export function renewalScheduleName(requestId: string, due: Date): string {
  const year = due.getUTCFullYear();
  const name = `${RENEWAL_SCHEDULE_PREFIX}${requestId}-${year}`;
  if (name.length <= MAX_SCHEDULE_NAME) return name;
  const digest = createHash('sha256').update(requestId).digest('hex').slice(0, 40);
  return `${RENEWAL_SCHEDULE_PREFIX}${digest}-${year}`;
}

/** Scheduler one-time expression in UTC: `at(yyyy-mm-ddThh:mm:ss)`. */
export const atExpression = (due: Date) => `at(${due.toISOString().slice(0, 19)})`;

export function renewalScheduleInput(options: {
  requestId: string;
  due: Date;
  groupName: string;
  stateMachineArn: string;
  roleArn: string;
  /** SQS queue for events Scheduler could not deliver (SCHEDULER_DLQ_ARN). */
  deadLetterArn?: string;
}): CreateScheduleCommandInput & { Name: string } {
  return {
    Name: renewalScheduleName(options.requestId, options.due),
    GroupName: options.groupName,
    Description: `TS-PE-535 step 17: annual renewal (DPA, SSL grade) of request ${options.requestId}`,
    ScheduleExpression: atExpression(options.due),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: options.stateMachineArn,
      RoleArn: options.roleArn,
      Input: JSON.stringify({ requestId: options.requestId }),
      RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      ...(options.deadLetterArn ? { DeadLetterConfig: { Arn: options.deadLetterArn } } : {}),
    },
  };
}

/**
 * What the annual renewal does for this request. `url` and `vendorContactEmail` are always present
 * (empty when unknown): the state machine's ResultSelector reads them by path.
 */
export function planRenewal(request: RequestRecord): RenewalPlan {
  const applies = renewalApplicability(request);
  return {
    requestId: request.requestId,
    dpaRenewalDue: applies.dpa,
    sslRetestDue: applies.ssl,
    vendorContactEmail: request.security?.privacyReview?.vendorContactEmail ?? '',
    url: request.resource.url ?? '',
    websites: renewalWebsites(request),
  };
}

/** The websites tested at vetting (SOP 5): those Cybersecurity named, or the request's link on older records. */
export function renewalWebsites(request: RequestRecord): string[] {
  const named = request.security?.privacyReview?.websites;
  if (named) return named;
  const host = hostnameOf(request.resource.url);
  return host ? [host] : [];
}
