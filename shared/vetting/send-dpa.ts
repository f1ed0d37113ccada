/**
 * SOP 4 (and SOP 17's annual renewal): email the vendor contact the district's student Data Privacy
 * Agreement request: the DPA template link, how to return it, the resource, the student data the
 * request says is shared, and the Cybersecurity team as the reply-to. Records security.dpa.sentTo/sentAt
 * on the request and a DPA_SENT audit event.
 *
 * The email carries a single-use upload link (shared/evidence/upload-links.ts) through which the
 * vendor returns the signed agreement as a PDF; it expires with the DPA wait.
 *
 * Env: TABLE_NAME, MAIL_FROM, TEAM_EMAILS, DPA_TEMPLATE_URL, DPA_RETURN_INSTRUCTIONS, PUBLIC_BASE_URL.
 * IAM: dynamodb:GetItem, dynamodb:UpdateItem, dynamodb:PutItem on the table; ses:SendEmail (MAIL_FROM identity).
 */

import { retryAfterEmail } from '../core/aws/transient.ts';
import { logger } from '../core/logger.ts';
import type { Mailer } from '../core/mail/mailer.ts';
import { type UploadLinkStore, uploadLink } from '../evidence/index.ts';
import type { RequestStore } from '../requests/index.ts';
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
  store: Pick<RequestStore, 'requireRequest' | 'updateRequest' | 'setRequestSecurity' | 'appendAudit'>;
  /** The vendor's single-use upload link for the signed agreement (shared/evidence). */
  uploads: Pick<UploadLinkStore, 'createUploadLink'>;
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
    renewal,
  });
  await deps.mailer.send(email);
  const sentAt = deps.now().toISOString();

  // Retried here: failed, the step's retry would send the vendor the DPA a second time.
  await retryAfterEmail(() =>
    deps.store.setRequestSecurity(requestId, 'dpa', { ...request.security?.dpa, sentTo, sentAt }),
  );
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
