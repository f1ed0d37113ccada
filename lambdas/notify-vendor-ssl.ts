/**
 * SOP 5: "If substandard grade is scored, cybersecurity team will notify vendor to improve SSL Grade."
 * Emails the vendor contact the grades and what the district requires, and audits VENDOR_NOTIFIED_SSL
 * (shared/domain/ssl-notice.ts).
 *
 * Input: NotifyVendorSslInput { requestId, vendorContactEmail, reason, grade? }. Output: { notifiedAt }.
 * Env: TABLE_NAME, MAIL_FROM, TEAM_EMAILS.
 * IAM: dynamodb:GetItem, dynamodb:PutItem on the table; ses:SendEmail (MAIL_FROM identity).
 */
import { readMailFrom, readTableName, readTeamEmails } from '#shared/config.ts';
import { mailer, now, store } from '#shared/deps.ts';
import {
  type NotifyVendorSslConfig,
  type NotifyVendorSslDeps,
  notifyVendorSsl as notify,
} from '#shared/domain/ssl-notice.ts';
import type { Env } from '#shared/env.ts';
import { workflowStep } from '#shared/lambda.ts';

export type {
  NotifyVendorSslConfig,
  NotifyVendorSslDeps,
  NotifyVendorSslOutput,
} from '#shared/domain/ssl-notice.ts';

export function readNotifyVendorSslConfig(env: Env = process.env): NotifyVendorSslConfig {
  return {
    tableName: readTableName(env),
    mailFrom: readMailFrom(env),
    cybersecurityEmail: readTeamEmails(env).cybersecurity,
  };
}

const step = workflowStep(
  notify,
  (): NotifyVendorSslDeps => ({
    config: readNotifyVendorSslConfig(),
    store: store(),
    mailer: mailer(),
    now,
  }),
);

export const notifyVendorSsl = step.run;
export const handler = step.handler;
