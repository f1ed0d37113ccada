/**
 * AUTH_MODE=sso for handler tests, without a provider: real signed session cookies (the site's own
 * key), and a directory whose groups a test sets per person. Bearer tokens are not used here (the
 * e2e tests verify those against the local provider).
 */
import type { CallerDeps, Identity, IdentityGroup } from '#shared/identity/index.ts';
import { startSession } from '#shared/identity/session.ts';

const CONFIG = {
  mode: 'sso' as const,
  sessionSecret: new Uint8Array(32).fill(7),
  baseUrl: 'https://requests.district.example',
  secureCookies: true,
  issuer: new URL('https://idp.district.example'),
  clientId: 'site',
  redirectUri: 'https://requests.district.example/auth/callback',
};

export function person(email: string, teams: IdentityGroup[]): Identity {
  const mailbox = email.split('@')[0] ?? email;
  return { sub: `sub-${mailbox}`, username: mailbox, email, name: `Name of ${mailbox}`, teams };
}

/** CallerDeps in sso mode; `directory` holds each username's groups now (default: the session's). */
export function ssoCaller(now: () => Date, directory: Map<string, IdentityGroup[]> = new Map()) {
  const sessions = new Map<string, IdentityGroup[]>();
  const deps: CallerDeps = {
    mode: 'sso',
    signIn: async () => ({
      config: CONFIG,
      now,
      oidc: {
        authorizationUrl: () => Promise.reject(new Error('not in handler tests')),
        idTokenClaims: () => Promise.reject(new Error('not in handler tests')),
        bearerClaims: async () => undefined,
      },
    }),
    directory: { groupsOf: async (username) => directory.get(username) ?? sessions.get(username) ?? [] },
  };
  /** The Cookie header and CSRF token of a fresh session for `who`. */
  const signIn = async (who: Identity) => {
    sessions.set(who.username, who.teams);
    const { cookie, session } = await startSession(who, { config: CONFIG, now });
    return { cookie: cookie.split(';')[0] ?? '', csrf: session.csrf };
  };
  return { deps, signIn, directory };
}
