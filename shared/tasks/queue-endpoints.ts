/**
 * The queue's routes: GET /queue (HTML, or JSON `{ tasks }`), POST /queue/{taskId}/{action} (claim,
 * release, assign) and POST /queue/away. Signed-in people only (a browser is sent to sign in; an API
 * client gets 401); every POST made with the session carries its CSRF token. A form post answers with
 * a redirect back to the queue (so a reload does not post again); JSON clients get JSON.
 */
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { isOneOf, isRecord } from '../core/guards.ts';
import {
  type HttpEvent,
  type HttpResponse,
  htmlResponse,
  httpHandler,
  jsonResponse,
  parseBody,
  wantsHtml,
} from '../core/http/edge.ts';
import { isResponse, type KnownCaller, redirect, requireCsrf, signedInOrSignIn } from '../identity/index.ts';
import { type AwayDeps, setAway } from './away.ts';
import { renderQueuePage } from './pages/queue-page.ts';
import { renderTaskErrorPage } from './pages/task-page.ts';
import { moveTask, QUEUE_ACTIONS, type QueueDeps, teamQueue } from './queue.ts';

export type QueueEndpointDeps = QueueDeps & AwayDeps;

const NOTICES: Record<string, string> = {
  claim: 'The task is yours.',
  release: 'The task is back with the team.',
  assign: 'The task was assigned.',
  away: 'Your out-of-office is saved.',
};

/** The signed-in caller, or where to send them; 404 in link mode (nobody signs in). */
async function signedIn(event: HttpEvent, deps: QueueDeps): Promise<KnownCaller | HttpResponse> {
  const who = await signedInOrSignIn(event, deps.caller, '/queue');
  if (!who) throw new NotFoundError('The work queue needs sign-in: this site runs with AUTH_MODE=link.');
  return who;
}

async function queueView(caller: KnownCaller, deps: QueueEndpointDeps, extra: { notice?: string } = {}) {
  const [items, me] = await Promise.all([
    teamQueue(caller.person, deps),
    deps.store.getPerson(caller.person.email),
  ]);
  return {
    person: caller.person,
    csrf: caller.kind === 'session' ? caller.session.csrf : '',
    items,
    ...(me?.away ? { away: me.away } : {}),
    ...extra,
  };
}

function endpoint(
  defaultDeps: () => QueueEndpointDeps,
  respond: (event: HttpEvent, caller: KnownCaller, deps: QueueEndpointDeps) => Promise<HttpResponse>,
) {
  const run = async (event: HttpEvent, deps: QueueEndpointDeps = defaultDeps()) => {
    const caller = await signedIn(event, deps);
    return isResponse(caller) ? caller : respond(event, caller, deps);
  };
  return { run, handler: httpHandler((event) => run(event), { renderErrorPage: renderTaskErrorPage }) };
}

export const queuePageEndpoint = (deps: () => QueueEndpointDeps) =>
  endpoint(deps, async (event, caller, d) => {
    const done = event.queryStringParameters?.done;
    const view = await queueView(caller, d, done && NOTICES[done] ? { notice: NOTICES[done] } : {});
    return wantsHtml(event)
      ? htmlResponse(200, renderQueuePage(view))
      : jsonResponse(200, { tasks: view.items });
  });

/** A POST's fields, its CSRF token checked. */
function postedValues(event: HttpEvent, caller: KnownCaller) {
  const body = event.body ? parseBody(event) : { kind: 'json' as const, value: {} };
  const values = isRecord(body.value) ? body.value : {};
  requireCsrf(caller, event, values);
  return { values, asForm: body.kind === 'form' };
}

/** After a form post: back to the queue; after a refused one, the queue with what was wrong. */
async function formAnswer(
  event: HttpEvent,
  caller: KnownCaller,
  deps: QueueEndpointDeps,
  done: string,
  change: () => Promise<unknown>,
): Promise<HttpResponse> {
  try {
    await change();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return htmlResponse(400, renderQueuePage({ ...(await queueView(caller, deps)), errors: error.errors }));
  }
  return redirect(event, `/queue?done=${done}`);
}

export const queueMoveEndpoint = (deps: () => QueueEndpointDeps) =>
  endpoint(deps, async (event, caller, d) => {
    const action = event.pathParameters?.action;
    if (!isOneOf(QUEUE_ACTIONS, action)) throw new NotFoundError(`No queue action "${String(action)}"`);
    const taskId = event.pathParameters?.taskId ?? '';
    const { values, asForm } = postedValues(event, caller);
    const move = () => moveTask(caller.person, taskId, action, values, d);
    if (asForm) return formAnswer(event, caller, d, action, move);
    const { assignee } = await move();
    return jsonResponse(200, {
      taskId,
      assignee: assignee && { email: assignee.email, name: assignee.name },
    });
  });

export const awayEndpoint = (deps: () => QueueEndpointDeps) =>
  endpoint(deps, async (event, caller, d) => {
    const { values, asForm } = postedValues(event, caller);
    const save = () => setAway(caller.person, values, d);
    if (asForm) return formAnswer(event, caller, d, 'away', save);
    return jsonResponse(200, { away: await save() });
  });
