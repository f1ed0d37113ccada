/**
 * SOP steps 1–2: a teacher's request is validated, stored and handed to the state machine.
 *
 * Every step is one conditional single-item write, in an order that loses nothing when a step fails:
 *   claim idempotency key → create request (in the UNSTARTED index) → audit SUBMITTED
 *   → StartExecution(name = requestId) → acknowledgement email (once: through the outbox, effect key
 *   `ack`) → record executionArn (markRequestStarted: the request leaves the UNSTARTED index).
 * The idempotency claim names the request id before anything else is written, so submitting the same
 * request again (same Idempotency-Key, or the identical body when there is no key) resumes the first
 * attempt where it stopped instead of creating a second request. When nobody submits again (the
 * Lambda crashed, the client gave up), the recovery sweep (request-recovery.ts) finishes the same
 * steps for every request that is still in the UNSTARTED index a minute later.
 */

import { createHash } from 'node:crypto';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ConflictError, errorName, type FieldError, TransientError } from '../core/errors.ts';
import { isRecord } from '../core/guards.ts';
import { logger } from '../core/logger.ts';
import type { Mailer } from '../core/mail/mailer.ts';
import { type SendOnceDeps, sendOnce } from '../core/mail/send-once.ts';
import type { IdempotencyStore } from '../core/store/idempotency.ts';
import { type ReportCounts, reportSubmitted } from '../reports/index.ts';
import type { RequestRecord, RequestStatus, WorkflowInput } from '../workflow/index.ts';
import {
  newRequestId,
  parseResourceRequest,
  type ResourceRequest,
  toWorkflowResource,
} from '../workflow/index.ts';
import { renderAcknowledgementEmail } from './emails/acknowledgement-email.ts';
import { type Admission, requesterDomainError, type Submitter } from './limits.ts';
import type { RequestStore } from './store.ts';

export const SUBMITTED_ACTIVITY = 'Submitted; waiting for security vetting';
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_\-:.]{8,128}$/;

export interface SubmissionDeps {
  store: Pick<IdempotencyStore, 'claimIdempotencyKey' | 'releaseIdempotencyKey'> &
    Pick<RequestStore, 'createRequest' | 'getRequest' | 'appendAudit' | 'listAudit' | 'markRequestStarted'> &
    SendOnceDeps['outbox'];
  sfn: Pick<SFNClient, 'send'>;
  mailer: Mailer;
  stateMachineArn: string;
  /** No trailing slash. */
  publicBaseUrl: string;
  now?: () => Date;
  newRequestId?: (now: Date) => string;
  /** The reports' counts (shared/reports); none in tests that do not look at them. */
  reports?: ReportCounts;
  /** The district's domains a requester's address must be on (limits.ts); any in tests without it. */
  requesterEmailDomains?: readonly string[];
  /** The per-requester limits (limits.ts admitSubmission); none in tests without them. */
  admit?: (request: ResourceRequest, submitter: Submitter) => Promise<Admission>;
}

export interface SubmissionInput {
  /** The request fields: a JSON body as sent, or a form already coerced by form-input.ts. */
  body: unknown;
  /** The Idempotency-Key header, when the client sent one. */
  idempotencyKey?: string | undefined;
  /** Who is submitting (the signed-in person, or the client's address), for the limits. */
  submitter?: Submitter;
}

export type SubmissionResult =
  /** Bad input: nothing was written. */
  | { outcome: 'invalid'; errors: FieldError[] }
  /** The Idempotency-Key belongs to a different request body: nothing was written. */
  | { outcome: 'key-reused'; errors: FieldError[] }
  /** Over the submitter's hourly limit: nothing was written or sent. */
  | { outcome: 'limited'; retryAfterSeconds: number }
  /**
   * Stored and started. `created`: this attempt created the request; `replay`: the key was already
   * claimed. `status` is the request's status now (a replay may find it decided already).
   */
  | {
      outcome: 'accepted';
      requestId: string;
      statusUrl: string;
      created: boolean;
      replay: boolean;
      status: RequestStatus;
    }
  /**
   * The key is claimed (so the request id is reserved) but a later step failed; submitting the same
   * request again continues from there. `stored` says whether the request record exists.
   */
  | { outcome: 'incomplete'; requestId: string; statusUrl: string; stored: boolean; failedStep: string };

