/**
 * The request's outcome: APPROVED (SOP 16) or DENIED at a numbered step (SOP 6, 9, 11, or a step
 * nobody decided in time). Sets the status only while the request is IN_REVIEW (conditional write),
 * audits OUTCOME, and emails the requester with the status link.
 *
 * Retry-safe: a retried invocation (Step Functions retries TransientError, e.g. SES throttling) finds
 * the same outcome already set and does not write it again; it only sends the email if
 * `outcomeEmailSentAt` shows it was not sent yet (and restores the OUTCOME audit event if the first
 * attempt stopped before writing it). A different final status is a ConflictError (error path).
 * The email goes through the outbox (docs/design.md "Outbox") under `outcome#<execution name>`: a retry
 * of the step finds it, and a resumed execution (a new name) that closes the request again emails anew.
 */

import { retryAfterEmail } from '../core/aws/transient.ts';
import { ConflictError } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import type { Mailer } from '../core/mail/mailer.ts';
import { type SendOnceDeps, sendOnce } from '../core/mail/send-once.ts';
import { type ReportCounts, reportOutcome } from '../reports/index.ts';
import type { CloseRequestInput, Outcome, RequestRecord } from '../workflow/index.ts';
import { invalid, outcomePatch } from '../workflow/index.ts';
import { renderOutcomeEmail } from './emails/outcome-email.ts';
import type { RequestStore } from './store.ts';

export interface CloseRequestDeps {
  store: Pick<RequestStore, 'requireRequest' | 'updateRequest' | 'listAudit' | 'appendAudit'> &
    SendOnceDeps['outbox'];
  mailer: Mailer;
  publicBaseUrl: string;
  now: () => Date;
  /** Waits between attempts of the write after the email (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  /** The reports' counts (shared/reports); none in tests that do not look at them. */
  reports?: ReportCounts;
}

export interface CloseRequestOutput {
  status: Outcome;
  /** True when an earlier attempt had already set this outcome (a retry). */
  alreadyClosed: boolean;
  /** True when this invocation emailed the requester (false: sent before, or left to the outbox sweep). */
  emailed: boolean;
}

export async function closeRequest(
  input: CloseRequestInput,
  deps: CloseRequestDeps,
): Promise<CloseRequestOutput> {
  const { requestId, outcome, denial } = input;
  if (outcome === 'APPROVED' && denial) throw invalid('denial', 'An approved request has no denial');
  const patch = outcomePatch(outcome, denial);
  const { store } = deps;

  const { request, closedNow } = await setOutcome(store, requestId, patch);
  let auditMissing = closedNow;
  if (!closedNow) {
    if (request.status !== outcome) {
      throw new ConflictError(
        `Request ${requestId} is already ${request.status}; it cannot be closed as ${outcome}`,
      );
    }
    if (request.outcomeEmailSentAt) {
      logger.info('Outcome already recorded and emailed', { outcome });
      return { status: outcome, alreadyClosed: true, emailed: false };
    }
    auditMissing = !(await store.listAudit(requestId)).some((e) => e.type === 'OUTCOME');
  }

  if (auditMissing) {
    await store.appendAudit({
      requestId,
      sopStep: patch.currentStep,
      type: 'OUTCOME',
      summary: patch.currentActivity,
      actor: 'workflow',
      detail: { outcome, ...(patch.deniedAtStep ? { deniedAtStep: patch.deniedAtStep } : {}) },
    });
  }

  if (deps.reports) {
    const closedAt = deps.now().toISOString();
    await reportOutcome(
      deps.reports,
      request,
      outcome === 'APPROVED' ? 'approved' : 'denied',
      closedAt,
      denial,
    );
  }
  const sent = await sendOnce(
    { outbox: store, mailer: deps.mailer, now: deps.now },
    requestId,
    outcomeEffectKey(request),
    renderOutcomeEmail(outcomeEmailInput(request, outcome, denial, deps.publicBaseUrl)),
  );
  // Recorded by an attempt that may still be at it: it (or the outbox sweep) sends it and a later
  // retry writes the time.
  if (sent.outcome === 'pending') {
    logger.info('Request closed; its outcome email is left to the outbox', { outcome });
    return { status: outcome, alreadyClosed: !closedNow, emailed: false };
  }
  // Retried here: the status page says when the requester was told.
  await retryAfterEmail(
    () => store.updateRequest(requestId, { outcomeEmailSentAt: sent.sentAt }),
    deps.sleep,
  );
  logger.info('Request closed', { outcome, sopStep: patch.currentStep, retry: !closedNow });
  return { status: outcome, alreadyClosed: !closedNow, emailed: !sent.before };
}

/**
 * The outcome email's outbox key: one per execution (a resumed request that closes again is told
 * again); without an execution (a step invoked on its own) one per request.
 */
export function outcomeEffectKey(request: Pick<RequestRecord, 'executionArn'>): string {
  const execution = request.executionArn?.split(':').at(-1);
  return execution ? `outcome#${execution}` : 'outcome';
}

/** Writes the outcome while the request is IN_REVIEW; returns the request as it is now. */
async function setOutcome(
  store: CloseRequestDeps['store'],
  requestId: string,
  patch: ReturnType<typeof outcomePatch>,
): Promise<{ request: RequestRecord; closedNow: boolean }> {
  const request = await store.requireRequest(requestId);
  if (request.status !== 'IN_REVIEW') return { request, closedNow: false };
  try {
    await store.updateRequest(requestId, patch, { ifStatus: 'IN_REVIEW' });
    return { request, closedNow: true };
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    // changed since we read it: look again
    return { request: await store.requireRequest(requestId), closedNow: false };
  }
}

function outcomeEmailInput(
  request: RequestRecord,
  outcome: Outcome,
  denial: CloseRequestInput['denial'],
  publicBaseUrl: string,
) {
  return {
    to: request.submitted.requesterEmail,
    requesterName: request.submitted.requesterName,
    requestId: request.requestId,
    resourceName: request.resource.name,
    outcome,
    ...(denial ? { denial } : {}),
    statusUrl: `${publicBaseUrl}/requests/${encodeURIComponent(request.requestId)}`,
  };
}
