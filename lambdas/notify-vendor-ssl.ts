/**
 * SOP 5: "If substandard grade is scored, cybersecurity team will notify vendor to improve SSL Grade."
 * Emails the vendor contact the grades and what the district requires, and audits VENDOR_NOTIFIED_SSL
 * (shared/vetting/ssl-notice.ts).
 *
 * Opens or continues the SSL remediation (re-test count and window per execution).
 *
 * Input: NotifyVendorSslInput { requestId, vendorContactEmail, reason, grade?, executionId?, scanStartedAt? }.
 * Output: NotifyVendorSslOutput { notifiedAt, open, retests, waitSeconds, windowEndsAt, reason, timeoutReason }.
 * Env: TABLE_NAME, MAIL_FROM, TEAM_EMAILS, SSL_REMEDIATION_WINDOW_DAYS (optional, 1-30, default 30).
 * IAM: dynamodb:GetItem, dynamodb:UpdateItem, dynamodb:PutItem on the table; ses:SendEmail (MAIL_FROM identity).
 */

import { readMailFrom, readTableName } from '#shared/core/config.ts';
import { type Env, intEnv } from '#shared/core/env.ts';
import { ConfigError } from '#shared/core/errors.ts';
import { workflowStep } from '#shared/core/lambda.ts';
import { mailer, now, store } from '#shared/deps.ts';
import {
  DEFAULT_REMEDIATION_WINDOW_DAYS,
  MAX_REMEDIATION_WINDOW_DAYS,
  type NotifyVendorSslConfig,
  type NotifyVendorSslDeps,
  notifyVendorSsl as notify,
} from '#shared/vetting/ssl-notice.ts';
import { readTeamEmails } from '#shared/workflow/config.ts';
import { notifyVendorSslInputSchema } from '#shared/workflow/step-inputs.ts';

export type { NotifyVendorSslConfig, NotifyVendorSslDeps } from '#shared/vetting/ssl-notice.ts';
export type { NotifyVendorSslOutput } from '#shared/workflow/payloads.ts';

export function readNotifyVendorSslConfig(env: Env = process.env): NotifyVendorSslConfig {
  const remediationWindowDays = intEnv('SSL_REMEDIATION_WINDOW_DAYS', DEFAULT_REMEDIATION_WINDOW_DAYS, env);
  if (remediationWindowDays < 1 || remediationWindowDays > MAX_REMEDIATION_WINDOW_DAYS) {
    throw new ConfigError(
      `Environment variable SSL_REMEDIATION_WINDOW_DAYS must be between 1 and ${MAX_REMEDIATION_WINDOW_DAYS}`,
    );
  }
  return {
    tableName: readTableName(env),
    mailFrom: readMailFrom(env),
    cybersecurityEmail: readTeamEmails(env).cybersecurity,
    remediationWindowDays,
  };
}

const step = workflowStep(
  notifyVendorSslInputSchema,
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
