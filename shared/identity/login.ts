/**
 * Signing in, the authorization code flow with PKCE: GET /auth/login leaves for the provider with a
 * pending login kept in a signed cookie; GET /auth/callback comes back, checks the state against that
 * cookie, has openid-client exchange the code and verify the ID token, and starts a new session.
 */

import { identityFromClaims } from './claims.ts';
import { sameSecret } from './csrf.ts';
import type { IdentityDeps } from './deps.ts';
import { LoginRejectedError } from './errors.ts';
import { newLoginChecks } from './oidc.ts';
import { clearPendingLogin, readPendingLogin, sealPendingLogin } from './pending-login.ts';
import { safeReturnTo } from './return-to.ts';
import { startSession } from './session.ts';
import type { Identity, Redirect } from './types.ts';

/** The callback's query string, as API Gateway gives it (or as the URL has it). */
export type CallbackQuery = URLSearchParams | Record<string, string | undefined> | null | undefined;

/** GET /auth/login?returnTo=…: the provider's sign-in page, and the pending login to come back with. */
export async function startLogin(returnTo: unknown, deps: IdentityDeps): Promise<Redirect> {
  const checks = newLoginChecks();
  const location = await deps.oidc.authorizationUrl(checks);
  const pending = await sealPendingLogin({ ...checks, returnTo: safeReturnTo(returnTo) }, deps);
  return { location: location.href, cookies: [pending] };
}

/**
 * GET /auth/callback: a new session for the person the provider vouches for, and the way back to where
 * they were going. LoginRejectedError (400) when the answer is not the one this browser waits for.
 */
export async function finishLogin(
  query: CallbackQuery,
  cookieHeader: string | undefined,
  deps: IdentityDeps,
): Promise<Redirect & { identity: Identity }> {
  const pending = await readPendingLogin(cookieHeader, deps);
  const params = searchParamsOf(query);
  const state = params.get('state');
  if (!state || !sameSecret(pending.state, state)) throw new LoginRejectedError('state-mismatch');
  const callbackUrl = new URL(deps.config.redirectUri);
  callbackUrl.search = params.toString();
  const identity = identityFromClaims(await deps.oidc.idTokenClaims(callbackUrl, pending));
  const { cookie } = await startSession(identity, deps);
  return { location: pending.returnTo, cookies: [cookie, clearPendingLogin(deps)], identity };
}

function searchParamsOf(query: CallbackQuery): URLSearchParams {
  if (query instanceof URLSearchParams) return query;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(name, value);
  return params;
}
