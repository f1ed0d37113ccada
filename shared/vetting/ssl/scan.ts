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
 *
 * Issue 22: before it starts, a scan takes one SSL Labs slot per host (shared/vetting/ssl/slots.ts).
 * With no room it returns `slotWait` instead of calling SSL Labs, and the state machine waits and
 * tries again; the scan's own clock (`startedAt`, the wait cap) starts only once it holds its slots.
 * Each call renews the slots' leases up to the next call; a host's slot is given back with its verdict.
 */

import type { RequestStore } from '../../requests/index.ts';
import type {
  CheckSslOutput,
  CheckSslRequest,
  SslEndpointGrade,
  SslHostProgress,
  SslHostState,
} from '../../workflow/index.ts';
import { gradeAssessment, type SslVerdict, toEndpointGrades, worstGrade } from './grading.ts';
import { describeDuration, learnSlotMax, settleScanSlots, takeScanSlots } from './scan-slots.ts';
import type { SslSlots } from './slots.ts';
import type { AnalyzeResult, SslLabsCapacity, SslLabsClient } from './ssllabs-client.ts';

export const SSL_SOP_STEP = 5;
export const RENEWAL_SOP_STEP = 17;

/** Seconds between polls without an ETA: 5, then 10 growing ×1.5 up to 120. */
const POLL_WAIT = { first: 5, second: 10, growth: 1.5, max: 120 } as const;
/** An ETA SSL Labs gives is waited for within these bounds (seconds). */
const ETA_WAIT = { min: 10, max: 300 } as const;
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
    const floor = calls <= 1 ? POLL_WAIT.first : Math.ceil(elapsed * SCAN_WAIT_GROWTH);
    elapsed += Math.max(1, Math.min(Math.max(POLL_WAIT.first, floor), Math.ceil(maxWaitSeconds - elapsed)));
    calls++;
  }
  return calls;
}

export interface SslScanDeps {
  ssllabs: Pick<SslLabsClient, 'analyze'>;
  store: Pick<RequestStore, 'requireRequest' | 'updateRequest' | 'setRequestSecurity' | 'appendAudit'>;
  now: () => Date;
  /** SSL_MAX_WAIT_SECONDS: give up this long after the scan started. */
  maxWaitSeconds: number;
  /** The one SSL Labs limit across executions (issue 22). */
  slots: SslSlots;
  /** [0, 1): jitter of the waits for a slot and after busy answers (default Math.random). */
  random?: () => number;
}

/**
 * An assessment SSL Labs ended in ERROR (DNS failure, unreachable endpoint) is started again this many
 * times, a minute later, before the host counts as ungraded: a passing glitch is not a finding.
 */
export const MAX_SCAN_ERROR_RETRIES = 2;
const SCAN_ERROR_RETRY_SECONDS = 60;
/** A host's reason is cut to this length in the state (256 KB cap); the record keeps the verdict. */
const MAX_HOST_REASON = 200;
const MAX_SCAN_REASON = 900;

/** The scan as this call takes it up: every host's progress, and the scan's start once it has one. */
interface ScanState {
  requestId: string;
  hosts: SslHostState[];
  startedAt?: Date;
  polls: number;
}

/** A host's progress before its first call. */
const notStarted = (host: string): SslHostState => ({
  host,
  polls: 0,
  errorRetries: 0,
  finished: false,
  passed: false,
  reason: `SSL Labs test of ${host} not started yet`,
});

/**
 * The hosts' progress as the previous call returned it, or, on the first call, every distinct website
 * not started yet (the schema made sure there is at least one).
 */
function scanState(input: CheckSslRequest): ScanState {
  const { requestId, websites, url, hosts, startedAt, polls } = input;
  let progress: SslHostState[];
  if (hosts && hosts.length > 0) progress = hosts;
  else {
    const names = websites ?? (url ? [url] : []);
    // The single-host form carries the scan's own poll count (it counts the calls SSL Labs answered).
    progress = [...new Set(names)].map((h) => ({
      ...notStarted(h),
      polls: names.length === 1 ? (polls ?? 0) : 0,
    }));
  }
  return { requestId, hosts: progress, ...(startedAt ? { startedAt } : {}), polls: polls ?? 0 };
}

