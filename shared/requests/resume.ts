/**
 * An operator resumes a request whose execution stopped (a system error, a release that broke it, a
 * timeout) with a NEW execution that starts at a named step (`npm run resume`, scripts/resume.ts).
 *
 * Why not the console's options: the execution name is the request id and stays taken for 90 days
 * after the execution closes, so "start it again" under that name fails; and a redrive resumes at the
 * failed state, which for this machine is the terminal `Failed` reached through `RecordError` (Catch),
 * so it does nothing useful.
 *
 * The new execution is named `<requestId>-r<n>` (n = 1 + the resumes the audit trail records), gets
 * the request's stored input (the resource under review now, after any replacement) and
 * `resumeAt: <state>`; the ASL's first state jumps there. Only the safe entry points of
 * shared/workflow/resume-points.ts are accepted, and only when the request's record and audit trail
 * show it got that far. Order: refuse or start, then the audit event EXECUTION_RESUMED, then the
 * request's execution ARN and status. Running the same command again after a crash in between starts
 * nothing new (StartExecution with the same name and input is the same execution) and completes the
 * writes.
 */

import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorName, WorkflowError } from '../core/errors.ts';
import {
  type AuditEvent,
  isResumePoint,
  RESUME_POINTS,
  type RequestRecord,
  type ResumePoint,
  resumedExecutionName,
  type WorkflowInput,
} from '../workflow/index.ts';
import type { RequestStore } from './store.ts';
import { executionArnFor } from './submission.ts';

export const EXECUTION_RESUMED = 'EXECUTION_RESUMED';

/** Step Functions execution names: 1-80 characters of letters, digits, `-` and `_`. */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** The request cannot be resumed as asked; nothing was started or written. The message says why. */
export class ResumeRefusedError extends WorkflowError {
  override name = 'ResumeRefusedError';
}

export interface ResumeDeps {
  store: Pick<
    RequestStore,
    'getRequest' | 'listAudit' | 'appendAudit' | 'updateRequest' | 'markRequestStarted'
  >;
  sfn: Pick<SFNClient, 'send'>;
  /** The software-request machine. */
  stateMachineArn: string;
}

export interface ResumeCommand {
  requestId: string;
  /** A state of statemachine/software-request.asl.json; only RESUME_POINTS are accepted. */
  at: string;
  /** Who resumes it (an operator's sign-in name or email), for the audit trail. */
  operator: string;
}

export interface ResumeResult {
  requestId: string;
  at: ResumePoint;
  executionName: string;
  executionArn: string;
  /** The execution the request had before (stopped), if any. */
  previousExecutionArn?: string;
}

export type ResumeInput = WorkflowInput & { resumeAt: ResumePoint };

/** The new execution's input: the request as the table holds it now, and where to start. */
export function resumeInput(request: RequestRecord, at: ResumePoint): ResumeInput {
  return {
    requestId: request.requestId,
    requestType: request.submitted.requestType,
    resource: request.resource,
    replacementCount: request.replacementCount,
    questions: { asked: 0 },
    rerouted: false,
    resumeAt: at,
  };
}

export async function resumeRequest(command: ResumeCommand, deps: ResumeDeps): Promise<ResumeResult> {
  const { requestId, at, operator } = command;
  if (!operator.trim())
    throw new ResumeRefusedError('Name the operator who resumes the request (--operator or $USER)');
  if (!isResumePoint(at)) {
    throw new ResumeRefusedError(
      `${at} is not a safe entry point. A new execution can start only at: ${Object.keys(RESUME_POINTS).join(', ')}`,
    );
  }
  const request = await deps.store.getRequest(requestId);
  if (!request) throw new ResumeRefusedError(`Request ${requestId} does not exist`);
  if ((request.status === 'APPROVED' || request.status === 'DENIED') && !request.error) {
    throw new ResumeRefusedError(
      `Request ${requestId} is ${request.status} and recorded no error: nothing to resume`,
    );
  }
  const audit = await deps.store.listAudit(requestId);
  const missing = missingFor(at, request, audit);
  if (missing) throw new ResumeRefusedError(`Request ${requestId} cannot resume at ${at}: ${missing}`);

  const previousExecutionArn = request.executionArn;
  if (previousExecutionArn && (await executionStatus(deps, previousExecutionArn)) === 'RUNNING') {
    throw new ResumeRefusedError(
      `Request ${requestId} still has a running execution (${previousExecutionArn}): stop it first, or let it finish`,
    );
  }

  const input = JSON.stringify(resumeInput(request, at));
  const resumes = audit.filter((e) => e.type === EXECUTION_RESUMED).length;
  const { executionName, executionArn } = await startNamed(deps, requestId, resumes + 1, input);

  if (!audit.some((e) => e.type === EXECUTION_RESUMED && e.detail?.executionName === executionName)) {
    await deps.store.appendAudit({
      requestId,
      sopStep: RESUME_POINTS[at].sopStep,
      type: EXECUTION_RESUMED,
      summary: `Resumed at ${at} with a new execution (${executionName}) by ${operator}`,
      actor: operator,
      detail: {
        at,
        executionName,
        executionArn,
        ...(previousExecutionArn ? { previousExecutionArn } : {}),
        ...(request.error ? { error: request.error.error } : {}),
      },
    });
  }
  await deps.store.markRequestStarted(requestId, executionArn);
  await deps.store.updateRequest(requestId, {
    // The error is answered: the status page shows the request in review again (the SYSTEM_ERROR and
    // EXECUTION_RESUMED events stay in the audit trail). A decided request keeps its outcome.
    ...(request.status === 'ERROR' ? { status: 'IN_REVIEW' as const } : {}),
    error: undefined,
    currentStep: RESUME_POINTS[at].sopStep,
    currentActivity: `Resumed by ${operator}: ${RESUME_POINTS[at].what}`,
  });
  return {
    requestId,
    at,
    executionName,
    executionArn,
    ...(previousExecutionArn ? { previousExecutionArn } : {}),
  };
}

