/**
 * The pending login: state, nonce, PKCE verifier and where to go back, kept in the browser between
 * GET /auth/login and GET /auth/callback as a jose-signed cookie that lives 10 minutes, sent only to
 * the callback path. Its own audience, so it can never pass for a session (and the other way round).
 */
import * as z from 'zod/mini';
import type { SsoConfig } from './config.ts';
import { expiredCookie, readCookie, setCookie } from './cookies.ts';
import { LoginRejectedError } from './errors.ts';
import { safeReturnTo } from './return-to.ts';
import { signToken, verifyToken } from './signed-token.ts';
import type { PendingLogin } from './types.ts';

export const PENDING_LOGIN_COOKIE = 'district_login';
export const PENDING_LOGIN_SECONDS = 10 * 60;
const AUDIENCE = 'pending-login';

export interface PendingLoginDeps {
  config: Pick<SsoConfig, 'sessionSecret' | 'baseUrl' | 'secureCookies' | 'redirectUri'>;
  now: () => Date;
}

const pendingLoginSchema = z.object({
  state: z.string().check(z.minLength(1)),
  nonce: z.string().check(z.minLength(1)),
  codeVerifier: z.string().check(z.minLength(43)),
  returnTo: z.string(),
});

/** The Set-Cookie value that keeps `pending` until the provider sends the browser back. */
export async function sealPendingLogin(pending: PendingLogin, deps: PendingLoginDeps): Promise<string> {
  const token = await signToken({ ...pending }, keyOf(deps), {
    audience: AUDIENCE,
    now: deps.now(),
    lifetimeSeconds: PENDING_LOGIN_SECONDS,
  });
  return setCookie(PENDING_LOGIN_COOKIE, token, {
    path: callbackPath(deps),
    secure: deps.config.secureCookies,
    maxAgeSeconds: PENDING_LOGIN_SECONDS,
  });
}

/** The pending login in the callback's Cookie header; LoginRejectedError when absent or not ours. */
export async function readPendingLogin(
  cookieHeader: string | undefined,
  deps: PendingLoginDeps,
): Promise<PendingLogin> {
  const verified = await verifyToken(readCookie(cookieHeader, PENDING_LOGIN_COOKIE), keyOf(deps), {
    audience: AUDIENCE,
    now: deps.now(),
  });
  if (!verified.ok) {
    throw new LoginRejectedError(verified.reason === 'expired' ? 'pending-expired' : 'no-pending-login');
  }
  const pending = pendingLoginSchema.safeParse(verified.payload);
  if (!pending.success) throw new LoginRejectedError('no-pending-login', { cause: pending.error });
  return { ...pending.data, returnTo: safeReturnTo(pending.data.returnTo) };
}

/** A used (or abandoned) pending login is dropped, so its state cannot be replayed. */
export function clearPendingLogin(deps: {
  config: Pick<SsoConfig, 'secureCookies' | 'redirectUri'>;
}): string {
  return expiredCookie(PENDING_LOGIN_COOKIE, { path: callbackPath(deps), secure: deps.config.secureCookies });
}

function callbackPath(deps: { config: Pick<SsoConfig, 'redirectUri'> }): string {
  return new URL(deps.config.redirectUri).pathname;
}

function keyOf(deps: PendingLoginDeps) {
  return { secret: deps.config.sessionSecret, issuer: deps.config.baseUrl };
}
