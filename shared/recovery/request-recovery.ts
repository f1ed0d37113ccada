/**
 * SOP 2 → 3 recovery: a request that was stored but whose workflow never started (the submitting
 * Lambda, or the local runtime, died between the request write and StartExecution, and nobody
 * submitted again) is started by a sweep: every 15 minutes on AWS, at start and every few minutes
 * locally.
 *
 * The request sits in the UNSTARTED index partition from createRequest until markRequestStarted
 * (submission.ts records the execution last), so the sweep reads exactly the requests to finish. For
 * each one older than `minAgeSeconds` (longer than a submission can run, so a submission in progress
 * is never raced) it does what the submission would have done next, each step idempotent:
 *   read the request again (the index is eventually consistent)
 *   → audit SUBMITTED if the crash came before it
 *   → StartExecution(name = requestId, the submission's input); ExecutionAlreadyExists = started
 *   → audit WORKFLOW_STARTED_BY_RECOVERY (once) → acknowledgement email (through the outbox,
 *     effect key `ack`: sent unless recorded by a sender less than a minute ago)
 *   → markRequestStarted (last: a crash before it leaves the request for the next sweep).
 * A request the workflow has visibly run for (status or step moved on) is only marked started.
 *
 * A request that cannot be started now is logged at error level (operators have an alarm on it) and
 * stays for the next sweep; the others go on. A failing store is a TransientError: the sweep stops
 * and the next one continues.
 */

import { logger } from '../core/logger.ts';
import type { SendOnceDeps } from '../core/mail/send-once.ts';
import type { RequestStore } from '../requests/index.ts';
import {
  acknowledgeOnce,
  executionArnFor,
  type SubmissionDeps,
  startWorkflow,
  submittedAuditEvent,
} from '../requests/index.ts';
import type { RequestRecord } from '../workflow/index.ts';
import { sweepEach } from './sweep-each.ts';

/** Longer than submit-request can run (its Lambda timeout), so the sweep never races a live submission. */
export const DEFAULT_MIN_AGE_SECONDS = 60;
/** Requests per sweep; the oldest first, the rest wait for the next sweep. */
export const DEFAULT_SWEEP_LIMIT = 100;
export const RECOVERY_AUDIT_TYPE = 'WORKFLOW_STARTED_BY_RECOVERY';

export interface RecoveryDeps
  extends Pick<SubmissionDeps, 'sfn' | 'mailer' | 'stateMachineArn' | 'publicBaseUrl'> {
  store: Pick<
    RequestStore,
    'listUnstartedRequests' | 'getRequest' | 'listAudit' | 'appendAudit' | 'markRequestStarted'
  > &
    SendOnceDeps['outbox'];
  now?: () => Date;
}

export interface RecoveryOptions {
  minAgeSeconds?: number;
  limit?: number;
  /** The local runtime restarted then: a request stored before it is a dead submission's, whatever its age. */
  restartedAt?: Date;
}

/** Request ids by what the sweep did with them. */
export interface RecoveryResult {
  /** Their workflow was started now (or had been started, unrecorded, by the interrupted submission). */
  started: string[];
  /** Their workflow was already recorded or had visibly run: only the index entry was left. */
  alreadyRunning: string[];
  /** Could not be started now (logged at error level); the next sweep tries again. */
  failed: string[];
}

export async function startUnstartedRequests(
  deps: RecoveryDeps,
  { minAgeSeconds = DEFAULT_MIN_AGE_SECONDS, limit = DEFAULT_SWEEP_LIMIT, restartedAt }: RecoveryOptions = {},
): Promise<RecoveryResult> {
  const now = deps.now ?? (() => new Date());
  const createdBefore = cutOff(now(), minAgeSeconds, restartedAt);
  const listed = await deps.store.listUnstartedRequests(createdBefore, limit);
  return sweepEach(listed, {
    outcomes: ['started', 'alreadyRunning'],
    limit,
    identify: ({ requestId }) => ({ id: requestId, logFields: { requestId } }),
    recover: ({ requestId }) => recoverRequest(deps, requestId),
    failureMessage: 'Could not start the workflow of a stored request; the next sweep tries again',
    summaryMessage: 'Unstarted requests swept',
  });
}

/** One request: the submission's remaining steps. Undefined when the request no longer exists. */
async function recoverRequest(
  deps: RecoveryDeps,
  requestId: string,
): Promise<keyof RecoveryResult | undefined> {
  const request = await deps.store.getRequest(requestId);
  if (!request) return undefined;
  const ack = {
    requestId,
    request: request.submitted,
    statusUrl: `${deps.publicBaseUrl}/requests/${requestId}`,
  };
  if (request.executionArn || workflowHasRun(request)) {
    // Running already: only the acknowledgement may be missing (its send failed).
    if (!(await acknowledgeOnce(deps, ack))) return 'failed';
    await deps.store.markRequestStarted(
      requestId,
      request.executionArn ?? executionArnFor(deps.stateMachineArn, requestId),
    );
    return 'alreadyRunning';
  }

  const audit = await deps.store.listAudit(requestId);
  if (!audit.some((e) => e.type === 'SUBMITTED')) {
    await deps.store.appendAudit(submittedAuditEvent(requestId, request.submitted));
  }

  const executionArn = await startWorkflow(deps, requestId, request.submitted);
  // startWorkflow logged why, at error level.
  if (!executionArn) return 'failed';
  if (!audit.some((e) => e.type === RECOVERY_AUDIT_TYPE)) {
    await deps.store.appendAudit({
      requestId,
      sopStep: 2,
      type: RECOVERY_AUDIT_TYPE,
      // True whether this call started it or the interrupted submission had, unrecorded.
      summary: 'Review workflow started after the submission was interrupted',
      actor: 'workflow',
    });
  }
  // Not acknowledged yet (the email failed): the request stays listed for the next sweep.
  if (!(await acknowledgeOnce(deps, ack))) return 'started';
  await deps.store.markRequestStarted(requestId, executionArn);
  logger.info('Workflow of an unstarted request started', { requestId });
  return 'started';
}

/**
 * What is older than this was written by a sender that is gone: older than the cut-off (longer than a
 * sender runs), or written before the local runtime restarted (nothing of the process before lives on).
 */
export function cutOff(now: Date, minAgeSeconds: number, restartedAt?: Date): string {
  const byAge = now.getTime() - minAgeSeconds * 1000;
  return new Date(Math.max(byAge, restartedAt?.getTime() ?? byAge)).toISOString();
}

/** Only the workflow moves a request past step 2 or out of review: its execution exists. */
function workflowHasRun(request: RequestRecord): boolean {
  return request.status !== 'IN_REVIEW' || request.currentStep > 2;
}
