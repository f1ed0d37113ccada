/**
 * The sign-in routes (docs/design.md "Identity"): GET /auth/login leaves for the provider, GET
 * /auth/callback comes back with a new session, POST /auth/logout ends it, GET /auth/session says who
 * is signed in (with the CSRF token the site's scripts send). In link mode there is nothing to sign in
 * to: each answers 404 and says so.
 */
import { errorName, NotFoundError } from '../core/errors.ts';
import { isRecord } from '../core/guards.ts';
import { messagePage } from '../core/html/layout.ts';
import {
  basePath,
  type ErrorView,
  type HttpEvent,
  type HttpResponse,
  header,
  httpHandler,
  jsonResponse,
  parseBody,
} from '../core/http/edge.ts';
import { logger } from '../core/logger.ts';
import type { CallerDeps } from './caller.ts';
import { CSRF_FIELD, checkCsrf } from './csrf.ts';
import type { IdentityDeps } from './deps.ts';
import { AccessDeniedError } from './errors.ts';
import { finishLogin, startLogin } from './login.ts';
import type { PeopleStore } from './people.ts';
import { optionalSession } from './session.ts';
import { logout, sessionView } from './session-view.ts';

type Respond = (event: HttpEvent, signIn: IdentityDeps) => Promise<HttpResponse>;

/** A sign-in route: 404 in link mode, else `respond` with the sign-in deps. */
function authEndpoint(defaultDeps: () => CallerDeps, respond: Respond) {
  const run = async (event: HttpEvent, deps: CallerDeps = defaultDeps()) => {
    if (deps.mode === 'link') {
      throw new NotFoundError('Sign-in is not used here: this site runs with AUTH_MODE=link.');
    }
    return respond(event, await deps.signIn());
  };
  return { run, handler: httpHandler((event) => run(event), { renderErrorPage: signInErrorPage }) };
}

export const loginEndpoint = (deps: () => CallerDeps) =>
  authEndpoint(deps, async (event, signIn) => {
    const login = await startLogin(event.queryStringParameters?.returnTo, signIn);
    return redirect(event, login.location, login.cookies);
  });

/**
 * Each sign-in updates the person's record (name, teams): the queue assigns only to people known
 * there. Not being able to write it does not stop the sign-in (it is written again next time).
 */
export const callbackEndpoint = (deps: () => CallerDeps, people: () => Pick<PeopleStore, 'recordSignIn'>) =>
  authEndpoint(deps, async (event, signIn) => {
    const done = await finishLogin(event.queryStringParameters, header(event, 'cookie'), signIn);
    try {
      await people().recordSignIn(done.identity, signIn.now().toISOString());
    } catch (error) {
      logger.warn('Sign-in not recorded in the people list', { errorName: errorName(error) });
    }
    return redirect(event, done.location, done.cookies);
  });

export const logoutEndpoint = (deps: () => CallerDeps) =>
  authEndpoint(deps, async (event, signIn) => {
    // Signing someone out is a change too: a page on another site must not do it for them.
    const session = await optionalSession(header(event, 'cookie'), signIn);
    if (session) {
      const body = event.body ? parseBody(event).value : {};
      const presented = header(event, 'x-csrf-token') ?? (isRecord(body) ? body[CSRF_FIELD] : undefined);
      if (!checkCsrf(session, presented)) throw new AccessDeniedError('csrf');
    }
    const out = logout(signIn);
    return redirect(event, out.location, out.cookies);
  });

export const sessionEndpoint = (deps: () => CallerDeps) =>
  authEndpoint(deps, async (event, signIn) =>
    jsonResponse(200, await sessionView(header(event, 'cookie'), signIn)),
  );

/**
 * A redirect with cookies to set: 302 after a GET, 303 after a POST (the browser then fetches the
 * target with GET). A path on this site gets the stage prefix the request came with.
 */
export function redirect(event: HttpEvent, location: string, cookies: string[] = []): HttpResponse {
  const target = location.startsWith('/') ? `${basePath(event)}${location}` : location;
  return {
    statusCode: event.httpMethod === 'POST' ? 303 : 302,
    headers: { Location: target, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
    multiValueHeaders: { 'Set-Cookie': cookies },
    body: '',
  };
}

function signInErrorPage(view: ErrorView): string {
  return messagePage(view.title, [
    view.message,
    view.status === 400 ? 'Start again from the page you wanted: it will send you to sign in.' : '',
  ]);
}
