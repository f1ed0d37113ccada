/**
 * With sign-in (AUTH_MODE=sso), the local runtime's pages that show data (the outbox with every email
 * and its links, the integration events, the executions and their history) are for Technology
 * Services and the auditors, as the deployed product's audit views are: nobody signed in is sent to
 * sign in (a browser) or answered 401, others 403. The session is read with the site's own code
 * (shared/identity) and the key the Secrets Manager stand-in keeps. Developer controls (the clock, the
 * DPA template) stay open.
 */
import { isOneOf } from '#shared/core/guards.ts';
import { readSessionSecret } from '#shared/identity/config.ts';
import { loginPath, OVERSIGHT_GROUPS, optionalSession } from '#shared/identity/index.ts';
import { json } from '../http-server.ts';
import type { SimpleRequest, SimpleResponse } from '../http-types.ts';

/** The local paths a signed-in oversight member must be to read. */
export const OVERSIGHT_PATHS = [
  /^\/_local\/outbox$/,
  /^\/_local\/events$/,
  /^\/_local\/executions(\/|$)/,
  /^\/executions(\/|$)/,
];

export type Gate = (request: SimpleRequest) => Promise<SimpleResponse | undefined>;

export function oversightGate(options: { siteUrl: string; sessionSecret: () => string }): Gate {
  return async (request) => {
    if (!OVERSIGHT_PATHS.some((path) => path.test(request.path))) return undefined;
    const cookie = request.headers.cookie;
    const config = {
      sessionSecret: readSessionSecret({ SESSION_SECRET: options.sessionSecret() }),
      baseUrl: options.siteUrl,
      secureCookies: false,
    };
    const session = await optionalSession(typeof cookie === 'string' ? cookie : undefined, {
      config,
      now: () => new Date(),
    });
    const browser = /text\/html/.test(String(request.headers.accept ?? ''));
    if (!session) {
      const back = `${request.path}${request.query.size ? `?${request.query}` : ''}`;
      return browser
        ? { status: 302, headers: { Location: loginPath(back), 'Cache-Control': 'no-store' }, body: '' }
        : json(401, { error: 'Please sign in', message: 'You are not signed in.' });
    }
    if (!session.teams.some((team) => isOneOf(OVERSIGHT_GROUPS, team))) {
      return json(403, {
        error: 'Not allowed',
        message: 'Only Technology Services and the auditors can see this page.',
      });
    }
    return undefined;
  };
}