/** Seconds to Wait before the next poll of an unfinished scan (before the cap is applied). */
export function nextPollDelay(result: AnalyzeResult, polls: number): number {
  if (result.kind === 'busy') return result.retryAfterSeconds;
  const etas = result.host.endpoints.map((e) => e.eta ?? -1).filter((eta) => eta > 0);
  if (result.host.status === 'IN_PROGRESS' && etas.length > 0) {
    return Math.min(ETA_WAIT.max, Math.max(ETA_WAIT.min, Math.ceil(Math.max(...etas))));
  }
  if (result.host.status === 'DNS' || polls <= 1) return POLL_WAIT.first;
  return Math.min(POLL_WAIT.max, Math.round(POLL_WAIT.second * POLL_WAIT.growth ** (polls - 2)));
}

export { describeDuration };

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** One start-or-poll call for one host that has no verdict yet. */
async function stepHost(
  h: SslHostState,
  deps: SslScanDeps,
  elapsedSeconds: number,
  endpointCap: number,
): Promise<{
  state: SslHostState;
  verdict?: SslVerdict;
  last?: AnalyzeResult;
  answered: boolean;
  capacity?: SslLabsCapacity;
}> {
  const result = await deps.ssllabs.analyze(h.host, { startNew: h.polls === 0 });
  const answered = result.kind === 'host';
  const announced = result.capacity ? { capacity: result.capacity } : {};
  const polls = result.kind === 'host' ? h.polls + 1 : h.polls;
  if (result.kind === 'host' && (result.host.status === 'READY' || result.host.status === 'ERROR')) {
    const verdict = gradeAssessment(result.host, h.host);
    const retry =
      result.host.status === 'ERROR' &&
      h.errorRetries < MAX_SCAN_ERROR_RETRIES &&
      elapsedSeconds + SCAN_ERROR_RETRY_SECONDS < deps.maxWaitSeconds;
    if (retry) {
      // Start the assessment again a minute later (polls 0 = startNew on the next call).
      const state: SslHostState = {
        host: h.host,
        polls: 0,
        errorRetries: h.errorRetries + 1,
        finished: false,
        passed: false,
        reason: clip(
          `${verdict.reason}; SSL Labs will try again (${h.errorRetries + 1} of ${MAX_SCAN_ERROR_RETRIES})`,
          MAX_HOST_REASON,
        ),
        nextPollSeconds: SCAN_ERROR_RETRY_SECONDS,
      };
      return { state, answered, ...announced };
    }
    return { state: finishedHost(h, polls, verdict, endpointCap), verdict, answered, ...announced };
  }
  // SSL Labs is busy (429, 503, 529): back off its cool-off plus up to half again, so that the scans it
  // turned away do not all come back at the same second.
  const delay = nextPollDelay(result, polls);
  const nextPollSeconds =
    result.kind === 'busy' ? delay + Math.floor((deps.random ?? Math.random)() * (delay / 2)) : delay;
  return {
    state: {
      ...h,
      polls,
      reason: clip(progressActivity(result, h.host, polls, nextPollSeconds), MAX_HOST_REASON),
      nextPollSeconds,
    },
    last: result,
    answered,
    ...announced,
  };
}

function finishedHost(
  h: SslHostState,
  polls: number,
  verdict: SslVerdict,
  endpointCap: number,
): SslHostState {
  return {
    host: h.host,
    polls,
    errorRetries: h.errorRetries,
    finished: true,
    passed: verdict.passed,
    ...(verdict.grade ? { grade: verdict.grade } : {}),
    reason: clip(verdict.reason, MAX_HOST_REASON),
    // Without the host name per endpoint in the state (256 KB cap); the record gets it.
    endpoints: verdict.endpoints.slice(0, endpointCap),
  };
}

