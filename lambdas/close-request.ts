/**
 * The request's outcome (SOP 6, 9, 11, 16): sets APPROVED or DENIED once, audits OUTCOME and emails
 * the requester; retry-safe (shared/domain/close-request.ts).
 *
 * Input: CloseRequestInput { requestId, outcome, denial? }. Output: CloseRequestOutput.
 * Env: TABLE_NAME, MAIL_FROM, PUBLIC_BASE_URL.
 */
import { mailer, now, publicBaseUrl, store } from '#shared/deps.ts';
import {
  type CloseRequestDeps,
  type CloseRequestOutput,
  closeRequest as close,
} from '#shared/domain/close-request.ts';
import type { CloseRequestInput } from '#shared/domain/workflow.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { once } from '#shared/once.ts';

export type { CloseRequestDeps, CloseRequestOutput } from '#shared/domain/close-request.ts';

const defaultDeps = once(
  (): CloseRequestDeps => ({ store: store(), mailer: mailer(), publicBaseUrl: publicBaseUrl(), now }),
);

export async function closeRequest(
  input: unknown,
  deps: CloseRequestDeps = defaultDeps(),
): Promise<CloseRequestOutput> {
  return close(input, deps);
}

export const handler = workflowHandler((input: CloseRequestInput) => closeRequest(input));
