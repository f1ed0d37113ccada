/**
 * Signing in end to end over real HTTP: the site's OpenID client (openid-client) against the local
 * provider (oidc-provider) mounted on a node:http server on loopback, through the provider's sign-in
 * form, back to the callback, to a session with the person's teams. And each way a callback can be
 * wrong (state, nonce, PKCE verifier, replayed code, no pending login) is refused.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalIdp, type LocalIdp } from '#local/idp/provider.ts';
import { closeServer, listen } from '#local/net.ts';
import { fieldOf } from '#shared/core/guards.ts';
import { readSsoConfig } from '#shared/identity/config.ts';
import { type IdentityDeps, identityDeps } from '#shared/identity/deps.ts';
import { LoginRejectedError } from '#shared/identity/errors.ts';
import { finishLogin, startLogin } from '#shared/identity/login.ts';
import { readPendingLogin, sealPendingLogin } from '#shared/identity/pending-login.ts';
import { readSession } from '#shared/identity/session.ts';
import { sessionView } from '#shared/identity/session-view.ts';
import { cookiePair, visitProvider } from '../support/oidc-browser.ts';

const NOW = new Date('2026-12-07T09:00:00.000Z');

let server: Server;
let idp: LocalIdp | undefined;
let base: string;
let deps: IdentityDeps;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (!idp) return void res.writeHead(503).end();
    idp.handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  const port = await listen(server, 0);
  base = `http://localhost:${port}`;
  idp = await createLocalIdp({ origin: base, redirectUri: `${base}/auth/callback` });
  const config = readSsoConfig({
    AUTH_MODE: 'sso',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    PUBLIC_BASE_URL: base,
  });
  deps = identityDeps(config, { now: () => NOW });
});

afterAll(async () => {
  await closeServer(server);
});

/** GET /auth/login, then the provider's form as `email`: the callback URL and the pending cookie. */
async function signInAt(email: string, returnTo = '/tasks/abc?t=secret') {
  const login = await startLogin(returnTo, deps);
  const visit = await visitProvider(login.location, email, `${base}/auth/callback`);
  return { ...visit, pendingCookie: cookiePair(login.cookies[0]), login };
}

async function refusal(promise: Promise<unknown>): Promise<LoginRejectedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof LoginRejectedError))
    throw new Error(`Expected a refused sign-in, got ${String(error)}`);
  return error;
}

describe('signing in through the local provider', () => {
  it('leaves for the provider with PKCE (S256), state and nonce, and keeps them in a pending cookie', async () => {
    const login = await startLogin('/queue', deps);
    const url = new URL(login.location);
    expect(url.href.startsWith(`${idp?.issuer}/auth?`)).toBe(true);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(`${base}/auth/callback`);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    const pending = await readPendingLogin(cookiePair(login.cookies[0]), deps);
    expect(url.searchParams.get('state')).toBe(pending.state);
    expect(url.searchParams.get('nonce')).toBe(pending.nonce);
    expect(url.searchParams.get('code_challenge')).not.toBe(pending.codeVerifier);
    expect(pending.returnTo).toBe('/queue');
    expect(login.cookies[0]).toMatch(/; Path=\/auth\/callback; Max-Age=600; HttpOnly; SameSite=Lax$/);
  });

  it('signs a Cybersecurity member in with their team and sends them where they were going', async () => {
    const { callback, pendingCookie, pages } = await signInAt('cybersecurity@district.example.org');
    expect(pages[0]?.html).toContain('name="email"');
    const done = await finishLogin(callback.searchParams, pendingCookie, deps);
    expect(done.location).toBe('/tasks/abc?t=secret');
    expect(done.identity).toEqual({
      sub: 'local-cybersecurity',
      username: 'local-cybersecurity',
      email: 'cybersecurity@district.example.org',
      name: 'Cybersecurity (CCS) (local user)',
      teams: ['cybersecurity'],
    });
    const [sessionCookie = '', clearedPending = ''] = done.cookies;
    expect(sessionCookie).toMatch(/; Path=\/; Max-Age=28800; HttpOnly; SameSite=Lax$/);
    expect(clearedPending).toMatch(/^district_login=; Path=\/auth\/callback; Max-Age=0/);
    const session = await readSession(cookiePair(sessionCookie), deps);
    expect(session.teams).toEqual(['cybersecurity']);
    expect(session.expiresAt).toEqual(new Date(NOW.getTime() + 8 * 60 * 60 * 1000));
    expect(await sessionView(cookiePair(sessionCookie), deps)).toEqual({
      signedIn: true,
      email: 'cybersecurity@district.example.org',
      name: 'Cybersecurity (CCS) (local user)',
      teams: ['cybersecurity'],
      csrf: session.csrf,
    });
  });

  it.each([
    ['auditor@district.example.org', ['auditors']],
    ['technology-services@district.example.org', ['technology-services']],
    ['instructional-technology@district.example.org', ['instructional-technology']],
    ['teacher@district.example.org', []],
  ])('gives %s the teams %j', async (email, teams) => {
    const { callback, pendingCookie } = await signInAt(email);
    const done = await finishLogin(callback.searchParams, pendingCookie, deps);
    expect(done.identity.email).toBe(email);
    expect(done.identity.teams).toEqual(teams);
  });

  it('starts a new session id and CSRF token at every sign-in (no session fixation)', async () => {
    const first = await signInAt('dii@district.example.org');
    const second = await signInAt('dii@district.example.org');
    const a = await finishLogin(first.callback.searchParams, first.pendingCookie, deps);
    const b = await finishLogin(second.callback.searchParams, second.pendingCookie, deps);
    const [sessionA, sessionB] = await Promise.all([
      readSession(cookiePair(a.cookies[0]), deps),
      readSession(cookiePair(b.cookies[0]), deps),
    ]);
    expect(sessionA.sessionId).not.toBe(sessionB.sessionId);
    expect(sessionA.csrf).not.toBe(sessionB.csrf);
  });

  it('sends an off-site returnTo home', async () => {
    const { callback, pendingCookie } = await signInAt('aas@district.example.org', 'https://evil.example/');
    const done = await finishLogin(callback.searchParams, pendingCookie, deps);
    expect(done.location).toBe('/');
  });

  it('shows the form again for an address that is not a local user, and signs no one in', async () => {
    const login = await startLogin('/', deps);
    const visit = visitProvider(login.location, 'stranger@elsewhere.example', `${base}/auth/callback`);
    await expect(visit).rejects.toThrow(/400 page/);
  });
});

