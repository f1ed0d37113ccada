/**
 * SOP 5 (and the SOP 17 re-test): one step of the SSL Labs scan loop the state machine drives.
 *
 * The first call (no `startedAt`) starts the assessment; later calls poll it. Each call answers
 * whether a verdict was reached and, if not, how long the state machine should Wait before the next
 * poll: the scan's ETA when SSL Labs gives one, otherwise 5 s, then 10 s growing ×1.5 up to 120 s, or
 * the cool-off SSL Labs asked for when it is busy; never less than half the time the scan has
 * already taken (SCAN_WAIT_GROWTH). After `maxWaitSeconds` from the start the scan is given up with
 * a clear reason. `polls` counts the calls SSL Labs answered: while it is 0 (the start
 * was refused as busy) the next call starts the assessment again rather than reading a cached report.
 */

import * as z from 'zod/mini';
import { lenientObject, parsePayload, requiredText } from '../domain/outcome.ts';
import type { CheckSslInput, CheckSslOutput, SslEndpointGrade } from '../domain/workflow.ts';
import type { WorkflowStore } from '../store/store.ts';
import { gradeAssessment, type SslVerdict, toEndpointGrades } from './grading.ts';
import type { AnalyzeResult, SslLabsClient } from './ssllabs-client.ts';

export const SSL_SOP_STEP = 5;
export const RENEWAL_SOP_STEP = 17;

const FIRST_POLL_SECONDS = 5;
const SECOND_POLL_SECONDS = 10;
const POLL_GROWTH = 1.5;
const MAX_POLL_SECONDS = 120;
const MIN_ETA_SECONDS = 10;
const MAX_ETA_SECONDS = 300;
/**
 * Each wait is at least this share of the time already spent, so the waits grow geometrically and
 * the number of calls per scan is logarithmic in `maxWaitSeconds` (maxScanCalls): each call adds
 * about 9 events to the execution history, which Step Functions caps at 25,000.
 */
export const SCAN_WAIT_GROWTH = 0.5;

/**
 * The most check-ssl calls one scan can make with this wait cap (every wait at its floor, each call
 * taking no time): the bound scripts/aws-limits.ts multiplies into the history-event budget.
 */
export function maxScanCalls(maxWaitSeconds: number): number {
  let elapsed = 0;
  let calls = 1;
  while (elapsed < maxWaitSeconds) {
    const floor = calls <= 1 ? FIRST_POLL_SECONDS : Math.ceil(elapsed * SCAN_WAIT_GROWTH);
    elapsed += Math.max(
      1,
      Math.min(Math.max(FIRST_POLL_SECONDS, floor), Math.ceil(maxWaitSeconds - elapsed)),
    );
    calls++;
  }
  return calls;
}

export interface SslScanDeps {
  ssllabs: Pick<SslLabsClient, 'analyze'>;
  store: Pick<WorkflowStore, 'requireRequest' | 'updateRequest' | 'setRequestSecurity' | 'appendAudit'>;
  now: () => Date;
  /** SSL_MAX_WAIT_SECONDS: give up this long after the scan started. */
  maxWaitSeconds: number;
}

interface ValidInput {
  requestId: string;
  hostname: string;
  startedAt?: Date;
  polls: number;
}

const NOT_A_WEBSITE = 'must be a full http(s) address, e.g. https://example.com';
const NOT_A_TIME = 'must be an ISO 8601 timestamp';
const NOT_A_COUNT = 'must be a non-negative integer';

/** The website's host name (lower case, no trailing dot), or '' when it is not an http(s) URL. */
function websiteHost(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return '';
    return parsed.hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return '';
  }
}

const checkSslPayload = lenientObject({
  requestId: requiredText('is required'),
  url: z.pipe(
    requiredText('is required (the website to test)'),
    z.pipe(z.transform(websiteHost), z.string().check(z.minLength(1, NOT_A_WEBSITE))),
  ),
  startedAt: z.optional(
    z.nullable(
      z.pipe(
        z.string({ error: NOT_A_TIME }),
        z.pipe(
          z.transform((t: string) => new Date(t)),
          z.date({ error: NOT_A_TIME }),
        ),
      ),
    ),
  ),
  polls: z.optional(z.nullable(z.int({ error: NOT_A_COUNT }).check(z.gte(0, NOT_A_COUNT)))),
});

/** Bad input is a ValidationError before anything is called or written. */
export function validateCheckSslInput(input: unknown): ValidInput {
  const { requestId, url: hostname, startedAt, polls } = parsePayload(checkSslPayload, input);
  return { requestId, hostname, ...(startedAt ? { startedAt } : {}), polls: polls ?? 0 };
}

/** Seconds to Wait before the next poll of an unfinished scan (before the cap is applied). */
export function nextPollDelay(result: AnalyzeResult, polls: number): number {
  if (result.kind === 'busy') return result.retryAfterSeconds;
  const etas = result.host.endpoints.map((e) => e.eta ?? -1).filter((eta) => eta > 0);
  if (result.host.status === 'IN_PROGRESS' && etas.length > 0) {
    return Math.min(MAX_ETA_SECONDS, Math.max(MIN_ETA_SECONDS, Math.ceil(Math.max(...etas))));
  }
  if (result.host.status === 'DNS' || polls <= 1) return FIRST_POLL_SECONDS;
  return Math.min(MAX_POLL_SECONDS, Math.round(SECOND_POLL_SECONDS * POLL_GROWTH ** (polls - 2)));
}

