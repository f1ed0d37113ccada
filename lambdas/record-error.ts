/**
 * The error path every Catch leads to: marks the request ERROR, audits SYSTEM_ERROR and emails the
 * operators; never throws but TransientError (shared/domain/record-error.ts).
 *
 * Input: RecordErrorInput { requestId, error? }. Output: RecordErrorOutput.
 * Env: TABLE_NAME, MAIL_FROM, OPERATOR_EMAIL.
 */
import { mailer, now, store } from '#shared/deps.ts';
import {
  type RecordErrorDeps,
  type RecordErrorOutput,
  recordError as record,
} from '#shared/domain/record-error.ts';
import type { RecordErrorInput } from '#shared/domain/workflow.ts';
import { emailEnv } from '#shared/env.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { once } from '#shared/once.ts';

export type { RecordErrorDeps, RecordErrorOutput } from '#shared/domain/record-error.ts';

const defaultDeps = once(
  (): RecordErrorDeps => ({
    store: store(),
    mailer: mailer(),
    operatorEmail: emailEnv('OPERATOR_EMAIL'),
    now,
  }),
);

export async function recordError(
  input: unknown,
  deps: RecordErrorDeps = defaultDeps(),
): Promise<RecordErrorOutput> {
  return record(input, deps);
}

export const handler = workflowHandler((input: RecordErrorInput) => recordError(input));