/**
 * StartExecution as `<requestId>-r<n>`. The same name with the same input while it runs is the same
 * execution (a repeated command). A name a closed execution holds (its resume was not audited: a
 * crash) moves on to the next n; one running with another input is refused.
 */
async function startNamed(
  deps: ResumeDeps,
  requestId: string,
  first: number,
  input: string,
): Promise<{ executionName: string; executionArn: string }> {
  for (let n = first; n < first + 5; n++) {
    const executionName = resumedExecutionName(requestId, n);
    if (!EXECUTION_NAME.test(executionName)) {
      throw new ResumeRefusedError(
        `${executionName} is not a valid execution name (1-80 letters, digits, - or _)`,
      );
    }
    try {
      const out = await deps.sfn.send(
        new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name: executionName, input }),
      );
      return {
        executionName,
        executionArn: out.executionArn ?? executionArnFor(deps.stateMachineArn, executionName),
      };
    } catch (error) {
      if (errorName(error) !== 'ExecutionAlreadyExists') throw error;
      const arn = executionArnFor(deps.stateMachineArn, executionName);
      if ((await executionStatus(deps, arn)) === 'RUNNING') {
        throw new ResumeRefusedError(
          `${executionName} is already running with another starting point: stop it first (${arn})`,
          { cause: error },
        );
      }
    }
  }
  throw new ResumeRefusedError(`${requestId}-r${first} to -r${first + 4} are all taken by closed executions`);
}

/** RUNNING, SUCCEEDED, FAILED …; undefined once Step Functions no longer knows it (90 days after it closed). */
async function executionStatus(deps: ResumeDeps, executionArn: string): Promise<string | undefined> {
  try {
    const out = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return out.status;
  } catch (error) {
    if (errorName(error) === 'ExecutionDoesNotExist') return undefined;
    throw error;
  }
}

type Requirement = 'vetted' | 'approved' | 'sound' | 'paid' | 'purchased' | 'licensed' | 'installed';

/** What each entry point needs the request to have got through (StartSecurityVetting and PrivacyPolicyReview: nothing). */
const REQUIRES: Record<ResumePoint, readonly Requirement[]> = {
  StartSecurityVetting: [],
  PrivacyPolicyReview: [],
  RouteApproval: ['vetted'],
  TechnicalReview: ['vetted', 'approved'],
  RequestPurchaseOrder: ['vetted', 'approved', 'sound', 'paid'],
  Installation: ['vetted', 'approved', 'sound', 'purchased', 'licensed'],
  PublishApproved: ['vetted', 'approved', 'sound', 'purchased', 'licensed', 'installed'],
};

/**
 * What the request lacks to resume at `at` (undefined: nothing). Decisions from before the last
 * replacement (SOP 11) are about the old resource and do not count.
 */
function missingFor(
  at: ResumePoint,
  request: RequestRecord,
  audit: readonly AuditEvent[],
): string | undefined {
  const decisions = decisionsSinceReplacement(audit);
  const decided = (kinds: readonly string[], decision: string) =>
    decisions.some((d) => kinds.includes(d.kind) && d.decision === decision);
  const { cost, kind } = request.resource;
  const unmet: Record<Requirement, () => string | undefined> = {
    vetted: () =>
      securityVettingComplete(request) ? undefined : 'security vetting is not complete (SOP 3-6)',
    approved: () =>
      decided(['curriculum-review', 'administrative-review'], 'approve')
        ? undefined
        : 'no curriculum or administrative approval is recorded (SOP 7-8)',
    sound: () =>
      decided(['technical-review'], 'sound') ? undefined : 'no technical review found it sound (SOP 10)',
    paid: () => (cost > 0 ? undefined : 'the resource is free: it needs no purchase order (SOP 12)'),
    purchased: () =>
      cost <= 0 || request.purchaseOrder ? undefined : 'no purchase order is recorded (SOP 13)',
    licensed: () =>
      cost <= 0 || kind !== 'software' || request.license ? undefined : 'no licence is recorded (SOP 14)',
    installed: () =>
      decided(['installation'], 'installed') ? undefined : 'no installation is recorded (SOP 15)',
  };
  for (const requirement of REQUIRES[at]) {
    const missing = unmet[requirement]();
    if (missing) return missing;
  }
  return undefined;
}

function decisionsSinceReplacement(audit: readonly AuditEvent[]): { kind: string; decision: string }[] {
  const decisions = [...audit]
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .filter((e) => e.type === 'DECISION_RECORDED')
    .map((e) => ({ kind: String(e.detail?.kind ?? ''), decision: String(e.detail?.decision ?? '') }));
  const last = decisions.findLastIndex((d) => d.kind === 'replacement' && d.decision === 'replacement-found');
  return decisions.slice(last + 1);
}

/** SOP 3-6 done for the resource under review: reused from an earlier request, or reviewed and passed. */
function securityVettingComplete(request: RequestRecord): boolean {
  const security = request.security;
  if (security?.reusedVetting) return true;
  const review = security?.privacyReview;
  if (review?.decision !== 'acceptable') return false;
  if (review.studentDataRequired && security?.dpa?.decision !== 'signed') return false;
  const websites = review.websites ?? (request.resource.usesWebsite ? ['the requested website'] : []);
  return websites.length === 0 || security?.ssl?.passed === true;
}
