/**
 * SOP 17: the annual renewal's result on the request (RENEWED with the next due date, or LAPSED with
 * the reason, emailing the requester and Cybersecurity); shared/renewal/record-renewal.ts.
 *
 * Input: RecordRenewalInput { requestId, outcome: RENEWED | LAPSED, denial? }. Output: { renewal }.
 * Env: TABLE_NAME, MAIL_FROM, PUBLIC_BASE_URL, TEAM_EMAILS.
 * IAM: dynamodb:GetItem, dynamodb:UpdateItem, dynamodb:PutItem on the table; ses:SendEmail.
 */

import { workflowStep } from '#shared/core/lambda.ts';
import { mailer, now, publicBaseUrl, store, teamEmails } from '#shared/deps.ts';
import { type RecordRenewalDeps, recordRenewal as record } from '#shared/renewal/record-renewal.ts';
import { recordRenewalInputSchema } from '#shared/workflow/step-inputs.ts';

export type { RecordRenewalDeps } from '#shared/renewal/record-renewal.ts';

const step = workflowStep(
  recordRenewalInputSchema,
  record,
  (): RecordRenewalDeps => ({
    store: store(),
    mailer: mailer(),
    now,
    publicBaseUrl: publicBaseUrl(),
    cybersecurityEmail: teamEmails().cybersecurity,
  }),
);

export const recordRenewal = step.run;
export const handler = step.handler;
