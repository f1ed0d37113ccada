/**
 * The request's outcome (SOP 6, 9, 11, 16): sets APPROVED or DENIED once, audits OUTCOME and emails
 * the requester; retry-safe (shared/requests/close-request.ts).
 *
 * Input: CloseRequestInput { requestId, outcome, denial? }. Output: CloseRequestOutput.
 * Env: TABLE_NAME, MAIL_FROM, PUBLIC_BASE_URL.
 */

import { workflowStep } from '#shared/core/lambda.ts';
import { mailer, now, publicBaseUrl, store } from '#shared/deps.ts';
import { type CloseRequestDeps, closeRequest as close } from '#shared/requests/close-request.ts';
import { closeRequestInputSchema } from '#shared/workflow/step-inputs.ts';

export type { CloseRequestDeps, CloseRequestOutput } from '#shared/requests/close-request.ts';

const step = workflowStep(
  closeRequestInputSchema,
  close,
  (): CloseRequestDeps => ({
    store: store(),
    reports: store(),
    mailer: mailer(),
    publicBaseUrl: publicBaseUrl(),
    now,
  }),
);

export const closeRequest = step.run;
export const handler = step.handler;
