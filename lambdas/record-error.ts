/**
 * The error path every Catch leads to: marks the request ERROR, audits SYSTEM_ERROR and emails the
 * operators; never throws but TransientError (shared/domain/record-error.ts).
 *
 * Input: RecordErrorInput { requestId, error? }. Output: RecordErrorOutput.
 * Env: TABLE_NAME, MAIL_FROM, OPERATOR_EMAIL.
 */
import { mailer, now, store } from '#shared/deps.ts';
import { type RecordErrorDeps, recordError as record } from '#shared/domain/record-error.ts';
import { emailEnv } from '#shared/env.ts';
import { workflowStep } from '#shared/lambda.ts';

export type { RecordErrorDeps, RecordErrorOutput } from '#shared/domain/record-error.ts';

const step = workflowStep(
  record,
  (): RecordErrorDeps => ({
    store: store(),
    mailer: mailer(),
    operatorEmail: emailEnv('OPERATOR_EMAIL'),
    now,
  }),
);

export const recordError = step.run;
export const handler = step.handler;
