/**
 * The error path every Catch leads to: marks the request ERROR, audits SYSTEM_ERROR and emails the
 * operators; never throws but TransientError (shared/requests/record-error.ts).
 *
 * Input: RecordErrorInput { requestId, error? }. Output: RecordErrorOutput.
 * Env: TABLE_NAME, MAIL_FROM, OPERATOR_EMAIL.
 */

import { emailEnv } from '#shared/core/env.ts';
import { workflowStep } from '#shared/core/lambda.ts';
import { mailer, now, store } from '#shared/deps.ts';
import { type RecordErrorDeps, recordError as record } from '#shared/requests/record-error.ts';
import { recordErrorInputSchema } from '#shared/workflow/step-inputs.ts';

export type { RecordErrorDeps, RecordErrorOutput } from '#shared/requests/record-error.ts';

const step = workflowStep(
  recordErrorInputSchema,
  record,
  (): RecordErrorDeps => ({
    store: store(),
    reports: store(),
    mailer: mailer(),
    operatorEmail: emailEnv('OPERATOR_EMAIL'),
    now,
  }),
);

export const recordError = step.run;
export const handler = step.handler;