/**
 * Runs one start-or-poll step of the SSL Labs scan of every website of a request. `request` was
 * parsed by workflowStep with checkSslInputSchema.
 */
export async function runSslScanStep(request: CheckSslRequest, deps: SslScanDeps): Promise<CheckSslOutput> {
  const input = scanState(request);
  const now = deps.now();
  let slotMax: number | undefined;
  if (!input.startedAt) {
    const taken = await takeScanSlots(input, request.slotWait ?? undefined, now, deps);
    if ('queued' in taken) {
      const { waitSeconds } = taken.queued;
      return {
        finished: false,
        passed: false,
        endpoints: [],
        reason: clip(taken.queued.reason, MAX_SCAN_REASON),
        nextPollSeconds: waitSeconds,
        startedAt: now.toISOString(),
        polls: 0,
        hosts: input.hosts.map(({ endpoints: _endpoints, nextPollSeconds: _next, ...h }) => h),
        slotWait: taken.queued.slotWait,
      };
    }
    slotMax = taken.max;
  }
  const output = await scanStep(input, now, deps);
  await settleScanSlots(input.requestId, output.result, now, deps.slots);
  await learnSlotMax(slotMax, output.capacity, deps.slots);
  return output.result;
}

/** One start-or-poll call for every host without a verdict, the verdict once all have one. */
async function scanStep(
  input: ScanState,
  now: Date,
  deps: SslScanDeps,
): Promise<{ result: CheckSslOutput; capacity?: SslLabsCapacity }> {
  const startedAt = input.startedAt ?? now;
  const elapsedSeconds = Math.max(0, (now.getTime() - startedAt.getTime()) / 1000);
  // Every host's endpoints together stay within MAX_ENDPOINTS_IN_STATE.
  const endpointCap = Math.max(1, Math.floor(MAX_ENDPOINTS_IN_STATE / input.hosts.length));

  // The hosts still without a verdict are asked at once: a request names at most MAX_WEBSITES, and
  // one call per host keeps check-ssl within its Lambda timeout whatever their number.
  const steps: {
    state: SslHostState;
    last?: AnalyzeResult;
    answered?: boolean;
    capacity?: SslLabsCapacity;
  }[] = await Promise.all(
    input.hosts.map((h) =>
      h.finished ? Promise.resolve({ state: h }) : stepHost(h, deps, elapsedSeconds, endpointCap),
    ),
  );
  let hosts: SslHostState[] = steps.map((s) => s.state);
  // Calls SSL Labs answered (a busy answer does not count), as for one host.
  const polls = input.polls + (steps.some((s) => s.answered) ? 1 : 0);
  const base = { startedAt: startedAt.toISOString(), polls };
  const capacity = steps.find((s) => s.capacity)?.capacity;
  const announced = capacity ? { capacity } : {};

  if (hosts.some((h) => !h.finished) && elapsedSeconds >= deps.maxWaitSeconds) {
    hosts = hosts.map((h, i) => {
      if (h.finished) return h;
      const last = steps[i]?.last;
      const endpoints: SslEndpointGrade[] = last?.kind === 'host' ? toEndpointGrades(last.host) : [];
      return finishedHost(
        h,
        h.polls,
        {
          passed: false,
          endpoints,
          reason: `The SSL Labs scan of ${h.host} did not finish within ${describeDuration(deps.maxWaitSeconds)}`,
        },
        endpointCap,
      );
    });
  }

  if (hosts.every((h) => h.finished)) {
    const verdict = combineVerdicts(hosts);
    await recordVerdict(input.requestId, hosts, verdict, now, deps);
    return { result: toOutput(verdict, hosts, base), ...announced };
  }

  const remaining = Math.max(1, Math.ceil(deps.maxWaitSeconds - elapsedSeconds));
  const floor = Math.ceil(elapsedSeconds * SCAN_WAIT_GROWTH);
  const wanted = Math.min(
    ...hosts.filter((h) => !h.finished).map((h) => h.nextPollSeconds ?? POLL_WAIT.first),
  );
  const nextPollSeconds = Math.min(Math.max(wanted, floor), remaining);
  const activity = hosts
    .filter((h) => !h.finished)
    .map((h) => h.reason)
    .join('; ');
  await deps.store.updateRequest(input.requestId, { currentActivity: clip(activity, MAX_SCAN_REASON) });
  return {
    result: {
      finished: false,
      passed: false,
      endpoints: [],
      reason: clip(activity, MAX_SCAN_REASON),
      nextPollSeconds,
      ...base,
      hosts,
    },
    ...announced,
  };
}

