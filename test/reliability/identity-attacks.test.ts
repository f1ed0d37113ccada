/**
 * Reliability, attacks on sign-in (AUTH_MODE=sso, docs/design.md "Identity"): missing, expired,
 * tampered, foreign-issuer and wrong-key session cookies; garbage and self-signed bearer tokens; a
 * sign-in answer with the wrong state, without a pending login, or replayed; open redirects through
 * `returnTo`; a session id planted before sign-in (fixation); CSRF on every state-changing POST; a
 * member of another team opening, deciding or taking a task; a person removed from the team since
 * signing in. Each must be refused with its status and change nothing: the request (as an auditor
 * reads it, less the audited refusals), who has the task, and the outbox are compared before and after.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { fieldOf } from '#shared/core/guards.ts';
import { SESSION_COOKIE, startSession } from '#shared/identity/session.ts';
import type { Identity } from '#shared/identity/types.ts';
import { requestBody, useTestRuntime } from '../e2e/helpers.ts';
import { CookieJar, visitProvider } from '../support/oidc-browser.ts';
import { type SignedIn, signIn } from '../support/sign-in.ts';
import { atLeast, exactly, info, misses, recordFigures } from './figures.ts';
import { until } from './support.ts';

const env = useTestRuntime('rel-identity', { authMode: 'sso' });

const CYBERSECURITY = 'cybersecurity@district.example.org';
const attacks: { name: string; status: number }[] = [];
const wrongChanges: string[] = [];
let sessionsFromAttacks = 0;

const site = () => env.runtime.siteUrl;
const form = (fields: Record<string, string>, cookie?: string) => ({
  method: 'POST',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'text/html',
    ...(cookie ? { cookie } : {}),
  },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual' as const,
});

interface Scene {
  requestId: string;
  taskId: string;
  secret: string;
  auditor: SignedIn;
  reviewer: SignedIn;
}

async function scene(): Promise<Scene> {
  const teacher = await signIn(env.runtime, 'teacher@district.example.org');
  const res = await teacher.jar.fetch(`${site()}/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': teacher.csrf },
    body: JSON.stringify(requestBody({ requesterEmail: teacher.email, resourceName: 'Identity attacks' })),
  });
  const requestId = String(fieldOf(await res.json(), 'requestId'));
  const email = await until('the privacy review email', async () =>
    (await env.runtime.outbox()).find(
      (e) => e.subject.includes(requestId) && /tasks\/[^?\s]+\?t=/.test(e.text),
    ),
  );
  const m = /\/tasks\/([A-Za-z0-9_-]+)\?t=([A-Za-z0-9_-]+)/.exec(email.text);
  if (!m?.[1] || !m[2]) throw new Error('no task link');
  return {
    requestId,
    taskId: m[1],
    secret: m[2],
    auditor: await signIn(env.runtime, 'auditor@district.example.org'),
    reviewer: await signIn(env.runtime, CYBERSECURITY),
  };
}

/** What an attack must not change: the request less audited refusals, the task holder, the outbox. */
async function snapshot(s: Scene): Promise<string> {
  const view: unknown = await (
    await s.auditor.jar.fetch(`${site()}/requests/${s.requestId}`, {
      headers: { accept: 'application/json' },
    })
  ).json();
  const timeline = fieldOf(view, 'timeline');
  const kept = Array.isArray(timeline)
    ? timeline.filter((t) => fieldOf(t, 'type') !== 'TASK_ACCESS_REFUSED')
    : timeline;
  const queue: unknown = await (
    await s.reviewer.jar.fetch(`${site()}/queue`, { headers: { accept: 'application/json' } })
  ).json();
  return JSON.stringify({
    status: fieldOf(view, 'status'),
    kept,
    queue: fieldOf(queue, 'tasks'),
    outbox: (await env.runtime.outbox()).length,
  });
}

