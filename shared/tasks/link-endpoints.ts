/**
 * The four routes of an emailed link, built by two factories: the page (GET, never changes anything)
 * and the decision (POST, decides once), each for a team's task link (/tasks/{taskId}) or a reply link
 * (/replies/{replyId}). The lambdas/ files only choose the audience and pass their deps (shared/deps.ts).
 */
import { type HttpEvent, type HttpResponse, htmlResponse, httpHandler } from '../core/http/edge.ts';
import { logger } from '../core/logger.ts';
import { redirect } from '../identity/index.ts';
import { renderTaskErrorPage } from './pages/task-page.ts';
import {
  type DecisionPost,
  decisionResponse,
  LINK_AUDIENCES,
  linkIdOf,
  readDecisionPost,
} from './task-decision.ts';
import { isTaskId } from './task-links.ts';
import { type DecideDeps, decide, openTask, type TaskReadDeps } from './task-service.ts';
import { linkViewer, requireTeamViewer, type TeamAccessDeps, verifiedDecider } from './team-access.ts';
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

/**
 * What a link's routes need: the table and clock, and who is asking (a reply link is for the requester
 * or vendor, who do not sign in: its routes ignore `caller`).
 */
export type LinkPageDeps = TaskReadDeps & TeamAccessDeps;
export type LinkDecideDeps = DecideDeps & TeamAccessDeps;

/** GET: the confirmation page of a link, or why it cannot be used. */
export function linkPageEndpoint(
  audience: LinkAudience,
  defaultDeps: () => LinkPageDeps,
): Endpoint<LinkPageDeps> {
  const edge = LINK_AUDIENCES[audience];
  return endpoint(defaultDeps, async (event, deps) => {
    const viewer = audience === 'team' ? await linkViewer(event, deps) : ({ kind: 'link' } as const);
    if (viewer.kind === 'sign-in') return redirect(event, viewer.location);
    const secret = event.queryStringParameters?.t || undefined;
    const taskId = linkIdOf(event, audience);
    if (viewer.kind === 'person') {
      // Before anything about the task is shown: only its team may see it, with or without the link.
      const task = isTaskId(taskId) ? await deps.store.getTask(taskId) : undefined;
      if (task && task.kind !== 'answer') await requireTeamViewer(task, viewer.caller, deps);
    }
    const access = viewer.kind === 'person' ? 'member' : 'link';
    const result = await openTask(taskId, secret, deps, audience, access);
    if (result.state !== 'open') {
      logger.info(edge.refused, { state: result.state });
      const { status, page } = edge.outcome(result);
      return htmlResponse(status, page);
    }
    const form = { open: result, secret: secret ?? '' };
    if (viewer.kind === 'link') return htmlResponse(200, edge.form(form));
    const { person } = viewer.caller;
    const csrf = viewer.caller.kind === 'session' ? { csrf: viewer.caller.session.csrf } : {};
    return htmlResponse(
      200,
      edge.form({ ...form, verifiedIdentity: `${person.name} (${person.email})`, ...csrf }),
    );
  });
}

/** POST: the decision (or the answer) read from the form, decided once, and the page that says so. */
export function decisionEndpoint(
  audience: LinkAudience,
  defaultDeps: () => LinkDecideDeps,
): Endpoint<LinkDecideDeps> {
  return endpoint(defaultDeps, async (event, deps) => {
    const post = readDecisionPost(event, audience);
    if (audience === 'team') await verifyDecider(event, post, deps);
    const result = await decide(post.submission, deps);
    logger.info(LINK_AUDIENCES[audience].handled, { state: result.state });
    return decisionResponse(result, post);
  });
}

/**
 * In sso mode, the decider of an open team link: signed in, with the session's CSRF token, a member of
 * the task's team now. A link that is not open is left to decide(), which answers why and changes
 * nothing.
 */
async function verifyDecider(event: HttpEvent, post: DecisionPost, deps: LinkDecideDeps): Promise<void> {
  if (deps.caller.mode === 'link') return;
  const { taskId } = post.submission;
  const task = isTaskId(taskId) ? await deps.store.getTask(taskId) : undefined;
  if (!task || task.kind === 'answer') return;
  if (!post.secret) post.submission.secret = undefined;
  const decider = await verifiedDecider(event, post.values, task, deps);
  if (!decider) return;
  post.submission.actor = decider.actor;
  post.submission.verifiedIdentity = decider.verifiedIdentity;
  post.verifiedIdentity = decider.verifiedIdentity;
  const csrf = post.values.csrf;
  if (typeof csrf === 'string') post.csrf = csrf;
}
