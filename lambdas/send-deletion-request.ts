/**
 * A resource is no longer approved: emails the vendor the written request to delete the students'
 * data, with a single-use link for the certificate of destruction, and records "deletion requested"
 * on the registry entry (shared/stewardship/deletion.ts).
 *
 * Input: SendDeletionRequestInput { requestId, resourceId, approvedOn, uploadExpiresInSeconds }.
 * Output: { asked, sentTo }.
 * Env: TABLE_NAME, MAIL_FROM, SES_CONFIGURATION_SET, TEAM_EMAILS, PUBLIC_BASE_URL.
 */
import { workflowStep } from '#shared/core/lambda.ts';
import { mailer, now, publicBaseUrl, store, teamEmails } from '#shared/deps.ts';
import { type SendDeletionRequestDeps, sendDeletionRequest as send } from '#shared/stewardship/deletion.ts';
import { sendDeletionRequestInputSchema } from '#shared/workflow/step-inputs.ts';

const step = workflowStep(
  sendDeletionRequestInputSchema,
  send,
  (): SendDeletionRequestDeps => ({
    store: store(),
    uploads: store(),
    mailer: mailer(),
    now,
    config: { cybersecurityEmail: teamEmails().cybersecurity, publicBaseUrl: publicBaseUrl() },
  }),
);

export const sendDeletionRequest = step.run;
export const handler = step.handler;
