/**
 * SOP 4 (and SOP 17's annual renewal): email the vendor contact the district's student Data Privacy
 * Agreement request: the DPA template link, how to return it, the resource, the student data the
 * request says is shared, and the Cybersecurity team as the reply-to. Records security.dpa.sentTo/sentAt
 * on the request and a DPA_SENT audit event.
 *
 * The email carries a single-use upload link (shared/evidence/upload-links.ts) through which the
 * vendor returns the signed agreement as a PDF; it expires with the DPA wait. It also carries the
 * vendor's incident link for the resource (shared/stewardship/incident-links.ts), good for the DPA's year.
 *
 * The email goes through the outbox (shared/core/mail/send-once.ts) under the key of this execution's
 * vetting round, so a retry of the step (a Lambda timeout, a kill -9 locally) finds the email the
 * first attempt recorded: sent → not sent again; recorded and not marked → the outbox sweep sends it
 * once the record is a minute old. The vendor gets it once, or twice when the first attempt died
 * between SES's acceptance and the mark; never not at all.
 *
 * Env: TABLE_NAME, MAIL_FROM, TEAM_EMAILS, DPA_TEMPLATE_URL, DPA_RETURN_INSTRUCTIONS, PUBLIC_BASE_URL.
 * IAM: dynamodb:GetItem, Query, UpdateItem, PutItem on request and upload items; ses:SendEmail (MAIL_FROM identity).
 */

import { randomUUID } from 'node:crypto';
import { retryAfterEmail } from '../core/aws/transient.ts';
import { logger } from '../core/logger.ts';
import type { Mailer } from '../core/mail/mailer.ts';
import { type SendOnceDeps, sendOnce } from '../core/mail/send-once.ts';
import { type UploadLinkStore, uploadLink } from '../evidence/index.ts';
import { resourceIdOf } from '../registry/index.ts';
import type { RequestStore } from '../requests/index.ts';
import { type IncidentLinkStore, incidentLinkUrl } from '../stewardship/index.ts';
import type { SendDpaInput, SendDpaOutput } from '../workflow/index.ts';
import { renderDpaRequestEmail } from './vendor-emails.ts';

export const DPA_SOP_STEP = 4;
export const RENEWAL_SOP_STEP = 17;

export interface SendDpaConfig {
  tableName: string;
  mailFrom: string;
  cybersecurityEmail: string;
  dpaTemplateUrl: string;
  returnInstructions: string;
  /** The site's address: the upload link's host. */
  publicBaseUrl: string;
}

export interface SendDpaDeps {
  store: Pick<
    RequestStore,
    'requireRequest' | 'updateRequest' | 'setRequestSecurity' | 'appendAudit' | 'listAudit'
  > &
    SendOnceDeps['outbox'];
  /** The vendor's single-use upload link for the signed agreement (shared/evidence). */
  uploads: Pick<UploadLinkStore, 'createUploadLink'>;
  /** The vendor's incident link for the resource (shared/stewardship). */
  incidentLinks: Pick<IncidentLinkStore, 'createIncidentLink'>;
  mailer: Mailer;
  now: () => Date;
  config: Pick<
    SendDpaConfig,
    'cybersecurityEmail' | 'dpaTemplateUrl' | 'returnInstructions' | 'publicBaseUrl'
  >;
}

/** Without the wait's deadline in the payload (an execution started before it was passed): 30 days. */
const DEFAULT_UPLOAD_SECONDS = 30 * 86_400;