async function attack(s: Scene, name: string, act: () => Promise<Response>, expected: number[]) {
  const before = await snapshot(s);
  const res = await act();
  await res.text();
  if (res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`) && !/Max-Age=0/.test(c))) {
    sessionsFromAttacks += 1;
  }
  attacks.push({ name, status: res.status });
  if (!expected.includes(res.status))
    wrongChanges.push(`${name}: answered ${res.status}, expected ${expected}`);
  if ((await snapshot(s)) !== before) wrongChanges.push(`${name}: state changed`);
}

function sessionKey() {
  const hex = JSON.parse(readFileSync(join(env.dataDir, 'session-secret.json'), 'utf8'));
  return new Uint8Array(Buffer.from(String(hex), 'hex'));
}

const REVIEWER: Identity = {
  sub: 'local-cybersecurity',
  username: 'local-cybersecurity',
  email: CYBERSECURITY,
  name: 'Forged',
  teams: ['cybersecurity'],
};

/** A session cookie for the reviewer as the site would make it, at `now`, with this key and issuer. */
async function forgedCookie(options: { now?: Date; key?: Uint8Array; issuer?: string } = {}) {
  const config = {
    sessionSecret: options.key ?? sessionKey(),
    baseUrl: options.issuer ?? site(),
    secureCookies: false,
  };
  const { cookie, session } = await startSession(REVIEWER, { config, now: () => options.now ?? new Date() });
  return { cookie: cookie.split(';')[0] ?? '', csrf: session.csrf };
}

describe('attacks on sign-in and the signed-in routes change nothing', () => {
  it('refuses bad sessions and tokens, bad sign-in answers, open redirects, CSRF and other teams', async () => {
    const s = await scene();
    const task = `${site()}/tasks/${s.taskId}`;
    const decision = { decision: 'acceptable', studentDataRequired: 'no', vendorContactEmail: 'p@v.example' };
    const withLink = { t: s.secret, ...decision };

    // Sessions: missing, expired, tampered, signed for another site, signed with another key.
    await attack(s, 'no session', () => fetch(task, form(withLink)), [401]);
    const expired = await forgedCookie({ now: new Date(Date.now() - 9 * 3_600_000) });
    await attack(
      s,
      'expired session',
      () => fetch(task, form({ ...withLink, csrf: expired.csrf }, expired.cookie)),
      [401],
    );
    const good = await forgedCookie();
    const tampered = `${good.cookie.slice(0, -3)}${good.cookie.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    await attack(
      s,
      'tampered session',
      () => fetch(task, form({ ...withLink, csrf: good.csrf }, tampered)),
      [401],
    );
    const foreign = await forgedCookie({ issuer: 'http://localhost:1' });
    await attack(
      s,
      'foreign-issuer session',
      () => fetch(task, form({ ...withLink, csrf: foreign.csrf }, foreign.cookie)),
      [401],
    );
    const otherKey = await forgedCookie({ key: new Uint8Array(randomBytes(32)) });
    await attack(
      s,
      'session signed with another key',
      () => fetch(task, form({ ...withLink, csrf: otherKey.csrf }, otherKey.cookie)),
      [401],
    );

    // Bearer tokens: garbage, and a token signed with a key that is not the provider's.
    const bearer = (token: string) => () =>
      fetch(`${site()}/queue/${s.taskId}/claim`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: '{}',
      });
    await attack(s, 'garbage bearer token', bearer('not.a.jwt'), [401]);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const selfSigned = await new SignJWT({ email: CYBERSECURITY, 'cognito:groups': ['cybersecurity'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'local-1' })
      .setIssuer(env.runtime.idpIssuer)
      .setAudience('district-site-local')
      .setSubject('local-cybersecurity')
      .setExpirationTime('1h')
      .sign(privateKey);
    await attack(s, 'self-signed bearer token', bearer(selfSigned), [401]);

    // Sign-in answers: no pending login, wrong state, a replayed code.
    await attack(
      s,
      'callback without a pending login',
      () => fetch(`${site()}/auth/callback?code=x&state=y`),
      [400],
    );
    const jar = new CookieJar();
    const start = await jar.fetch(`${site()}/auth/login?returnTo=/queue`);
    const visit = await visitProvider(
      String(start.headers.get('location')),
      CYBERSECURITY,
      `${site()}/auth/callback`,
      jar,
    );
    const wrongState = new URL(visit.callback);
    wrongState.searchParams.set('state', 'not-the-state');
    await attack(s, 'callback with the wrong state', () => jar.fetch(wrongState.href), [400]);
    const pendingCookie = jar.header();
    const done = await jar.fetch(visit.callback.href);
    await done.text();
    await attack(
      s,
      'replayed sign-in code',
      () => fetch(visit.callback.href, { headers: { cookie: pendingCookie }, redirect: 'manual' }),
      [400],
    );

    // Open redirects: every returnTo that is not a path here lands on `/`.
    const redirects = [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
      '/%0d%0aLocation:x',
    ];
    let leftSite = 0;
    for (const returnTo of redirects) {
      const person = await signIn(env.runtime, 'teacher@district.example.org', returnTo);
      const target = new URL(person.landedAt, site());
      if (target.origin !== new URL(site()).origin) leftSite += 1;
      attacks.push({ name: `returnTo ${returnTo}`, status: 302 });
    }

    // Session fixation: a session id planted before sign-in is not the one signed in.
    const planted = await forgedCookie();
    const fixJar = new CookieJar();
    fixJar.keep(new Response(null, { headers: { 'set-cookie': `${planted.cookie}; Path=/` } }));
    const fixStart = await fixJar.fetch(`${site()}/auth/login?returnTo=/queue`);
    const fixVisit = await visitProvider(
      String(fixStart.headers.get('location')),
      'teacher@district.example.org',
      `${site()}/auth/callback`,
      fixJar,
    );
    await (await fixJar.fetch(fixVisit.callback.href)).text();
    const fixated = fixJar.header().includes(planted.cookie) ? 1 : 0;
    attacks.push({ name: 'session fixation', status: 302 });

    // CSRF: each state-changing POST with the session but without its token (or with another's).
    const other = await signIn(env.runtime, CYBERSECURITY);
    const cookieOf = (p: SignedIn) => p.jar.header();
    await attack(
      s,
      'CSRF: decision without token',
      () => fetch(task, form(withLink, cookieOf(s.reviewer))),
      [403],
    );
    await attack(
      s,
      "CSRF: decision with another session's token",
      () => fetch(task, form({ ...withLink, csrf: other.csrf }, cookieOf(s.reviewer))),
      [403],
    );
    await attack(
      s,
      'CSRF: take without token',
      () => fetch(`${site()}/queue/${s.taskId}/claim`, form({}, cookieOf(s.reviewer))),
      [403],
    );
    await attack(
      s,
      'CSRF: out of office without token',
      () =>
        fetch(
          `${site()}/queue/away`,
          form({ delegateTo: 'x@y.example', until: '2099-01-01' }, cookieOf(s.reviewer)),
        ),
      [403],
    );
    await attack(
      s,
      'CSRF: sign-out without token',
      () => fetch(`${site()}/auth/logout`, form({}, cookieOf(s.reviewer))),
      [403],
    );

    // Other teams, and a member removed since signing in.
    const aas = await signIn(env.runtime, 'aas@district.example.org');
    await attack(
      s,
      'another team opens the task',
      () => fetch(`${task}?t=${s.secret}`, { headers: { accept: 'text/html', cookie: cookieOf(aas) } }),
      [403],
    );
    await attack(
      s,
      'another team decides',
      () => fetch(task, form({ ...withLink, csrf: aas.csrf }, cookieOf(aas))),
      [403],
    );
    await attack(
      s,
      'another team takes the task',
      () => fetch(`${site()}/queue/${s.taskId}/claim`, form({ csrf: aas.csrf }, cookieOf(aas))),
      [403],
    );
    const member = env.runtime.users.find((u) => u.email === CYBERSECURITY);
    if (!member) throw new Error('no seeded cybersecurity user');
    member.groups = [];
    try {
      await attack(
        s,
        'removed member decides',
        () => fetch(task, form({ ...withLink, csrf: s.reviewer.csrf }, cookieOf(s.reviewer))),
        [403],
      );
      await attack(
        s,
        'removed member takes the task',
        () =>
          fetch(`${site()}/queue/${s.taskId}/claim`, form({ csrf: s.reviewer.csrf }, cookieOf(s.reviewer))),
        [403],
      );
    } finally {
      member.groups = ['cybersecurity'];
    }
    const view: unknown = await (
      await s.auditor.jar.fetch(`${site()}/requests/${s.requestId}`, {
        headers: { accept: 'application/json' },
      })
    ).json();
    const timeline = fieldOf(view, 'timeline');
    const refusalsAudited = Array.isArray(timeline)
      ? timeline.filter((t) => fieldOf(t, 'type') === 'TASK_ACCESS_REFUSED').length
      : 0;

    const figures = [
      atLeast('identity attacks tried', attacks.length, 25),
      exactly('wrong answers or state changes', wrongChanges.length, 0),
      exactly('sessions started by an attack', sessionsFromAttacks, 0),
      exactly('sign-ins that left the site (open redirect)', leftSite, 0),
      exactly('planted session ids kept after sign-in', fixated, 0),
      atLeast('refusals of other teams in the audit trail', refusalsAudited, 5),
      info('returnTo values tried', redirects.length),
    ];
    recordFigures('identity-attacks', figures, wrongChanges.slice(0, 5));
    expect(misses(figures), wrongChanges.join('\n')).toEqual([]);
  }, 120_000);
});
