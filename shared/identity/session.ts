/**
 * The session cookie: a jose-signed JWT (HS256 with SESSION_SECRET) holding who signed in, their
 * teams at that moment, the session's CSRF token and a session id that is new at every sign-in (so
 * an id planted before sign-in is never the signed-in one: session fixation). HttpOnly, SameSite=Lax,
 * Path=/, Secure over https, 8 hours. Signing out is an expired cookie.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import type { SsoConfig } from './config.ts';
import { expiredCookie, readCookie, setCookie } from './cookies.ts';
import { newCsrfToken } from './csrf.ts';
import { SessionRejectedError } from './errors.ts';
import { knownGroups } from './groups.ts';
import { signToken, verifyToken } from './signed-token.ts';
import type { Identity, Session } from './types.ts';

export const SESSION_COOKIE = 'district_session';
export const SESSION_LIFETIME_SECONDS = 8 * 60 * 60;
const AUDIENCE = 'session';

/** What reading and writing a session needs: the cookie settings and the clock. */
export interface SessionDeps {
  config: Pick<SsoConfig, 'sessionSecret' | 'baseUrl' | 'secureCookies'>;
  now: () => Date;
}

const sessionClaimsSchema = z.object({
  jti: z.string().check(z.minLength(1)),
  sub: z.string().check(z.minLength(1)),
  username: z.string().check(z.minLength(1)),
  exp: z.number(),
  email: z.string().check(z.minLength(1)),
  name: z.string(),
  teams: z.array(z.string()),
  csrf: z.string().check(z.minLength(1)),
});

/** A new session for `identity`: a fresh id and CSRF token, and its Set-Cookie value. */
export async function startSession(
  identity: Identity,
  deps: SessionDeps,
): Promise<{ session: Session; cookie: string }> {
  const now = deps.now();
  const sessionId = randomUUID();
  const csrf = newCsrfToken();
  const { sub, username, email, name, teams } = identity;
  const token = await signToken({ jti: sessionId, sub, username, email, name, teams, csrf }, keyOf(deps), {
    audience: AUDIENCE,
    now,
    lifetimeSeconds: SESSION_LIFETIME_SECONDS,
  });
  const expiresAt = new Date(Math.floor(now.getTime() / 1000 + SESSION_LIFETIME_SECONDS) * 1000);
  return {
    session: { sub, username, email, name, teams, sessionId, csrf, expiresAt },
    cookie: setCookie(SESSION_COOKIE, token, {
      path: '/',
      secure: deps.config.secureCookies,
      maxAgeSeconds: SESSION_LIFETIME_SECONDS,
    }),
  };
}

/** The session in a request's Cookie header; SessionRejectedError (401) when there is no valid one. */
export async function readSession(cookieHeader: string | undefined, deps: SessionDeps): Promise<Session> {
  const verified = await verifyToken(readCookie(cookieHeader, SESSION_COOKIE), keyOf(deps), {
    audience: AUDIENCE,
    now: deps.now(),
  });
  if (!verified.ok) throw new SessionRejectedError(verified.reason);
  const claims = sessionClaimsSchema.safeParse(verified.payload);
  if (!claims.success) throw new SessionRejectedError('malformed', { cause: claims.error });
  const { jti, exp, teams, ...person } = claims.data;
  return { ...person, teams: knownGroups(teams), sessionId: jti, expiresAt: new Date(exp * 1000) };
}

/** The session, or undefined when the request has no valid one (pages that work signed in or out). */
export async function optionalSession(
  cookieHeader: string | undefined,
  deps: SessionDeps,
): Promise<Session | undefined> {
  try {
    return await readSession(cookieHeader, deps);
  } catch (error) {
    if (error instanceof SessionRejectedError) return undefined;
    throw error;
  }
}

/** Sign-out: the Set-Cookie value that ends the session in the browser. */
export function endSessionCookie(config: Pick<SsoConfig, 'secureCookies'>): string {
  return expiredCookie(SESSION_COOKIE, { path: '/', secure: config.secureCookies });
}

function keyOf(deps: SessionDeps) {
  return { secret: deps.config.sessionSecret, issuer: deps.config.baseUrl };
}
