/**
 * Signing in to a local runtime over HTTP, as a browser does: GET /auth/login, the local provider's
 * form, back to /auth/callback; the jar then holds the session cookie. `csrf` is the session's token.
 */
import type { LocalRuntime } from '#local/runtime.ts';
import { fieldOf } from '#shared/core/guards.ts';
import { CookieJar, visitProvider } from './oidc-browser.ts';

export interface SignedIn {
  jar: CookieJar;
  csrf: string;
  email: string;
  /** Where the callback sent the browser (the `returnTo` path). */
  landedAt: string;
}

export async function signIn(runtime: LocalRuntime, email: string, returnTo = '/queue'): Promise<SignedIn> {
  const jar = new CookieJar();
  const site = runtime.siteUrl;
  const start = await jar.fetch(`${site}/auth/login?${new URLSearchParams({ returnTo })}`);
  const location = start.headers.get('location');
  if (start.status !== 302 || !location) throw new Error(`/auth/login answered ${start.status}`);
  const visit = await visitProvider(location, email, `${site}/auth/callback`, jar);
  const back = await jar.fetch(visit.callback.href);
  if (back.status !== 302) throw new Error(`/auth/callback answered ${back.status}: ${await back.text()}`);
  const session: unknown = await (await jar.fetch(`${site}/auth/session`)).json();
  return { jar, csrf: String(fieldOf(session, 'csrf')), email, landedAt: back.headers.get('location') ?? '' };
}
