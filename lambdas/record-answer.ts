/**
 * POST /replies/{replyId}: the requester's or vendor's answer to a review's question (form fields t,
 * decision=answered, answer, decidedBy). The same single-use path as record-decision (link check,
 * validation, conditional claim, SendTaskSuccess, then the audit event), on reply links only; the
 * answer joins the audit trail and the asking step gets a new task link showing it. A reply link whose
 * wait is over (the review went on without the answer) answers 410 before any claim, writing nothing.
 *
 * Env: TABLE_NAME, MAIL_FROM, PUBLIC_BASE_URL.
 * IAM: dynamodb:GetItem, UpdateItem, PutItem, Query on the table; states:SendTaskSuccess on the
 * software-request state machine.
 */
import { sfn } from '#shared/core/aws/clients.ts';
import { readPublicBaseUrl } from '#shared/core/config.ts';
import { type HttpEvent, type HttpResponse, httpHandler } from '#shared/core/http/edge.ts';
import { logger } from '#shared/core/logger.ts';
import { once } from '#shared/core/once.ts';
import { type Env, mailerFor, now, storeFor } from '#shared/deps.ts';
import { renderTaskErrorPage } from '#shared/tasks/pages/task-page.ts';
import { decisionResponse, readDecisionPost } from '#shared/tasks/task-decision.ts';
import { type DecideDeps, decide } from '#shared/tasks/task-service.ts';
export function buildRecordAnswerDeps(env: Env = process.env): DecideDeps {
  return { store: storeFor(env), sfn, mailer: mailerFor(env), now, publicBaseUrl: readPublicBaseUrl(env) };
}

/** Built on first use, then reused for the container's life (config is read and validated once). */
const defaultDeps = once((): DecideDeps => buildRecordAnswerDeps());

export async function recordAnswer(
  event: HttpEvent,
  deps: DecideDeps = defaultDeps(),
): Promise<HttpResponse> {
  const post = readDecisionPost(event, 'reply');
  const result = await decide(post.submission, deps);
  logger.info('Answer submission handled', { state: result.state });
  return decisionResponse(result, post);
}

export const handler = httpHandler((event) => recordAnswer(event), { renderErrorPage: renderTaskErrorPage });
