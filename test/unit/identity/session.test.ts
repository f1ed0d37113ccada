/**
 * The session cookie: signed by jose with SESSION_SECRET, read back only when it is this site's,
 * untouched and unexpired. Each way a cookie can be wrong is refused with its reason.
 */
import { randomBytes } from 'node:crypto';
import { UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { SessionRejectedError, type TokenRejection } from '#shared/identity/errors.ts';
import { sealPendingLogin } from '#shared/identity/pending-login.ts';
import {
  endSessionCookie,
  optionalSession,
  readSession,
  SESSION_COOKIE,
  type SessionDeps,
  startSession,
} from '#shared/identity/session.ts';
import { logout, sessionView } from '#shared/identity/session-view.ts';
import type { Identity } from '#shared/identity/types.ts';

const NOW = new Date('2026-12-07T09:00:00.000Z');
const SECRET = new Uint8Array(randomBytes(32));
const CONFIG = {
  sessionSecret: SECRET,
  baseUrl: 'https://requests.district.example',
  secureCookies: true,
  redirectUri: 'https://requests.district.example/auth/callback',
};
const DEPS = { config: CONFIG, now: () => NOW } satisfies SessionDeps;
const PERSON: Identity = {
  sub: 'sub-123',
  username: 'casey',
  email: 'cybersecurity@district.example.org',
  name: 'Casey Reviewer',
  teams: ['cybersecurity', 'auditors'],
};

const at = (offsetSeconds: number): SessionDeps => ({
  config: CONFIG,
  now: () => new Date(NOW.getTime() + offsetSeconds * 1000),
});
const pairOf = (setCookie: string) => setCookie.split(';')[0] ?? '';

async function signedIn(deps: SessionDeps = DEPS) {
  const { session, cookie } = await startSession(PERSON, deps);
  return { session, cookie, header: pairOf(cookie) };
}

async function rejection(header: string | undefined, deps: SessionDeps = DEPS): Promise<TokenRejection> {
  const error = await readSession(header, deps).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SessionRejectedError)) throw new Error('Expected the session to be refused');
  expect(error.status).toBe(401);
  return error.reason;
}

describe('a new session', () => {
  it('is an HttpOnly, SameSite=Lax, Secure cookie for the whole site that lasts 8 hours', async () => {
    const { cookie } = await signedIn();
    expect(cookie).toMatch(
      new RegExp(`^${SESSION_COOKIE}=[\\w-]+\\.[\\w-]+\\.[\\w-]+; Path=/; Max-Age=28800`),
    );
    expect(cookie).toContain('; HttpOnly; SameSite=Lax; Secure');
  });

  it('is not Secure when the site is served over plain http (the local runtime)', async () => {
    const { cookie } = await startSession(PERSON, { ...DEPS, config: { ...CONFIG, secureCookies: false } });
    expect(cookie).not.toContain('Secure');
  });

  it('reads back as the person, their teams, a CSRF token and its expiry', async () => {
    const { session, header } = await signedIn();
    const read = await readSession(`theme=dark; ${header}`, DEPS);
    expect(read).toEqual(session);
    expect(read).toMatchObject({ ...PERSON, expiresAt: new Date('2026-12-07T17:00:00.000Z') });
    expect(read.csrf).toMatch(/^[\w-]{43}$/);
  });

  it('has a new session id and CSRF token every time, for the same person', async () => {
    const [a, b] = await Promise.all([signedIn(), signedIn()]);
    expect(a.session.sessionId).not.toBe(b.session.sessionId);
    expect(a.session.csrf).not.toBe(b.session.csrf);
  });
});