/** `input` was parsed by workflowStep with sendDpaInputSchema (shared/workflow/step-inputs.ts). */
export async function sendDpa(payload: SendDpaInput, deps: SendDpaDeps): Promise<SendDpaOutput> {
  const { requestId, vendorContactEmail: sentTo } = payload;
  const renewal = payload.renewal === true;
  const request = await deps.store.requireRequest(requestId);
  const expiresAt = new Date(
    deps.now().getTime() + (payload.uploadExpiresInSeconds ?? DEFAULT_UPLOAD_SECONDS) * 1000,
  ).toISOString();
  // A retried step makes a second link beside the first: both expire with the wait, and a document
  // that comes through either is kept.
  const upload = await deps.uploads.createUploadLink({ requestId, kind: 'dpa', sentTo, expiresAt });
  // Likewise a retry makes a second incident link; either one works.
  const incidents = await deps.incidentLinks.createIncidentLink({
    requestId,
    resourceId: resourceIdOf(request.resource),
    resourceName: request.resource.name,
    vendorName: request.resource.vendorName,
    sentTo,
  });

  const email = renderDpaRequestEmail({
    requestId,
    vendorContactEmail: sentTo,
    cybersecurityEmail: deps.config.cybersecurityEmail,
    resourceName: request.resource.name,
    vendorName: request.resource.vendorName,
    ...(request.resource.url ? { resourceUrl: request.resource.url } : {}),
    studentDataElements: request.submitted.studentDataShared
      ? (request.submitted.studentDataElements ?? [])
      : [],
    dpaTemplateUrl: deps.config.dpaTemplateUrl,
    returnInstructions: deps.config.returnInstructions,
    uploadLink: uploadLink(deps.config.publicBaseUrl, upload.uploadId, upload.secret),
    uploadExpiresOn: expiresAt.slice(0, 10),
    incidentLink: incidentLinkUrl(deps.config.publicBaseUrl, incidents.linkId, incidents.secret),
    incidentLinkExpiresOn: incidents.expiresAt.slice(0, 10),
    renewal,
  });
  const outbox = { outbox: deps.store, mailer: deps.mailer, now: deps.now };
  const sent = await sendOnce(outbox, requestId, dpaEffectKey(payload), email);
  // When it was sent (now or by the attempt this one retries), or recorded for the outbox sweep.
  const sentAt = sent.outcome === 'sent' ? sent.sentAt : sent.recordedAt;
  const retried = !(sent.outcome === 'sent' && !sent.before);

  // Retried here: failed, the step's retry would find the email sent and this write missing.
  await retryAfterEmail(() =>
    deps.store.setRequestSecurity(requestId, 'dpa', {
      ...request.security?.dpa,
      sentTo,
      sentAt,
      ...(sent.outcome === 'sent' && sent.messageId ? { messageId: sent.messageId } : {}),
    }),
  );
  // A retry whose first attempt audited it already does not audit it twice.
  if (
    retried &&
    (await deps.store.listAudit(requestId)).some((e) => e.type === 'DPA_SENT' && e.at === sentAt)
  ) {
    return { sentTo, sentAt };
  }
  await deps.store.appendAudit({
    requestId,
    at: sentAt,
    sopStep: renewal ? RENEWAL_SOP_STEP : DPA_SOP_STEP,
    type: 'DPA_SENT',
    summary: renewal
      ? 'Annual renewal: the student Data Privacy Agreement was sent to the vendor contact'
      : 'The student Data Privacy Agreement was sent to the vendor contact',
    actor: 'Cybersecurity (CCS) workflow',
    detail: { renewal },
  });
  logger.info('DPA sent', { sopStep: renewal ? RENEWAL_SOP_STEP : DPA_SOP_STEP, renewal });
  return { sentTo, sentAt };
}

/**
 * The DPA email's outbox key: one per execution and vetting round (a replacement, SOP 11, vets again
 * and sends a new DPA; a renewal is an execution of its own). Without an execution id (an invocation
 * outside the state machine) nothing can find it again: a key of its own.
 */
export function dpaEffectKey(payload: SendDpaInput): string {
  const kind = payload.renewal === true ? 'dpa-renewal' : 'dpa';
  if (!payload.executionId) return `${kind}#${randomUUID()}`;
  return `${kind}#${payload.executionId}#${payload.replacementCount ?? 0}`;
}
