/**
 * SOP 5: "If substandard grade is scored, cybersecurity team will notify vendor to improve SSL Grade."
 * Emails the vendor contact (Cybersecurity in copy and as reply-to) the grade, the per-endpoint grades
 * recorded by check-ssl, the reason, what the district requires, and a link to the SSL Labs report.
 * Appends a VENDOR_NOTIFIED_SSL audit event.
 *
 * Env: TABLE_NAME, MAIL_FROM, TEAM_EMAILS.
 * IAM: dynamodb:GetItem, dynamodb:PutItem on the table; ses:SendEmail (MAIL_FROM identity).
 */
import { logger } from '../logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import { renderSslNoticeEmail } from '../mail/vendor-emails.ts';
import type { WorkflowStore } from '../store/store.ts';
import { hostnameOf } from './hostname.ts';
import { parsePayload } from './outcome.ts';
import { sslNoticePayload } from './vendor-payloads.ts';
import type { NotifyVendorSslInput } from './workflow.ts';

export const SSL_SOP_STEP = 5;
export const RENEWAL_SOP_STEP = 17;

export interface NotifyVendorSslConfig {
  tableName: string;
  mailFrom: string;
  cybersecurityEmail: string;
}

export interface NotifyVendorSslDeps {
  store: Pick<WorkflowStore, 'requireRequest' | 'appendAudit'>;
  mailer: Mailer;
  now: () => Date;
  config: Pick<NotifyVendorSslConfig, 'cybersecurityEmail'>;
}

export interface NotifyVendorSslOutput {
  notifiedAt: string;
}

export async function notifyVendorSsl(
  input: NotifyVendorSslInput,
  deps: NotifyVendorSslDeps,
): Promise<NotifyVendorSslOutput> {
  const payload = parsePayload(sslNoticePayload, input);
  const { requestId, vendorContactEmail } = payload;
  const request = await deps.store.requireRequest(requestId);
  const ssl = request.security?.ssl;
  const grade = payload.grade ?? ssl?.grade;
  const renewal = request.status === 'APPROVED';
  const hostname = hostnameOf(request.resource.url);

  await deps.mailer.send(
    renderSslNoticeEmail({
      requestId,
      vendorContactEmail,
      cybersecurityEmail: deps.config.cybersecurityEmail,
      resourceName: request.resource.name,
      vendorName: request.resource.vendorName,
      ...(hostname ? { hostname } : {}),
      ...(grade ? { grade } : {}),
      endpoints: ssl?.endpoints ?? [],
      reason: payload.reason,
      renewal,
    }),
  );
  const notifiedAt = deps.now().toISOString();
  const sopStep = renewal ? RENEWAL_SOP_STEP : SSL_SOP_STEP;
  await deps.store.appendAudit({
    requestId,
    at: notifiedAt,
    sopStep,
    type: 'VENDOR_NOTIFIED_SSL',
    summary: `The vendor was asked to improve the SSL grade${grade ? ` (${grade})` : ''} to A or better`,
    actor: 'Cybersecurity (CCS) workflow',
    detail: { ...(grade ? { grade } : {}), ...(hostname ? { host: hostname } : {}), renewal },
  });
  logger.info('Vendor notified of SSL grade', { sopStep, grade });
  return { notifiedAt };
}