/**
 * SOP 5 over every website: passed only when every host passed; the worst grade over all hosts and
 * endpoints counts (given only when every host was graded).
 */
export function combineVerdicts(hosts: readonly SslHostProgress[]): Omit<SslVerdict, 'endpoints'> {
  const passed = hosts.every((h) => h.passed);
  const graded = hosts.every((h) => h.grade !== undefined);
  const grade = graded
    ? worstGrade(hosts.flatMap((h) => (h.grade === undefined ? [] : [h.grade])))
    : undefined;
  const only = hosts.length === 1 ? hosts[0] : undefined;
  let reason: string;
  if (only) reason = only.reason;
  else if (passed) {
    reason = `SSL Labs grades meet the required A or better on all ${hosts.length} websites (${hosts.map((h) => `${h.host} ${h.grade}`).join(', ')})`;
  } else {
    const failing = hosts.filter((h) => !h.passed);
    reason = `${failing.length} of ${hosts.length} websites fail the SSL test${grade ? ` (worst grade ${grade})` : ''}: ${failing.map((h) => h.reason).join('; ')}`;
  }
  return { passed, ...(grade ? { grade } : {}), reason: clip(reason, MAX_SCAN_REASON) };
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

function toOutput(
  verdict: Omit<SslVerdict, 'endpoints'>,
  hosts: SslHostState[],
  base: { startedAt: string; polls: number },
): CheckSslOutput {
  return {
    finished: true,
    passed: verdict.passed,
    ...(verdict.grade ? { grade: verdict.grade } : {}),
    endpoints: hosts.flatMap((h) => h.endpoints ?? []).slice(0, MAX_ENDPOINTS_IN_STATE),
    reason: verdict.reason,
    nextPollSeconds: 0,
    ...base,
    hosts: hosts.map(({ endpoints: _endpoints, nextPollSeconds: _next, ...h }) => h),
  };
}

/**
 * Records the verdict on the request (security.ssl, written on its own so other security findings are
 * never overwritten) and in the audit trail. A request already approved is in its annual renewal
 * (SOP 17): the step it is on is left alone and the audit event is filed under step 17.
 */
async function recordVerdict(
  requestId: string,
  hosts: SslHostState[],
  verdict: Omit<SslVerdict, 'endpoints'>,
  now: Date,
  deps: SslScanDeps,
): Promise<void> {
  const request = await deps.store.requireRequest(requestId);
  const renewal = request.status === 'APPROVED';
  const testedAt = now.toISOString();
  const outcome = verdict.passed ? 'passed' : 'failed';
  const endpoints = hosts.flatMap((h) => (h.endpoints ?? []).map((e) => ({ ...e, host: h.host })));
  const perHost = hosts.map((h) => ({
    host: h.host,
    passed: h.passed,
    ...(h.grade ? { grade: h.grade } : {}),
    reason: h.reason,
  }));
  await deps.store.setRequestSecurity(requestId, 'ssl', {
    ...(verdict.grade ? { grade: verdict.grade } : {}),
    endpoints,
    hosts: perHost,
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
      host: hosts.map((h) => h.host).join(', '),
      hosts: perHost,
      passed: verdict.passed,
      ...(verdict.grade ? { grade: verdict.grade } : {}),
      endpoints,
    },
  });
}