describe('a session cookie is refused', () => {
  it('when there is none', async () => {
    expect(await rejection(undefined)).toBe('missing');
    expect(await rejection('theme=dark')).toBe('missing');
    expect(await rejection(`${SESSION_COOKIE}=`)).toBe('missing');
  });

  it('when it has expired (8 hours after sign-in), and not a second before', async () => {
    const { header } = await signedIn();
    await expect(readSession(header, at(8 * 60 * 60 - 1))).resolves.toMatchObject({ sub: 'sub-123' });
    expect(await rejection(header, at(8 * 60 * 60))).toBe('expired');
  });

  it('when its payload was changed (another team added)', async () => {
    const { header } = await signedIn();
    const [name, token = ''] = header.split('=');
    const [head, payload = '', signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const raised = Buffer.from(JSON.stringify({ ...claims, teams: ['dii'] })).toString('base64url');
    expect(await rejection(`${name}=${head}.${raised}.${signature}`)).toBe('forged');
  });

  it('when its signature was changed', async () => {
    const { header } = await signedIn();
    const signatureStart = header.lastIndexOf('.') + 1;
    const changed = header[signatureStart] === 'A' ? 'B' : 'A';
    const tampered = `${header.slice(0, signatureStart)}${changed}${header.slice(signatureStart + 1)}`;
    expect(await rejection(tampered)).toBe('forged');
  });

  it('when it was signed with another key', async () => {
    const other = { ...DEPS, config: { ...CONFIG, sessionSecret: new Uint8Array(randomBytes(32)) } };
    const { header } = await signedIn(other);
    expect(await rejection(header)).toBe('forged');
  });

  it('when another site (another issuer) signed it, even with the same key', async () => {
    const foreign = { ...DEPS, config: { ...CONFIG, baseUrl: 'https://evil.example' } };
    const { header } = await signedIn(foreign);
    expect(await rejection(header)).toBe('foreign');
  });

  it('when it is a pending-login cookie presented as a session', async () => {
    const pending = { state: 's', nonce: 'n', codeVerifier: 'v'.repeat(43), returnTo: '/' };
    const token = pairOf(await sealPendingLogin(pending, DEPS)).split('=')[1];
    expect(await rejection(`${SESSION_COOKIE}=${token}`)).toBe('foreign');
  });

  it('when it is unsigned (alg "none") or not a token at all', async () => {
    const unsigned = new UnsecuredJWT({ ...PERSON, jti: 'x', csrf: 'y' })
      .setIssuer(CONFIG.baseUrl)
      .setAudience('session')
      .setIssuedAt(NOW)
      .setExpirationTime(new Date(NOW.getTime() + 3_600_000))
      .encode();
    expect(await rejection(`${SESSION_COOKIE}=${unsigned}`)).toBe('malformed');
    expect(await rejection(`${SESSION_COOKIE}=not-a-token`)).toBe('malformed');
  });

  it('when the cookie name appears twice (a cookie planted for a parent domain)', async () => {
    const { header } = await signedIn();
    expect(await rejection(`${header}; ${header}`)).toBe('missing');
  });
});

describe('reading a session where signing in is optional', () => {
  it('answers undefined for no valid session, and the view says signed out', async () => {
    expect(await optionalSession('theme=dark', DEPS)).toBeUndefined();
    expect(await sessionView(undefined, DEPS)).toEqual({
      signedIn: false,
      email: null,
      name: null,
      teams: [],
      csrf: null,
    });
  });

  it('shows the signed-in person, their teams and the CSRF token pages put in their forms', async () => {
    const { session, header } = await signedIn();
    expect(await sessionView(header, DEPS)).toEqual({
      signedIn: true,
      email: PERSON.email,
      name: PERSON.name,
      teams: PERSON.teams,
      csrf: session.csrf,
    });
  });
});

describe('signing out', () => {
  it('expires the session cookie (and any pending login) and goes home', () => {
    const out = logout({ config: CONFIG });
    expect(out.location).toBe('/');
    expect(out.cookies[0]).toBe(endSessionCookie(CONFIG));
    expect(out.cookies[0]).toMatch(
      new RegExp(
        `^${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure; Expires=Thu, 01 Jan 1970`,
      ),
    );
    expect(out.cookies[1]).toMatch(/^district_login=; Path=\/auth\/callback; Max-Age=0/);
  });
});
