/**
 * The four routes of an emailed link, built by two factories: the page (GET, never changes anything)
 * and the decision (POST, decides once), each for a team's task link (/tasks/{taskId}) or a reply link
 * (/replies/{replyId}). The lambdas/ files only choose the audience and pass their deps (shared/deps.ts).
 */
import {
  type HttpEvent,
  type HttpResponse,
  htmlResponse,
  httpHandler,
  verifiedIdentityOf,
} from '../core/http/edge.ts';
import { logger } from '../core/logger.ts';
import { renderTaskErrorPage } from './pages/task-page.ts';
import { decisionResponse, LINK_AUDIENCES, linkIdOf, readDecisionPost } from './task-decision.ts';
import { type DecideDeps, decide, openTask, type TaskReadDeps } from './task-service.ts';
import type { LinkAudience } from './types.ts';

/**
 * A handler for tests (`run`, with deps) and for Lambda (`handler`, with `defaultDeps()`: deps.ts
 * builds them on the first call and keeps them).
 */
export interface Endpoint<D> {
  run: (event: HttpEvent, deps?: D) => Promise<HttpResponse>;
  handler: ReturnType<typeof httpHandler>;
}

function endpoint<D>(
  defaultDeps: () => D,
  respond: (event: HttpEvent, deps: D) => Promise<HttpResponse>,
): Endpoint<D> {
  const run = (event: HttpEvent, deps: D = defaultDeps()) => respond(event, deps);
  return { run, handler: httpHandler((event) => run(event), { renderErrorPage: renderTaskErrorPage }) };
}

/** GET: the confirmation page of a link, or why it cannot be used. */
export function linkPageEndpoint(
  audience: LinkAudience,
  defaultDeps: () => TaskReadDeps,
): Endpoint<TaskReadDeps> {
  const edge = LINK_AUDIENCES[audience];
  return endpoint(defaultDeps, async (event, deps) => {
    const secret = event.queryStringParameters?.t ?? undefined;
    const result = await openTask(linkIdOf(event, audience), secret, deps, audience);
    if (result.state !== 'open') {
      logger.info(edge.refused, { state: result.state });
      const { status, page } = edge.outcome(result);
      return htmlResponse(status, page);
    }
    const verifiedIdentity = verifiedIdentityOf(event);
    const form = { open: result, secret: secret ?? '', ...(verifiedIdentity ? { verifiedIdentity } : {}) };
    return htmlResponse(200, edge.form(form));
  });
}

/** POST: the decision (or the answer) read from the form, decided once, and the page that says so. */
export function decisionEndpoint(
  audience: LinkAudience,
  defaultDeps: () => DecideDeps,
): Endpoint<DecideDeps> {
  return endpoint(defaultDeps, async (event, deps) => {
    const post = readDecisionPost(event, audience);
    const result = await decide(post.submission, deps);
    logger.info(LINK_AUDIENCES[audience].handled, { state: result.state });
    return decisionResponse(result, post);
  });
}
