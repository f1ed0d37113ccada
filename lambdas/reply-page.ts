/**
 * GET /replies/{replyId}?t=<secret>: the page of a question a review asked the requester or the
 * vendor (SOP 4 "work with the vendor to answer questions as needed"): the question and a form for
 * the answer. Same link rules as task-page: it only reads; unknown 404, wrong secret 403, already
 * answered 409, expired 410 (also once the workflow stopped waiting for the answer and the review went
 * on without it: shared/tasks/reply-links.ts). A team's task link does not open here, nor a reply
 * link there.
 *
 * Env: TABLE_NAME.
 * IAM: dynamodb:GetItem, Query on the table.
 */

import { type HttpEvent, type HttpResponse, htmlResponse, httpHandler } from '#shared/core/http/edge.ts';
import { logger } from '#shared/core/logger.ts';
import { once } from '#shared/core/once.ts';
import { now, store } from '#shared/deps.ts';
import { renderReplyForm, renderReplyOutcome } from '#shared/tasks/pages/reply-page.ts';
import { renderTaskErrorPage } from '#shared/tasks/pages/task-page.ts';
import { openTask, type TaskReadDeps } from '#shared/tasks/task-service.ts';

const defaultDeps = once((): TaskReadDeps => ({ store: store(), now }));

export async function showReplyPage(
  event: HttpEvent,
  deps: TaskReadDeps = defaultDeps(),
): Promise<HttpResponse> {
  const replyId = event.pathParameters?.replyId ?? '';
  const secret = event.queryStringParameters?.t ?? undefined;
  const result = await openTask(replyId, secret, deps, 'reply');
  if (result.state !== 'open') {
    logger.info('Reply link refused', { state: result.state });
    const { status, page } = renderReplyOutcome(result);
    return htmlResponse(status, page);
  }
  return htmlResponse(200, renderReplyForm({ open: result, secret: secret ?? '' }));
}

export const handler = httpHandler((event) => showReplyPage(event), { renderErrorPage: renderTaskErrorPage });
