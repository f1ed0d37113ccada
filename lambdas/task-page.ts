/**
 * GET /tasks/{taskId}?t=<secret>: the confirmation page of a human step (what is asked, the SOP step,
 * the team, the deadline, the request's facts, and the decision form). It only reads: mail scanners
 * follow GET links. Unknown link 404, wrong secret 403, already decided 409, expired 410.
 *
 * Env: TABLE_NAME.
 * IAM: dynamodb:GetItem, Query on the table.
 */

import {
  type HttpEvent,
  type HttpResponse,
  htmlResponse,
  httpHandler,
  verifiedIdentityOf,
} from '#shared/core/http/edge.ts';
import { logger } from '#shared/core/logger.ts';
import { once } from '#shared/core/once.ts';
import { now, store } from '#shared/deps.ts';
import { renderTaskErrorPage, renderTaskForm, renderTaskOutcome } from '#shared/tasks/pages/task-page.ts';
import { openTask, type TaskReadDeps } from '#shared/tasks/task-service.ts';

/** Built on first use, then reused for the container's life (config is read and validated once). */
const defaultDeps = once((): TaskReadDeps => ({ store: store(), now }));

export async function showTaskPage(
  event: HttpEvent,
  deps: TaskReadDeps = defaultDeps(),
): Promise<HttpResponse> {
  const taskId = event.pathParameters?.taskId ?? '';
  const secret = event.queryStringParameters?.t ?? undefined;
  const result = await openTask(taskId, secret, deps);
  if (result.state !== 'open') {
    logger.info('Task link refused', { state: result.state });
    const { status, page } = renderTaskOutcome(result);
    return htmlResponse(status, page);
  }
  const verifiedIdentity = verifiedIdentityOf(event);
  return htmlResponse(
    200,
    renderTaskForm({
      open: result,
      secret: secret ?? '',
      ...(verifiedIdentity ? { verifiedIdentity } : {}),
    }),
  );
}

export const handler = httpHandler((event) => showTaskPage(event), { renderErrorPage: renderTaskErrorPage });
