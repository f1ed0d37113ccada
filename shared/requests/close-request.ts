/**
 * The request's outcome: APPROVED (SOP 16) or DENIED at a numbered step (SOP 6, 9, 11, or a step
 * nobody decided in time). Sets the status only while the request is IN_REVIEW (conditional write),
 * audits OUTCOME, and emails the requester with the status link.
 *
 * Retry-safe: a retried invocation (Step Functions retries TransientError, e.g. SES throttling) finds
 * the same outcome already set and does not write it again; it only sends the email if
 * `outcomeEmailSentAt` shows it was not sent yet (and restores the OUTCOME audit event if the first
 * attempt stopped before writing it). A different final status is a ConflictError (error path).
 */

import { retryAfterEmail } from '../core/aws/transient.ts';
import { ConflictError } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import type { Mailer } from '../core/mail/mailer.ts';
import { type ReportCounts, reportOutcome } from '../reports/index.ts';
import type { CloseRequestInput, Outcome, RequestRecord } from '../workflow/index.ts';
import { invalid, outcomePatch } from '../workflow/index.ts';
import { renderOutcomeEmail } from './emails/outcome-email.ts';
import type { RequestStore } from './store.ts';

export interface CloseRequestDeps {
  store: Pick<RequestStore, 'requireRequest' | 'updateRequest' | 'listAudit' | 'appendAudit'>;
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
  /** True when this invocation emailed the requester. */
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
  await deps.mailer.send(renderOutcomeEmail(outcomeEmailInput(request, outcome, denial, deps.publicBaseUrl)));
  // Retried here: failed, the step's retry would email the outcome a second time.
  await retryAfterEmail(
    () => store.updateRequest(requestId, { outcomeEmailSentAt: deps.now().toISOString() }),
    deps.sleep,
  );
  logger.info('Request closed', { outcome, sopStep: patch.currentStep, retry: !closedNow });
  return { status: outcome, alreadyClosed: !closedNow, emailed: true };
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
