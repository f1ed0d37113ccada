/**
 * Signing in to the running product (AUTH_MODE=sso) through the embedded provider at /_local/idp:
 * the session says who signed in and their teams; sign-out ends it; sign-in routes refuse what a
 * browser that did not start the sign-in sends.
 */
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { fieldOf } from '#shared/core/guards.ts';
import { CookieJar, visitProvider } from '../support/oidc-browser.ts';
import { signIn } from '../support/sign-in.ts';
import { requestBody, useTestRuntime } from './helpers.ts';

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

  it('a teacher submits as who they are and finds the request in their list; others of no team cannot read it', async () => {
    const teacher = await signIn(env.runtime, 'teacher@district.example.org');
    const res = await teacher.jar.fetch(`${env.runtime.siteUrl}/requests`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-csrf-token': teacher.csrf,
      },
      body: JSON.stringify(
        requestBody({ requesterName: 'Typed Name', requesterEmail: 'typed@elsewhere.example' }),
      ),
    });
    expect(res.status).toBe(201);
    const requestId = String(fieldOf(await res.json(), 'requestId'));
    const mine: unknown = await (
      await teacher.jar.fetch(`${env.runtime.siteUrl}/my/requests`, {
        headers: { accept: 'application/json' },
      })
    ).json();
    expect(fieldOf(mine, 'items')).toEqual([
      expect.objectContaining({ requestId, status: 'IN_REVIEW', resourceName: requestBody().resourceName }),
    ]);

    env.runtime.users.push({
      sub: 'local-visitor',
      email: 'visitor@district.example.org',
      name: 'Visitor',
      groups: [],
    });
    const visitor = await signIn(env.runtime, 'visitor@district.example.org');
    const refused = await visitor.jar.fetch(`${env.runtime.siteUrl}/requests/${requestId}`, {
      headers: { accept: 'application/json' },
    });
    expect(refused.status).toBe(403);
  });

  it('keeps the outbox, the executions and the reports for Technology Services and the auditors', async () => {
    expect((await fetch(`${env.runtime.siteUrl}/_local/outbox`)).status).toBe(401);
    const teacher = await signIn(env.runtime, 'teacher@district.example.org');
    expect((await teacher.jar.fetch(`${env.runtime.siteUrl}/_local/outbox`)).status).toBe(403);
    const auditor = await signIn(env.runtime, 'auditor@district.example.org');
    expect((await auditor.jar.fetch(`${env.runtime.siteUrl}/_local/outbox`)).status).toBe(200);
    expect(
      (await auditor.jar.fetch(`${env.runtime.siteUrl}/executions`, { headers: { accept: 'text/html' } }))
        .status,
    ).toBe(200);
    // The reports too: Technology Services and the auditors only.
    const reports = `${env.runtime.siteUrl}/reports/summary.json`;
    const json = { headers: { accept: 'application/json' } };
    expect((await fetch(reports, json)).status).toBe(401);
    expect((await teacher.jar.fetch(reports, json)).status).toBe(403);
    const ts = await signIn(env.runtime, 'technology-services@district.example.org');
    expect((await ts.jar.fetch(reports, json)).status).toBe(200);
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

describe('API clients with a bearer token from the same provider', () => {
  /** An ID token of `email` from the local provider, by the code flow with PKCE (as an API client gets one). */
  async function idTokenOf(email: string): Promise<string> {
    const issuer = new URL(env.runtime.idpIssuer);
    const redirectUri = `${env.runtime.siteUrl}/auth/callback`;
    const config = await client.discovery(
      issuer,
      'district-site-local',
      { redirect_uris: [redirectUri] },
      client.None(),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const { callback } = await visitProvider(url.href, email, redirectUri);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    if (!tokens.id_token) throw new Error('no ID token');
    return tokens.id_token;
  }

  it('reads the team queue with a valid token, and is refused (401) with a tampered one', async () => {
    const token = await idTokenOf('cybersecurity@district.example.org');
    const ok = await fetch(`${env.runtime.siteUrl}/queue`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    expect(ok.status).toBe(200);
    expect(fieldOf(await ok.json(), 'tasks')).toEqual(expect.any(Array));
    const tampered = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const refused = await fetch(`${env.runtime.siteUrl}/queue`, {
      headers: { authorization: `Bearer ${tampered}`, accept: 'application/json' },
    });
    expect(refused.status).toBe(401);
  });
});
