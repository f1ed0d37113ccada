/**
 * Signing in to the running product (AUTH_MODE=sso) through the embedded provider at /_local/idp:
 * the session says who signed in and their teams; sign-out ends it; sign-in routes refuse what a
 * browser that did not start the sign-in sends.
 */
import { describe, expect, it } from 'vitest';
import { fieldOf } from '#shared/core/guards.ts';
import { CookieJar } from '../support/oidc-browser.ts';
import { signIn } from '../support/sign-in.ts';
import { useTestRuntime } from './helpers.ts';

const env = useTestRuntime('sign-in', { authMode: 'sso' });

describe('signing in to the local runtime', () => {
  it('signs a team member in and back to where they were going, with their teams and a CSRF token', async () => {
    const person = await signIn(env.runtime, 'cybersecurity@district.example.org', '/queue?x=1');
    expect(person.landedAt).toBe('/queue?x=1');
    const view: unknown = await (await person.jar.fetch(`${env.runtime.siteUrl}/auth/session`)).json();
    expect(view).toMatchObject({
      signedIn: true,
      email: 'cybersecurity@district.example.org',
      teams: ['cybersecurity'],
    });
    expect(String(fieldOf(view, 'csrf'))).toMatch(/^[\w-]{43}$/);
  });

  it('signs out only with the session CSRF token, and then the session is gone from the browser', async () => {
    const person = await signIn(env.runtime, 'teacher@district.example.org');
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const forged = await person.jar.fetch(`${env.runtime.siteUrl}/auth/logout`, {
      method: 'POST',
      headers: form,
      body: 'csrf=not-the-token',
    });
    expect(forged.status).toBe(403);
    const out = await person.jar.fetch(`${env.runtime.siteUrl}/auth/logout`, {
      method: 'POST',
      headers: form,
      body: new URLSearchParams({ csrf: person.csrf }).toString(),
    });
    expect(out.status).toBe(303);
    const view: unknown = await (await person.jar.fetch(`${env.runtime.siteUrl}/auth/session`)).json();
    expect(fieldOf(view, 'signedIn')).toBe(false);
  });

  it('refuses a callback this browser did not start (no pending login): 400, no session', async () => {
    const jar = new CookieJar();
    const res = await jar.fetch(`${env.runtime.siteUrl}/auth/callback?code=abc&state=xyz`, {
      headers: { accept: 'text/html' },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Sign-in did not complete');
    expect(jar.header()).not.toContain('district_session');
  });
});
