/**
 * GET /auth/session and POST /auth/logout: who is signed in (with the CSRF token pages put in their
 * forms), and signing out.
 */
import type { SsoConfig } from './config.ts';
import { clearPendingLogin } from './pending-login.ts';
import { endSessionCookie, optionalSession, type SessionDeps } from './session.ts';
import type { Redirect, SessionView } from './types.ts';

export const SIGNED_OUT: SessionView = { signedIn: false, email: null, name: null, teams: [], csrf: null };

export async function sessionView(cookieHeader: string | undefined, deps: SessionDeps): Promise<SessionView> {
  const session = await optionalSession(cookieHeader, deps);
  if (!session) return SIGNED_OUT;
  const { email, name, teams, csrf } = session;
  return { signedIn: true, email, name, teams, csrf };
}

/** Ends the session in this browser (and any sign-in it had under way), then home. */
export function logout(deps: { config: Pick<SsoConfig, 'secureCookies' | 'redirectUri'> }): Redirect {
  return { location: '/', cookies: [endSessionCookie(deps.config), clearPendingLogin(deps)] };
}
