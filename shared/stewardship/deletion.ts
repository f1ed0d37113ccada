/**
 * Ending a resource (docs/design.md "Monitoring"): the resource-stewardship machine's steps for a
 * deletion of students' data, and the vendor's certificate settling Cybersecurity's task.
 *
 *   send-deletion-request   email the vendor the written request with a single-use upload link for
 *                           the certificate of destruction (shared/evidence, kind deletion-certificate);
 *                           the registry shows "deletion requested on"
 *   (deletion-confirmation) Cybersecurity's task; the uploaded certificate decides it (confirmDeletionByUpload)
 *   record-stewardship      the registry shows "deletion confirmed on" (or the audit trail: overdue);
 *                           for incidents: reviewed (or overdue)
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { retryAfterEmail } from '../core/aws/transient.ts';
import { ConflictError } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import type { Mailer } from '../core/mail/mailer.ts';
import { type SendOnceDeps, sendOnce } from '../core/mail/send-once.ts';
import { type UploadLinkStore, uploadLink } from '../evidence/index.ts';
import type { RegistryStore } from '../registry/index.ts';
import type { RequestStore } from '../requests/index.ts';
import { deliverDecision, type TaskStore } from '../tasks/index.ts';
import type {
  DecisionOutput,
  RecordStewardshipInput,
  SendDeletionRequestInput,
  TaskRecord,
} from '../workflow/index.ts';
import { renderDeletionRequestEmail } from './deletion-email.ts';
import type { IncidentStore } from './incident-store.ts';

const DELETION_SOP_STEP = 17;

export interface SendDeletionRequestDeps {
  store: Pick<RequestStore, 'requireRequest' | 'appendAudit'> &
    Pick<RegistryStore, 'getRegistryEntry' | 'setDeletionRequested'> &
    SendOnceDeps['outbox'];
  uploads: Pick<UploadLinkStore, 'createUploadLink'>;
  mailer: Mailer;
  now: () => Date;
  config: { cybersecurityEmail: string; publicBaseUrl: string };
}

export interface SendDeletionRequestOutput {
  /** False when the deletion no longer applies (the resource was approved again meanwhile). */
  asked: boolean;
  /** The vendor contact emailed; null when the request names none (Cybersecurity asks by hand). */
  sentTo: string | null;
}

export async function sendDeletionRequest(
  input: SendDeletionRequestInput,
  deps: SendDeletionRequestDeps,
): Promise<SendDeletionRequestOutput> {
  const { requestId, resourceId, approvedOn } = input;
  const entry = await deps.store.getRegistryEntry(resourceId);
  if (entry?.deletion?.approvedOn !== approvedOn) {
    logger.info('Deletion no longer applies', { resourceId, approvedOn });
    return { asked: false, sentTo: null };
  }
  const request = await deps.store.requireRequest(requestId);
  const security = request.security;
  const to = security?.privacyReview?.vendorContactEmail ?? security?.dpa?.sentTo ?? null;
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + input.uploadExpiresInSeconds * 1000).toISOString();
  if (to) {
    // A retried step makes a second link beside the first (like the DPA): either one is taken.
    const upload = await deps.uploads.createUploadLink({
      requestId,
      kind: 'deletion-certificate',
      sentTo: to,
      expiresAt,
    });
    // Through the outbox (docs/design.md "Outbox"), one per ended approval: a retried step finds the
    // email its first attempt recorded (and its link), and the outbox sweep sends one left unsent.
    await sendOnce(
      { outbox: deps.store, mailer: deps.mailer, now: deps.now },
      requestId,
      `deletion#${resourceId}#${approvedOn}`,
      renderDeletionRequestEmail({
        requestId,
        to,
        cybersecurityEmail: deps.config.cybersecurityEmail,
        resourceName: entry.resourceName,
        vendorName: entry.vendorName,
        reason: entry.reason,
        uploadLink: uploadLink(deps.config.publicBaseUrl, upload.uploadId, upload.secret),
        dueOn: expiresAt.slice(0, 10),
      }),
    );
  }
  const requestedOn = deps.now().toISOString();
  // Retried here: failed, the step's retry would email the vendor a second time.
  await retryAfterEmail(() =>
    deps.store.setDeletionRequested(resourceId, approvedOn, { requestedOn, sentTo: to ?? '' }),
  );
  await deps.store.appendAudit({
    requestId,
    at: requestedOn,
    sopStep: DELETION_SOP_STEP,
    type: 'DELETION_REQUESTED',
    summary: to
      ? `${entry.resourceName} is no longer approved: the vendor was asked to delete the students' data and certify it`
      : `${entry.resourceName} is no longer approved: no vendor contact is on file, so Cybersecurity must ask the vendor to delete the students' data`,
    actor: 'Cybersecurity (CCS) workflow',
    detail: { resourceId, approvedOn, sentTo: to },
  });
  return { asked: true, sentTo: to };
}