export function describeDuration(seconds: number): string {
  if (seconds % 60 === 0) {
    const minutes = seconds / 60;
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** Runs one start-or-poll step of the SSL Labs scan for a request. */
export async function runSslScanStep(rawInput: CheckSslInput, deps: SslScanDeps): Promise<CheckSslOutput> {
  const input = validateCheckSslInput(rawInput);
  const now = deps.now();
  const startedAt = input.startedAt ?? now;
  // Nothing answered yet (first call, or the start was refused as busy): start the assessment.
  const startNew = input.polls === 0;

  const result = await deps.ssllabs.analyze(input.hostname, { startNew });
  const polls = result.kind === 'host' ? input.polls + 1 : input.polls;
  const base = { startedAt: startedAt.toISOString(), polls };

  if (result.kind === 'host' && (result.host.status === 'READY' || result.host.status === 'ERROR')) {
    const verdict = gradeAssessment(result.host, input.hostname);
    await recordVerdict(input.requestId, input.hostname, verdict, now, deps);
    return toOutput(verdict, base);
  }

  const elapsedSeconds = Math.max(0, (now.getTime() - startedAt.getTime()) / 1000);
  if (elapsedSeconds >= deps.maxWaitSeconds) {
    const endpoints: SslEndpointGrade[] = result.kind === 'host' ? toEndpointGrades(result.host) : [];
    const verdict: SslVerdict = {
      passed: false,
      endpoints,
      reason: `The SSL Labs scan of ${input.hostname} did not finish within ${describeDuration(deps.maxWaitSeconds)}`,
    };
    await recordVerdict(input.requestId, input.hostname, verdict, now, deps);
    return toOutput(verdict, base);
  }

  const remaining = Math.max(1, Math.ceil(deps.maxWaitSeconds - elapsedSeconds));
  const floor = Math.ceil(elapsedSeconds * SCAN_WAIT_GROWTH);
  const nextPollSeconds = Math.min(Math.max(nextPollDelay(result, polls), floor), remaining);
  const activity = progressActivity(result, input.hostname, polls, nextPollSeconds);
  await deps.store.updateRequest(input.requestId, { currentActivity: activity });
  return { finished: false, passed: false, endpoints: [], reason: activity, nextPollSeconds, ...base };
}

function progressActivity(
  result: AnalyzeResult,
  hostname: string,
  polls: number,
  waitSeconds: number,
): string {
  if (result.kind === 'busy') {
    return `SSL Labs is busy (${result.message}); the test of ${hostname} resumes in ${describeDuration(waitSeconds)}`;
  }
  if (polls <= 1) return `SSL Labs test of ${hostname} started`;
  const progress = result.host.endpoints.map((e) => e.progress ?? -1).filter((p) => p >= 0);
  const percent = progress.length ? `, ${Math.round(Math.min(...progress))}% done` : '';
  return `SSL Labs test of ${hostname} in progress (poll ${polls}${percent})`;
}

/**
 * Endpoints carried in the execution state at most: the state is capped at 256 KB, and a host can
 * have any number of addresses. The request record keeps the full list.
 */
export const MAX_ENDPOINTS_IN_STATE = 64;

function toOutput(verdict: SslVerdict, base: { startedAt: string; polls: number }): CheckSslOutput {
  return {
    finished: true,
    passed: verdict.passed,
    ...(verdict.grade ? { grade: verdict.grade } : {}),
    endpoints: verdict.endpoints.slice(0, MAX_ENDPOINTS_IN_STATE),
    reason: verdict.reason,
    nextPollSeconds: 0,
    ...base,
  };
}

/**
 * Records the verdict on the request (security.ssl, written on its own so other security findings are never overwritten) and in
 * the audit trail. A request already approved is in its annual renewal (SOP 17): the step it is on
 * is left alone and the audit event is filed under step 17.
 */
async function recordVerdict(
  requestId: string,
  hostname: string,
  verdict: SslVerdict,
  now: Date,
  deps: SslScanDeps,
): Promise<void> {
  const request = await deps.store.requireRequest(requestId);
  const renewal = request.status === 'APPROVED';
  const testedAt = now.toISOString();
  const outcome = verdict.passed ? 'passed' : 'failed';
  await deps.store.setRequestSecurity(requestId, 'ssl', {
    ...(verdict.grade ? { grade: verdict.grade } : {}),
    endpoints: verdict.endpoints,
    passed: verdict.passed,
    reason: verdict.reason,
    testedAt,
  });
  await deps.store.updateRequest(requestId, {
    currentActivity: `${renewal ? 'Annual renewal: ' : ''}SSL Labs test ${outcome}: ${verdict.reason}`,
    ...(renewal ? {} : { currentStep: SSL_SOP_STEP }),
  });
  await deps.store.appendAudit({
    requestId,
    at: testedAt,
    sopStep: renewal ? RENEWAL_SOP_STEP : SSL_SOP_STEP,
    type: 'SSL_TESTED',
    summary: `${renewal ? 'Annual SSL re-test' : 'Qualys SSL Labs server test'} ${outcome}: ${verdict.reason}`,
    actor: 'Qualys SSL Labs (automated)',
    detail: {
      host: hostname,
      passed: verdict.passed,
      ...(verdict.grade ? { grade: verdict.grade } : {}),
      endpoints: verdict.endpoints,
    },
  });
}
