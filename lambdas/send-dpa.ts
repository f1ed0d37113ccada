/**
 * SOP 4 (and SOP 17's annual renewal): emails the vendor contact the district's student Data Privacy
 * Agreement request and records security.dpa.sentTo/sentAt and DPA_SENT (shared/vetting/send-dpa.ts).
 *
 * Input: SendDpaInput { requestId, vendorContactEmail, renewal?, uploadExpiresInSeconds? }. Output: SendDpaOutput.
 * Env: TABLE_NAME, MAIL_FROM, TEAM_EMAILS, DPA_TEMPLATE_URL, DPA_RETURN_INSTRUCTIONS, PUBLIC_BASE_URL.
 * IAM: dynamodb:GetItem, dynamodb:UpdateItem, dynamodb:PutItem on the table; ses:SendEmail (MAIL_FROM identity).
 */

import { readMailFrom, readPublicBaseUrl, readTableName } from '#shared/core/config.ts';
import { type Env, httpUrlEnv, requireEnv } from '#shared/core/env.ts';
import { workflowStep } from '#shared/core/lambda.ts';
import { mailer, now, store } from '#shared/deps.ts';
import { type SendDpaConfig, type SendDpaDeps, sendDpa as send } from '#shared/vetting/send-dpa.ts';
import { readTeamEmails } from '#shared/workflow/config.ts';
import { sendDpaInputSchema } from '#shared/workflow/step-inputs.ts';

export type { SendDpaConfig, SendDpaDeps } from '#shared/vetting/send-dpa.ts';

export function readSendDpaConfig(env: Env = process.env): SendDpaConfig {
  return {
    tableName: readTableName(env),
    mailFrom: readMailFrom(env),
    cybersecurityEmail: readTeamEmails(env).cybersecurity,
    dpaTemplateUrl: httpUrlEnv('DPA_TEMPLATE_URL', env),
    returnInstructions: requireEnv('DPA_RETURN_INSTRUCTIONS', env),
    publicBaseUrl: readPublicBaseUrl(env),
  };
}

const step = workflowStep(
  sendDpaInputSchema,
  send,
  (): SendDpaDeps => ({
    config: readSendDpaConfig(),
    store: store(),
    uploads: store(),
    incidentLinks: store(),
    mailer: mailer(),
    now,
  }),
);

export const sendDpa = step.run;
export const handler = step.handler;