export interface RecordStewardshipDeps {
  store: Pick<RequestStore, 'appendAudit'> &
    Pick<RegistryStore, 'setDeletionConfirmed'> &
    Pick<IncidentStore, 'markIncidentReviewed'>;
  now: () => Date;
}

const OUTCOME_SUMMARIES = {
  'deletion-confirmed': "The vendor's deletion of the students' data is confirmed",
  'deletion-overdue':
    'No certificate of destruction arrived before the deadline: Cybersecurity should follow up with the vendor',
  'incident-reviewed': 'Cybersecurity reviewed the data incident',
  'incident-overdue': 'The data incident was not reviewed before its deadline',
} as const;

export async function recordStewardship(
  input: RecordStewardshipInput,
  deps: RecordStewardshipDeps,
): Promise<{ recorded: true }> {
  const at = input.decision?.decidedAt ?? deps.now().toISOString();
  if (input.outcome === 'deletion-confirmed' && input.approvedOn) {
    await deps.store.setDeletionConfirmed(input.resourceId, input.approvedOn, at);
  }
  if (input.outcome === 'incident-reviewed' && input.incidentId) {
    await deps.store.markIncidentReviewed(input.incidentId, at);
  }
  await deps.store.appendAudit({
    requestId: input.requestId,
    sopStep: input.outcome.startsWith('deletion') ? DELETION_SOP_STEP : 4,
    type: input.outcome.toUpperCase().replace('-', '_'),
    summary: OUTCOME_SUMMARIES[input.outcome],
    actor: input.decision?.decidedBy ?? 'Cybersecurity (CCS) workflow',
    detail: {
      resourceId: input.resourceId,
      ...(input.incidentId ? { incidentId: input.incidentId } : {}),
      ...(input.approvedOn ? { approvedOn: input.approvedOn } : {}),
    },
  });
  return { recorded: true };
}

export interface ConfirmByUploadDeps {
  store: Pick<
    TaskStore,
    'listPendingTasks' | 'claimTask' | 'releaseTask' | 'markTaskDelivered' | 'markTaskFollowedUp'
  >;
  sfn: Pick<SFNClient, 'send'>;
  now: () => Date;
}

/**
 * The vendor's certificate of destruction arrived (shared/evidence/uploads.ts): it decides the
 * request's pending deletion-confirmation task, as the vendor. Safe to run again (the upload page
 * reloaded): a task this upload already claimed but did not deliver is delivered then; a task already
 * decided is left alone. Returns the task it settled, if any.
 */
export async function confirmDeletionByUpload(
  upload: { requestId: string; sentTo: string; documentId: string },
  deps: ConfirmByUploadDeps,
): Promise<TaskRecord | undefined> {
  const decidedBy = `Vendor contact (${upload.sentTo})`;
  const tasks = (await deps.store.listPendingTasks('cybersecurity')).filter(
    (t) => t.kind === 'deletion-confirmation' && t.requestId === upload.requestId,
  );
  const task = tasks[0];
  if (!task) return undefined;
  const decidedAt = deps.now().toISOString();
  const output: DecisionOutput = {
    decision: 'confirmed',
    decidedBy,
    decidedAt,
    comment: `Certificate of destruction received (document ${upload.documentId})`,
  };
  try {
    await deps.store.claimTask(task.taskId, {
      secretHash: task.secretHash,
      decision: 'confirmed',
      decidedBy,
      decidedAt,
    });
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
  let waitOver: string | undefined;
  try {
    ({ waitOver } = await deliverDecision(task, output, deps.sfn));
  } catch (error) {
    // Not delivered: the task goes back to pending, so the page reloaded (or Cybersecurity) settles it.
    await deps.store.releaseTask(task.taskId, { decidedAt, team: task.team });
    throw error;
  }
  if (waitOver) {
    logger.warn('Certificate arrived after the deletion wait ended', { taskId: task.taskId, waitOver });
    return undefined;
  }
  const marks = { decidedAt, at: deps.now().toISOString() };
  await deps.store.markTaskDelivered(task.taskId, marks);
  await deps.store.markTaskFollowedUp(task.taskId, marks);
  logger.info('Deletion confirmed by the uploaded certificate', { taskId: task.taskId });
  return task;
}
