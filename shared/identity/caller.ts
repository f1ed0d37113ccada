/**
 * Who is asking, at the HTTP edge: a person signed in with the session cookie, an API client with an
 * `Authorization: Bearer` token from the same provider, or nobody known (link mode, or not signed in).
 * And the two checks a state-changing request makes: the CSRF token of a cookie session (a bearer token
 * is not sent by the browser on its own, so it needs none), and the person's teams as the directory
 * has them now (a session remembers the teams of its sign-in).
 */
import { ConfigError } from '../core/errors.ts';
import { type HttpEvent, header } from '../core/http/edge.ts';
import { identityFromClaims } from './claims.ts';
import { CSRF_FIELD, CSRF_HEADER, checkCsrf } from './csrf.ts';
import type { CallerDeps } from './deps.ts';
import { AccessDeniedError, SessionRejectedError } from './errors.ts';
import { optionalSession } from './session.ts';
import type { Actor, Identity, IdentityGroup, Session } from './types.ts';

export type { CallerDeps } from './deps.ts';

export type Caller =
  | { kind: 'nobody' }
  | { kind: 'session'; person: Identity; session: Session }
  | { kind: 'bearer'; person: Identity };

export type KnownCaller = Exclude<Caller, { kind: 'nobody' }>;

const NOBODY: Caller = { kind: 'nobody' };

/**
 * The caller of `event`. A session cookie that is missing, expired or forged is nobody (the page then
 * sends the browser to sign in); a bearer token that is not good is refused outright (401): an API
 * client that sent one meant to be someone.
 */
export async function callerOf(event: HttpEvent, deps: CallerDeps): Promise<Caller> {
  if (deps.mode === 'link') return NOBODY;
  const signIn = await deps.signIn();
  const bearer = /^Bearer\s+(\S+)$/i.exec(header(event, 'authorization') ?? '')?.[1];
  if (bearer) {
    const claims = await signIn.oidc.bearerClaims(bearer);
    if (!claims) throw new SessionRejectedError('forged');
    return { kind: 'bearer', person: identityFromClaims(claims) };
  }
  const session = await optionalSession(header(event, 'cookie'), signIn);
  return session ? { kind: 'session', person: session, session } : NOBODY;
}

/**
 * A state-changing request made with the session cookie carries the session's CSRF token (form field
 * `csrf`, or the `x-csrf-token` header of a JSON post); AccessDeniedError (403) otherwise.
 */
export function requireCsrf(caller: Caller, event: HttpEvent, values: Record<string, unknown> = {}): void {
  if (caller.kind !== 'session') return;
  const field = values[CSRF_FIELD];
  const presented = header(event, CSRF_HEADER) ?? (Array.isArray(field) ? undefined : field);
  if (!checkCsrf(caller.session, presented)) throw new AccessDeniedError('csrf');
}

/**
 * The person's groups now, from the directory; AccessDeniedError (403) unless `team` is among them.
 * A person removed from the team since signing in is refused here, whatever the session says.
 */
export async function requireMemberNow(
  person: Identity,
  team: IdentityGroup,
  deps: Extract<CallerDeps, { mode: 'sso' }>,
): Promise<Identity> {
  const teams = await deps.directory.groupsOf(person.username);
  if (!teams.includes(team)) throw new AccessDeniedError('not-in-team');
  return { ...person, teams };
}

/** The audit trail's actor for a verified person. */
export function actorOf(person: Identity): Actor {
  return { sub: person.sub, email: person.email, name: person.name, via: 'sso' };
}

/** The `sso` deps, or a ConfigError when a route that needs sign-in runs in link mode. */
export function ssoDeps(deps: CallerDeps): Extract<CallerDeps, { mode: 'sso' }> {
  if (deps.mode !== 'sso') throw new ConfigError('Sign-in is not configured here (AUTH_MODE=link)');
  return deps;
}