export function validateIdempotencyKey(key: string | undefined): FieldError | undefined {
  if (key === undefined) return undefined;
  if (IDEMPOTENCY_KEY_PATTERN.test(key)) return undefined;
  return {
    field: 'Idempotency-Key',
    message: 'Idempotency-Key must be 8 to 128 characters: letters, digits, "_", "-", ":" or "."',
  };
}

/** JSON with object keys sorted at every level, so equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashRequest(request: ResourceRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/** The ARN Step Functions gives an execution: needed when StartExecution says it already exists. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export function workflowInput(requestId: string, request: ResourceRequest): WorkflowInput {
  return {
    requestId,
    requestType: request.requestType,
    resource: toWorkflowResource(request),
    replacementCount: 0,
    questions: { asked: 0 },
    rerouted: false,
  };
}

export async function submitResourceRequest(
  input: SubmissionInput,
  deps: SubmissionDeps,
): Promise<SubmissionResult> {
  const now = deps.now ?? (() => new Date());

  // 1. Validate everything before touching anything.
  const errors: FieldError[] = [];
  const keyError = validateIdempotencyKey(input.idempotencyKey);
  if (keyError) errors.push(keyError);
  const parsed = parseResourceRequest(input.body);
  if (!parsed.ok) errors.push(...parsed.errors);
  const domains = deps.requesterEmailDomains;
  const domainError = parsed.ok && domains && requesterDomainError(parsed.value.requesterEmail, domains);
  if (domainError) errors.push(domainError);
  if (errors.length || !parsed.ok) return { outcome: 'invalid', errors };
  const request = parsed.value;

  // 1b. Within the submitter's hourly limits (a refusal changes nothing); before the claim, so a
  // refused submission reserves no request id.
  const admission: Admission = deps.admit
    ? await deps.admit(request, input.submitter ?? {})
    : { admitted: true };
  if (!admission.admitted) {
    logger.info('Submission over its hourly limit', { retryAfterSeconds: admission.retryAfterSeconds });
    return { outcome: 'limited', retryAfterSeconds: admission.retryAfterSeconds };
  }

  // 2. Claim the key: from here on the request id is reserved and every retry converges on it.
  const claimed = await claimRequestId(input, request, deps, now);
  if ('outcome' in claimed) return claimed;
  const { requestId, replay, claimKey } = claimed;
  logger.appendKeys({ requestId });
  const statusUrl = `${deps.publicBaseUrl}/requests/${requestId}`;
  const progress = { stored: false, step: 'create request' };

  try {
    // 3. The request record (status IN_REVIEW at SOP step 2), unless the first attempt already made it.
    const { existing, created } = await storeRequest({ requestId, request, replay, claimKey }, deps, now);
    progress.stored = true;

    // 4. The audit trail's first event. A replay adds it only if the first attempt stopped before it.
    progress.step = 'audit';
    const alreadyStarted = existing?.executionArn !== undefined;
    const needsAudit =
      created ||
      (!alreadyStarted && !(await deps.store.listAudit(requestId)).some((e) => e.type === 'SUBMITTED'));
    if (needsAudit) await deps.store.appendAudit(submittedAuditEvent(requestId, request));

    // 5-7. Start the workflow, acknowledge once, record the execution last.
    const ack = { requestId, request, statusUrl };
    const started = await startAndAcknowledge(ack, alreadyStarted, progress, deps);
    if (!started)
      return { outcome: 'incomplete', requestId, statusUrl, stored: true, failedStep: progress.step };

    logger.info('Request submitted', {
      requestId,
      requestType: request.requestType,
      resourceKind: request.resourceKind,
      created,
      replay,
    });
    const status = existing?.status ?? 'IN_REVIEW';
    return { outcome: 'accepted', requestId, statusUrl, created, replay, status };
  } catch (error) {
    if (!(error instanceof TransientError)) throw error;
    logger.warn('Submission incomplete; a resubmission continues it', {
      requestId,
      step: progress.step,
      errorName: error.name,
    });
    return {
      outcome: 'incomplete',
      requestId,
      statusUrl,
      stored: progress.stored,
      failedStep: progress.step,
    };
  }
}

/** The request id this submission is about: a new one, or the one its earlier attempt claimed. */
async function claimRequestId(
  input: SubmissionInput,
  request: ResourceRequest,
  deps: SubmissionDeps,
  now: () => Date,
): Promise<
  | { requestId: string; replay: boolean; claimKey: string; bodyHash: string }
  | Extract<SubmissionResult, { outcome: 'key-reused' }>
