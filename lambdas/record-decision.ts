/**
 * POST /tasks/{taskId}: a human step's decision (form fields t, decision, comment, decidedBy and the
 * kind's extra fields; JSON is accepted too). The only caller of SendTaskSuccess. In order: the link
 * (404 unknown, 403 wrong secret, 409 used, 410 expired), the fields (400, form shown again), a
 * conditional single-use claim (409 on a lost race) that keeps the decision's delivery, so that the
 * recovery sweep (recover-requests) finishes it if this function dies before the end, SendTaskSuccess (410 when Step Functions already
 * stopped waiting; 503 and the claim released when it failed otherwise), then the request's facts,
 * the DECISION_RECORDED audit event and the requester's email. A licence key is stored apart and
 * never sent to Step Functions, the audit trail, an email or a log.
 *
 * Env: TABLE_NAME, MAIL_FROM, PUBLIC_BASE_URL.
 * IAM: dynamodb:GetItem, UpdateItem, PutItem, Query on the table; states:SendTaskSuccess on the
 * state machines; ses:SendEmail (MAIL_FROM identity).
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

export function buildRecordDecisionDeps(env: Env = process.env): DecideDeps {
  return { store: storeFor(env), sfn, mailer: mailerFor(env), now, publicBaseUrl: readPublicBaseUrl(env) };
}

/** Built on first use, then reused for the container's life (config is read and validated once). */
const defaultDeps = once((): DecideDeps => buildRecordDecisionDeps());

export async function recordDecision(
  event: HttpEvent,
  deps: DecideDeps = defaultDeps(),
): Promise<HttpResponse> {
  const post = readDecisionPost(event);
  const result = await decide(post.submission, deps);
  logger.info('Decision submission handled', { state: result.state });
  return decisionResponse(result, post);
}

export const handler = httpHandler((event) => recordDecision(event), {
  renderErrorPage: renderTaskErrorPage,
});
