/**
 * What keeps the public form from being used against the district (issue 24): a requester's address
 * must be on one of the district's domains, and each requester (and, without sign-in, each client
 * address) may submit only so many requests an hour. Both are checked before anything is claimed,
 * stored or sent; the edge answers 400 naming `requesterEmail`, or 429 with Retry-After.
 */
import { type Env, requireEnv } from '../core/env.ts';
import { ConfigError, type FieldError } from '../core/errors.ts';
import { isRecord } from '../core/guards.ts';
import type { AllowanceStore } from '../core/store/allowances.ts';
import type { ResourceRequest } from '../workflow/index.ts';

/** The window of the submission limits: a count per clock hour. */
export const SUBMISSION_WINDOW_SECONDS = 3600;

export interface SubmissionLimits {
  /** Submissions an hour by one requester (the signed-in person, or the form's requesterEmail). */
  perRequesterPerHour: number;
  /**
   * Submissions an hour from one client address, without sign-in (AUTH_MODE=link), where the body
   * names the requester. Higher: a school's staff share one public address.
   */
  perAddressPerHour: number;
}

export const SUBMISSION_LIMIT_DEFAULTS: SubmissionLimits = { perRequesterPerHour: 10, perAddressPerHour: 60 };
/** The most either limit may be (the local runtime's "off" uses it). */
export const MAX_SUBMISSIONS_PER_HOUR = 100_000;

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const isDomainName = (value: string): boolean => DOMAIN.test(value);

/** REQUESTER_EMAIL_DOMAINS: the district's domains, comma-separated (required: none means nobody). */
export function readRequesterEmailDomains(env: Env = process.env): readonly string[] {
  const raw = requireEnv('REQUESTER_EMAIL_DOMAINS', env);
  const domains = raw.split(',').map((d) => d.trim().toLowerCase());
  const bad = domains.find((d) => !isDomainName(d));
  if (bad !== undefined) {
    throw new ConfigError(
      `Environment variable REQUESTER_EMAIL_DOMAINS must be domain names separated by commas, got "${bad}"`,
    );
  }
  return domains;
}

/** SUBMISSION_LIMITS: JSON {"perRequesterPerHour": n, "perAddressPerHour": n}, whole numbers from 1. */
export function readSubmissionLimits(env: Env = process.env): SubmissionLimits {
  const raw = requireEnv('SUBMISSION_LIMITS', env);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new ConfigError('SUBMISSION_LIMITS must be a JSON object', { cause });
  }
  if (!isRecord(parsed)) throw new ConfigError('SUBMISSION_LIMITS must be a JSON object');
  const limit = (name: keyof SubmissionLimits): number => {
    const value = parsed[name];
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < 1 ||
      value > MAX_SUBMISSIONS_PER_HOUR
    ) {
      throw new ConfigError(
        `SUBMISSION_LIMITS.${name} must be a whole number from 1 to ${MAX_SUBMISSIONS_PER_HOUR}`,
      );
    }
    return value;
  };
  return { perRequesterPerHour: limit('perRequesterPerHour'), perAddressPerHour: limit('perAddressPerHour') };
}

/**
 * The requester's address must be on one of `domains` or a subdomain of one: the acknowledgement goes
 * there, so an address elsewhere would let anyone make the district mail a stranger.
 */
export function requesterDomainError(email: string, domains: readonly string[]): FieldError | undefined {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  if (domains.some((d) => domain === d || domain.endsWith(`.${d}`))) return undefined;
  const list = domains.map((d) => `@${d}`).join(', ');
  return {
    field: 'requesterEmail',
    message: `Use your district email address (${list}): requests are accepted only from the district's own addresses`,
  };
}

/** Whether a submission may go ahead now; `admitted: false` changed nothing. */
export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/** Who is submitting, as the edge knows it. */
export interface Submitter {
  /** The signed-in person's email (AUTH_MODE=sso): the requester, whatever the body says. */
  signedIn?: string;
  /** The client's address (API Gateway's sourceIp), counted when nobody is signed in. */
  address?: string;
}

/**
 * Takes one of each allowance this submission counts against: the signed-in person's; or, without
 * sign-in, the client address's and then the requester's (the body's requesterEmail). When one is
 * used up, the ones taken are given back, so a refused submission leaves the counts as they were.
 */
export async function admitSubmission(
  submitter: Submitter,
  request: ResourceRequest,
  limits: SubmissionLimits,
  store: Pick<AllowanceStore, 'takeAllowance' | 'giveBackAllowance'>,
): Promise<Admission> {
  const rule = (limit: number) => ({ limit, windowSeconds: SUBMISSION_WINDOW_SECONDS });
  const counts = submitter.signedIn
    ? [{ who: `person:${submitter.signedIn.toLowerCase()}`, rule: rule(limits.perRequesterPerHour) }]
    : [
        ...(submitter.address
          ? [{ who: `address:${submitter.address}`, rule: rule(limits.perAddressPerHour) }]
          : []),
        { who: `requester:${request.requesterEmail.toLowerCase()}`, rule: rule(limits.perRequesterPerHour) },
      ];
  const taken: { who: string; window: string }[] = [];
  for (const { who, rule: r } of counts) {
    const allowance = await store.takeAllowance(who, r);
    if (allowance.taken) {
      taken.push({ who, window: allowance.window });
      continue;
    }
    for (const t of taken) await store.giveBackAllowance(t.who, t.window);
    return { admitted: false, retryAfterSeconds: allowance.retryAfterSeconds };
  }
  return { admitted: true };
}
