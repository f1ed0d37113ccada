/**
 * SOP 5: "If substandard grade is scored, cybersecurity team will notify vendor to improve SSL Grade."
 * Emails the vendor contact (Cybersecurity in copy and as reply-to) the grade, the per-endpoint grades
 * recorded by check-ssl, the reason, what the district requires, and a link to the SSL Labs report.
 * Appends a VENDOR_NOTIFIED_SSL audit event.
 *
 * Env: TABLE_NAME, MAIL_FROM, TEAM_EMAILS.
 * IAM: dynamodb:GetItem, dynamodb:PutItem on the table; ses:SendEmail (MAIL_FROM identity).
 */
import { dynamoDb } from '#shared/aws/clients.ts';
import { readMailFrom, readTableName, readTeamEmails } from '#shared/config.ts';
import type { NotifyVendorSslInput } from '#shared/domain/workflow.ts';
import { ValidationError } from '#shared/errors.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { logger } from '#shared/logger.ts';
import type { Mailer } from '#shared/mail/mailer.ts';
import { SesMailer } from '#shared/mail/ses-mailer.ts';
import { renderSslNoticeEmail, vendorEmailInputErrors } from '#shared/mail/vendor-emails.ts';
import { once } from '#shared/once.ts';
import { WorkflowStore } from '#shared/store/store.ts';

type Env = Record<string, string | undefined>;

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

export function readNotifyVendorSslConfig(env: Env = process.env): NotifyVendorSslConfig {
  return {
    tableName: readTableName(env),
    mailFrom: readMailFrom(env),
    cybersecurityEmail: readTeamEmails(env).cybersecurity,
  };
}

export function buildNotifyVendorSslDeps(config: NotifyVendorSslConfig): NotifyVendorSslDeps {
  return {
    store: new WorkflowStore({ tableName: config.tableName, client: dynamoDb }),
    mailer: new SesMailer({ from: config.mailFrom }),
    now: () => new Date(),
    config,
  };
}

/** Built on first use, then reused for the container's life (config is read and validated once). */
const defaultDeps = once((): NotifyVendorSslDeps => buildNotifyVendorSslDeps(readNotifyVendorSslConfig()));

function hostnameOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

export async function notifyVendorSsl(
  input: NotifyVendorSslInput,
  deps: NotifyVendorSslDeps = defaultDeps(),
): Promise<NotifyVendorSslOutput> {
  const errors = vendorEmailInputErrors(input);
  if (input && (typeof input.reason !== 'string' || !input.reason.trim())) {
    errors.push({ field: 'reason', message: 'is required (why the SSL grade is substandard)' });
  }
  if (input && input.grade !== undefined && input.grade !== null && typeof input.grade !== 'string') {
    errors.push({ field: 'grade', message: 'must be an SSL Labs grade such as B' });
  }
  if (errors.length) throw new ValidationError(errors);

  const requestId = input.requestId.trim();
  const vendorContactEmail = input.vendorContactEmail.trim();
  const request = await deps.store.requireRequest(requestId);
  const ssl = request.security?.ssl;
  const grade = input.grade ?? ssl?.grade;
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
      reason: input.reason.trim(),
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

export const handler = workflowHandler<NotifyVendorSslInput, NotifyVendorSslOutput>((input) =>
  notifyVendorSsl(input),
);
