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
import * as z from 'zod/mini';
import { dynamoDb } from '#shared/aws/clients.ts';
import { readMailFrom, readPublicBaseUrl, readTableName } from '#shared/config.ts';
import { denialSchema, invalid, outcomePatch, parsePayload, requestIdField } from '#shared/domain/outcome.ts';
import type { CloseRequestInput, Outcome } from '#shared/domain/workflow.ts';
import { ConflictError } from '#shared/errors.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { logger } from '#shared/logger.ts';
import type { Mailer } from '#shared/mail/mailer.ts';
import { renderOutcomeEmail } from '#shared/mail/outcome-email.ts';
import { SesMailer } from '#shared/mail/ses-mailer.ts';
import { once } from '#shared/once.ts';
import type { RequestRecord } from '#shared/store/records.ts';
import { WorkflowStore } from '#shared/store/store.ts';

export interface CloseRequestDeps {
  store: WorkflowStore;
  mailer: Mailer;
  publicBaseUrl: string;
  now: () => Date;
}

export interface CloseRequestOutput {
  status: Outcome;
  /** True when an earlier attempt had already set this outcome (a retry). */
  alreadyClosed: boolean;
  /** True when this invocation emailed the requester. */
  emailed: boolean;
}

const payloadSchema = z.object({
  requestId: requestIdField,
  outcome: z.enum(['APPROVED', 'DENIED'], { error: 'outcome must be APPROVED or DENIED' }),
  denial: z.optional(denialSchema),
});

/** Built on first use, then reused for the container's life (config is read and validated once). */
const defaultDeps = once(
  (): CloseRequestDeps => ({
    store: new WorkflowStore({ tableName: readTableName(), client: dynamoDb }),
    mailer: new SesMailer({ from: readMailFrom() }),
    publicBaseUrl: readPublicBaseUrl(),
    now: () => new Date(),
  }),
);

export async function closeRequest(
  input: unknown,
  deps: CloseRequestDeps = defaultDeps(),
): Promise<CloseRequestOutput> {
  const { requestId, outcome, denial } = parsePayload(payloadSchema, input);
  if (outcome === 'APPROVED' && denial) throw invalid('denial', 'An approved request has no denial');
  const patch = outcomePatch(outcome, denial);
  const { store } = deps;

  let request = await store.requireRequest(requestId);
  let closedNow = false;
  if (request.status === 'IN_REVIEW') {
    try {
      await store.updateRequest(requestId, patch, { ifStatus: 'IN_REVIEW' });
      closedNow = true;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      request = await store.requireRequest(requestId); // changed since we read it: look again
    }
  }

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

  await deps.mailer.send(renderOutcomeEmail(outcomeEmailInput(request, outcome, denial, deps.publicBaseUrl)));
  await store.updateRequest(requestId, { outcomeEmailSentAt: deps.now().toISOString() });
  logger.info('Request closed', { outcome, sopStep: patch.currentStep, retry: !closedNow });
  return { status: outcome, alreadyClosed: !closedNow, emailed: true };
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

export const handler = workflowHandler((input: CloseRequestInput) => closeRequest(input));