> {
  const bodyHash = hashRequest(request);
  const claimKey = input.idempotencyKey ? `key:${input.idempotencyKey}` : `body:${bodyHash}`;
  const requestId = (deps.newRequestId ?? newRequestId)(now());
  const claim = await deps.store.claimIdempotencyKey(claimKey, { requestId, bodyHash });
  if (claim.claimed) return { requestId, replay: false, claimKey, bodyHash };
  if (claim.bodyHash !== bodyHash) {
    logger.info('Idempotency key reused for a different request', { requestId: claim.requestId });
    return {
      outcome: 'key-reused',
      errors: [
        {
          field: 'Idempotency-Key',
          message: 'This Idempotency-Key was already used for a different request; use a new key',
        },
      ],
    };
  }
  return { requestId: claim.requestId, replay: true, claimKey, bodyHash };
}

/** Creates the request record, or finds the one an earlier attempt of this submission created. */
async function storeRequest(
  {
    requestId,
    request,
    replay,
    claimKey,
  }: { requestId: string; request: ResourceRequest; replay: boolean; claimKey: string },
  deps: SubmissionDeps,
  now: () => Date,
): Promise<{ existing: RequestRecord | undefined; created: boolean }> {
  const existing = replay ? await deps.store.getRequest(requestId) : undefined;
  if (existing) return { existing, created: false };
  const at = now().toISOString();
  const record: RequestRecord = {
    requestId,
    createdAt: at,
    updatedAt: at,
    status: 'IN_REVIEW',
    currentStep: 2,
    currentActivity: SUBMITTED_ACTIVITY,
    submitted: request,
    resource: toWorkflowResource(request),
    replacementCount: 0,
  };
  try {
    await deps.store.createRequest(record);
    if (deps.reports) await reportSubmitted(deps.reports, requestId, at);
    return { existing: undefined, created: true };
  } catch (error) {
    // Only a concurrent replay of this same submission can have created it in the meantime.
    if (error instanceof ConflictError && replay) {
      const raced = await deps.store.getRequest(requestId);
      if (!raced) throw error;
      return { existing: raced, created: false };
    }
    // A transient failure may have landed (a lost answer), so its claim stays for the replay to
    // resume. Any other failure stored nothing: the claim goes, or it would answer for 30 days.
    if (!(error instanceof TransientError) && !replay) await releaseClaim(deps, claimKey, requestId);
    throw error;
  }
}

/**
 * 5. Start the workflow, named by the request id (so a second start cannot create a second run).
 * 6. Acknowledge exactly once, whichever attempt (or the recovery sweep) gets here first; a lost
 *    email loses nothing.
 * 7. Record the execution last: until then the request stays in the UNSTARTED index, so a crash
 *    anywhere before it leaves the sweep something to finish (the email included).
 * False when Step Functions could not start it now (the request is stored; a resubmission or the
 * sweep starts it).
 */
async function startAndAcknowledge(
  ack: Acknowledgement,
  alreadyStarted: boolean,
  progress: { step: string },
  deps: SubmissionDeps,
): Promise<boolean> {
  if (alreadyStarted) {
    await acknowledgeOnce(deps, ack);
    return true;
  }
  progress.step = 'start workflow';
  const executionArn = await startWorkflow(deps, ack.requestId, ack.request);
  if (!executionArn) return false;
  // An acknowledgement not sent leaves the request in the UNSTARTED index: the sweep sends it.
  if (!(await acknowledgeOnce(deps, ack))) return true;
  progress.step = 'record execution';
  await deps.store.markRequestStarted(ack.requestId, executionArn);
  return true;
}

