/**
 * A team's task link when people sign in (AUTH_MODE=sso): the link still carries its secret, and
 * the person who opens it must be signed in and a member of the task's team. Reading the page trusts
 * the session's teams; deciding asks the directory again (a person removed from the team since signing
 * in is refused). A member of another team is refused (403), and the refusal joins the request's
 * audit trail: the link reached someone it should not have.
 */
import type { HttpEvent } from '../core/http/edge.ts';
import { logger } from '../core/logger.ts';
import {
  AccessDeniedError,
  type Actor,
  type CallerDeps,
  callerOf,
  type Identity,
  type KnownCaller,
  loginPath,
  requireCsrf,
  requireMemberNow,
  SessionRejectedError,
} from '../identity/index.ts';
import type { RequestStore } from '../requests/index.ts';
import type { TaskRecord } from '../workflow/index.ts';

export interface TeamAccessDeps {
  caller: CallerDeps;
  store: Pick<RequestStore, 'appendAudit'>;
}

/** Who opens a team's link: anyone holding it (link mode), a signed-in person, or nobody yet. */
export type LinkViewer =
  | { kind: 'link' }
  | { kind: 'person'; caller: KnownCaller }
  | { kind: 'sign-in'; location: string };

/** GET: the viewer of `/tasks/{taskId}?t=…`; nobody signed in is sent to sign in and back here. */
export async function linkViewer(event: HttpEvent, deps: TeamAccessDeps): Promise<LinkViewer> {
  if (deps.caller.mode === 'link') return { kind: 'link' };
  const caller = await callerOf(event, deps.caller);
  if (caller.kind !== 'nobody') return { kind: 'person', caller };
  const here = `${event.path}${event.queryStringParameters?.t ? `?${new URLSearchParams({ t: event.queryStringParameters.t })}` : ''}`;
  return { kind: 'sign-in', location: loginPath(here) };
}

/** The page is shown only to a member of the task's team (as the session has it). */
export async function requireTeamViewer(
  task: TaskRecord,
  caller: KnownCaller,
  deps: TeamAccessDeps,
): Promise<void> {
  if (!caller.person.teams.includes(task.team)) await refuse(task, caller.person, deps, 'opened');
}

/**
 * POST: the decider, verified now. Signed in (401 otherwise), the session's CSRF token, and a member of
 * the task's team in the directory at this moment (403 otherwise, audited).
 */
export async function verifiedDecider(
  event: HttpEvent,
  values: Record<string, unknown>,
  task: TaskRecord,
  deps: TeamAccessDeps,
): Promise<{ actor: Actor; verifiedIdentity: string } | undefined> {
  if (deps.caller.mode === 'link') return undefined;
  const caller = await callerOf(event, deps.caller);
  if (caller.kind === 'nobody') throw new SessionRejectedError('missing');
  requireCsrf(caller, event, values);
  let person: Identity;
  try {
    person = await requireMemberNow(caller.person, task.team, deps.caller);
  } catch (error) {
    if (error instanceof AccessDeniedError) await refuse(task, caller.person, deps, 'tried to decide');
    throw error;
  }
  return {
    actor: { sub: person.sub, email: person.email, name: person.name, via: 'sso' },
    verifiedIdentity: `${person.name} (${person.email})`,
  };
}

/** Audits a member of another team (or a removed member) refused on `task`, then refuses (403). */
export async function refuse(
  task: TaskRecord,
  person: Identity,
  deps: Pick<TeamAccessDeps, 'store'>,
  what: string,
): Promise<never> {
  const actor: Actor = { sub: person.sub, email: person.email, name: person.name, via: 'sso' };
  logger.warn('Task link refused: not a member of the task team', { taskId: task.taskId, team: task.team });
  await deps.store.appendAudit({
    requestId: task.requestId,
    sopStep: task.sopStep,
    type: 'TASK_ACCESS_REFUSED',
    summary: `${person.name} (${person.email}) ${what} a ${task.kind} task of another team; refused`,
    actor: person.email,
    detail: { taskId: task.taskId, kind: task.kind, team: task.team, actor },
  });
  throw new AccessDeniedError('not-in-team');
}