describe('a callback that is not the one this browser waits for', () => {
  it('is refused when the state differs from the pending login', async () => {
    const { callback, pendingCookie } = await signInAt('cybersecurity@district.example.org');
    callback.searchParams.set('state', 'an-attackers-state');
    const error = await refusal(finishLogin(callback.searchParams, pendingCookie, deps));
    expect(error.reason).toBe('state-mismatch');
  });

  it("is refused when it carries another sign-in's code (login CSRF: someone else's callback)", async () => {
    const attacker = await signInAt('teacher@district.example.org');
    const victim = await signInAt('cybersecurity@district.example.org');
    const error = await refusal(finishLogin(attacker.callback.searchParams, victim.pendingCookie, deps));
    expect(error.reason).toBe('state-mismatch');
  });

  it('is refused when the ID token nonce is not the pending login nonce', async () => {
    const { callback, pendingCookie } = await signInAt('cybersecurity@district.example.org');
    const pending = await readPendingLogin(pendingCookie, deps);
    const forged = await sealPendingLogin({ ...pending, nonce: 'another-nonce' }, deps);
    const error = await refusal(finishLogin(callback.searchParams, cookiePair(forged), deps));
    expect(error.reason).toBe('token-rejected');
    expect(fieldOf(fieldOf(fieldOf(error.cause, 'cause'), 'cause'), 'claim')).toBe('nonce');
  });

  it('is refused when the PKCE verifier does not match the challenge the provider saw', async () => {
    const { callback, pendingCookie } = await signInAt('cybersecurity@district.example.org');
    const pending = await readPendingLogin(pendingCookie, deps);
    const forged = await sealPendingLogin({ ...pending, codeVerifier: 'v'.repeat(64) }, deps);
    const error = await refusal(finishLogin(callback.searchParams, cookiePair(forged), deps));
    expect(error.reason).toBe('token-rejected');
    expect(fieldOf(error.cause, 'error')).toBe('invalid_grant');
  });

  it('is refused the second time the same code comes back (replay)', async () => {
    const { callback, pendingCookie } = await signInAt('aas@district.example.org');
    await finishLogin(callback.searchParams, pendingCookie, deps);
    const error = await refusal(finishLogin(callback.searchParams, pendingCookie, deps));
    expect(error.reason).toBe('token-rejected');
  });

  it('is refused without a pending login cookie, or with one signed by another site', async () => {
    const { callback, pendingCookie } = await signInAt('dii@district.example.org');
    expect((await refusal(finishLogin(callback.searchParams, undefined, deps))).reason).toBe(
      'no-pending-login',
    );
    const otherSite = identityDeps(
      { ...deps.config, sessionSecret: new Uint8Array(randomBytes(32)) },
      { now: () => NOW },
    );
    const error = await refusal(finishLogin(callback.searchParams, pendingCookie, otherSite));
    expect(error.reason).toBe('no-pending-login');
  });

  it('is refused as expired when the pending login is older than ten minutes', async () => {
    const { callback, pendingCookie } = await signInAt('dii@district.example.org');
    const later = { ...deps, now: () => new Date(NOW.getTime() + 10 * 60 * 1000 + 1000) };
    const error = await refusal(finishLogin(callback.searchParams, pendingCookie, later));
    expect(error.reason).toBe('pending-expired');
  });

  it('is refused when the provider answers with an error instead of a code', async () => {
    const login = await startLogin('/', deps);
    const pending = await readPendingLogin(cookiePair(login.cookies[0]), deps);
    const query = { error: 'access_denied', state: pending.state, iss: idp?.issuer };
    const error = await refusal(finishLogin(query, cookiePair(login.cookies[0]), deps));
    expect(error.reason).toBe('provider-refused');
  });
});

describe('the local provider', () => {
  it('publishes its issuer at /_local/idp, the code flow with S256 PKCE and the groups claim', async () => {
    const response = await fetch(`${idp?.issuer}/.well-known/openid-configuration`);
    const metadata: unknown = await response.json();
    expect(metadata).toMatchObject({
      issuer: `${base}/_local/idp`,
      authorization_endpoint: `${base}/_local/idp/auth`,
      token_endpoint: `${base}/_local/idp/token`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
    });
    expect(fieldOf(metadata, 'claims_supported')).toEqual(
      expect.arrayContaining(['email', 'name', 'groups']),
    );
  });

  it('answers a sign-in page it did not start with a clear 400 page', async () => {
    const response = await fetch(`${idp?.issuer}/interaction/not-started`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Sign-in expired');
  });

  it('refuses to be reached at, or to send people to, anything but this machine', async () => {
    await expect(
      createLocalIdp({ origin: 'http://idp.example.org', redirectUri: `${base}/auth/callback` }),
    ).rejects.toThrow(/this machine only: origin/);
    await expect(
      createLocalIdp({ origin: base, redirectUri: 'https://evil.example/auth/callback' }),
    ).rejects.toThrow(/this machine only: redirectUri/);
  });
});