async function releaseClaim(deps: SubmissionDeps, claimKey: string, requestId: string): Promise<void> {
  try {
    await deps.store.releaseIdempotencyKey(claimKey, requestId);
    logger.warn('Request not stored; idempotency claim released', { requestId });
  } catch (error) {
    logger.error('Request not stored and its idempotency claim could not be released', {
      requestId,
      errorName: errorName(error),
    });
  }
}

/** The first event of a request's audit trail (SOP 2), as the requester submitted it. */
export function submittedAuditEvent(requestId: string, request: ResourceRequest) {
  return {
    requestId,
    sopStep: 2,
    type: 'SUBMITTED',
    summary: `Request submitted: ${request.resourceName} (${request.resourceKind}, ${request.requestType})`,
    actor: request.requesterEmail,
    detail: {
      requestType: request.requestType,
      resourceKind: request.resourceKind,
      cost: request.cost,
      studentDataShared: request.studentDataShared,
      usesWebsite: request.resourceUrl !== undefined,
    },
  };
}

/**
 * Starts the request's workflow, named by the request id; an execution of that name that exists
 * already counts as started. Returns the execution ARN, or undefined when Step Functions could not
 * start it now (logged at error level: the request is stored, a resubmission or the recovery sweep
 * starts it later).
 */
export async function startWorkflow(
  deps: Pick<SubmissionDeps, 'sfn' | 'stateMachineArn'>,
  requestId: string,
  request: ResourceRequest,
): Promise<string | undefined> {
  try {
    const out = await deps.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: deps.stateMachineArn,
        name: requestId,
        input: JSON.stringify(workflowInput(requestId, request)),
      }),
    );
    return out.executionArn ?? executionArnFor(deps.stateMachineArn, requestId);
  } catch (error) {
    const name = errorName(error);
    if (name === 'ExecutionAlreadyExists') {
      logger.info('Workflow already started', { requestId });
      return executionArnFor(deps.stateMachineArn, requestId);
    }
    logger.error('Could not start the workflow; the request is stored', { requestId, errorName: name });
    return undefined;
  }
}

/**
 * The acknowledgement goes through the outbox (shared/core/mail/send-once.ts) under the effect key
 * `ack`: of two concurrent attempts (a double-click, or a resubmission and the recovery sweep) only the
 * one that records it emails; one that died between recording and the mark leaves it to the outbox
 * sweep, which sends it once the record is a minute old. Never lost; at most one duplicate, when the
 * process dies after SES accepted it and before the mark.
 */
export interface Acknowledgement {
  requestId: string;
  request: ResourceRequest;
  statusUrl: string;
}

export const ACKNOWLEDGEMENT_EFFECT = 'ack';

/**
 * True when the acknowledgement is sent or recorded for a sender that will send it (this attempt's
 * earlier run, another attempt, or the outbox sweep); false when SES refused it (nothing went out) or
 * the store failed: the request then stays in the UNSTARTED index and the recovery sweep tries again.
 */
export async function acknowledgeOnce(
  deps: { store: SendOnceDeps['outbox']; mailer: Mailer; now?: () => Date },
  { requestId, request, statusUrl }: Acknowledgement,
): Promise<boolean> {
  try {
    await sendOnce(
      { outbox: deps.store, mailer: deps.mailer, now: deps.now ?? (() => new Date()) },
      requestId,
      ACKNOWLEDGEMENT_EFFECT,
      renderAcknowledgementEmail({ requestId, request, statusUrl }),
    );
    return true;
  } catch (error) {
    logger.warn('Acknowledgement not sent yet; the recovery sweep sends it', {
      requestId,
      errorName: errorName(error),
    });
    return false;
  }
}
