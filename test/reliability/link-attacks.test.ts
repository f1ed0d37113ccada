/**
 * Reliability, link attacks on the emailed task links (docs/design.md "Human tasks and links"): a forged,
 * truncated or missing secret, another task's secret, a replay after the decision, a link replaced by
 * a reminder, an expired link, opening (GET, HEAD, GET with decision fields in the query) — and 50
 * concurrent identical decisions and 50 concurrent mixed decisions on one task. The reply links of a
 * review's question (/replies/{id}, SOP 4) get the same attacks, plus a task link's id on the reply
 * path and a reply id on the task path (404), 50 concurrent answers on one reply link (exactly one
 * counts), and expiry both by the handlers' clock and by the local clock (the review resumed without
 * the answer: 410, no claim, no audit event). Every attack must
 * change nothing (the request, its execution's events and the outbox are compared before and after),
 * and each raced task must record exactly one decision: one 200, the rest 409, one DECISION_RECORDED
 * in the audit trail, one decision email, and the workflow going where the winning decision says.
 *
 * Expiry: the local clock (POST /_local/clock) drives only the Scheduler stand-in; handlers keep real
 * time (local/scheduler/clock.ts), so a task's `expiresAt` is checked against the real clock. This
 * file measures that (advancing the local clock past the deadline and opening the link), then tests
 * expiry itself by moving the process's Date past the deadline (vi.setSystemTime, timers untouched):
 * the runtime runs in this process, so its handlers see that time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  PRIVACY_OK,
  parseTaskLink,
  simpleRequestBody,
  type TaskLink,
  useTestRuntime,
} from '../e2e/helpers.ts';
import { atLeast, exactly, misses, recordFigures } from './figures.ts';
import { until } from './support.ts';

const env = useTestRuntime('rel-links');

const simple = simpleRequestBody;
const privacyOk = PRIVACY_OK;
const privacyNo = {
  decision: 'unacceptable',
  comment: 'The policy sells student data',
  studentDataRequired: 'no',
  vendorContactEmail: 'privacy@vendor.example',
};

/** Attacks that changed something they must not have, by name. */
const wrongChanges: string[] = [];
const attacks: { name: string; status: number }[] = [];

interface Snapshot {
  views: string[];
  events: number[];
  outbox: number;
}

async function snapshot(ids: string[]): Promise<Snapshot> {
  return {
    views: await Promise.all(ids.map(async (id) => JSON.stringify(await env.client.request(id)))),
    events: await Promise.all(ids.map(async (id) => (await env.client.execution(id)).events.length)),
    outbox: (await env.client.outbox()).length,
  };
}

/** Runs an attack and records it as a wrong change when any of `ids` changed. */
async function attack(name: string, ids: string[], act: () => Promise<number>, expectStatus: number[]) {
  const before = await snapshot(ids);
  const status = await act();
  await new Promise((r) => setTimeout(r, 50));
  const after = await snapshot(ids);
  attacks.push({ name, status });
  if (JSON.stringify(after) !== JSON.stringify(before)) wrongChanges.push(`${name}: state changed`);
  if (!expectStatus.includes(status))
    wrongChanges.push(`${name}: answered ${status}, expected ${expectStatus}`);
}

const post = (taskId: string, fields: Record<string, string>) =>
  env.client
    .fetch(`/tasks/${encodeURIComponent(taskId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ decidedBy: 'Mallory', ...fields }).toString(),
    })
    .then(async (r) => {
      await r.text();
      return r.status;
    });
const get = (path: string, method = 'GET') =>
  env.client.fetch(path, { method, headers: { accept: 'text/html' } }).then(async (r) => {
    await r.text();
    return r.status;
  });

const postReply = (replyId: string, fields: Record<string, string>) =>
  env.client
    .fetch(`/replies/${encodeURIComponent(replyId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ decidedBy: 'Mallory', decision: 'answered', ...fields }).toString(),
    })
    .then(async (r) => {
      await r.text();
      return r.status;
    });

/** Answers to a question recorded in the request's audit trail (DECISION_RECORDED of a reply). */
async function answersRecorded(requestId: string): Promise<number> {
  return (await env.client.request(requestId)).timeline.filter(
    (t) => t.type === 'DECISION_RECORDED' && / answered /.test(t.summary),
  ).length;
}

/** Waits until no email has been sent for 400 ms (every workflow of the runtime is waiting). */
async function quiet(): Promise<void> {
  let last = -1;
  await until('the outbox to stop growing', async () => {
    const n = (await env.client.outbox()).length;
    const still = n === last;
    last = n;
    if (!still) await new Promise((r) => setTimeout(r, 400));
    return still ? true : undefined;
  });
}

async function decisionsRecorded(requestId: string): Promise<number> {
  return (await env.client.request(requestId)).timeline.filter((t) => t.type === 'DECISION_RECORDED').length;
}

async function decisionEmails(requestId: string): Promise<number> {
  return (await env.client.outbox()).filter(
    (e) => e.subject.startsWith(`Your request ${requestId}`) && !e.subject.includes('received'),
  ).length;
}

/** 50 decisions at once on one link: how many answers of each status. */
async function race(link: TaskLink, bodies: Record<string, string>[]): Promise<Map<number, number>> {
  const statuses = await Promise.all(bodies.map((b) => post(link.taskId, { t: link.secret, ...b })));
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return counts;
}

const figures: Parameters<typeof recordFigures>[1] = [];
const notes: string[] = [];

describe('reliability: link attacks change nothing; a raced task records exactly one decision', () => {
  let a: string;
  let b: string;
  let linkA: TaskLink;
  let linkB: TaskLink;

  afterEach(() => {
    vi.useRealTimers();
  });

  it('forged, truncated, missing and borrowed secrets, and opening the link, change nothing', async () => {
    a = await env.client.submit(simple('Link Target A'));
    b = await env.client.submit(simple('Link Target B'));
    linkA = await env.client.nextTask(a, 'privacy-review');
    linkB = await env.client.nextTask(b, 'privacy-review');
    for (const id of [a, b]) {
      await until(`${id} waiting for its privacy review`, async () =>
        (await env.client.execution(id)).waitingFor.includes('PrivacyPolicyReview') ? true : undefined,
      );
    }
    await new Promise((r) => setTimeout(r, 300)); // the TASK_ASSIGNED audit event follows the email
    const ids = [a, b];
    const forged = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
    const flip = (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;

    await attack('forged secret (POST)', ids, () => post(linkA.taskId, { t: forged, ...privacyOk }), [403]);
    await attack('forged secret (GET)', ids, () => get(`/tasks/${linkA.taskId}?t=${forged}`), [403]);
    await attack(
      'truncated secret (POST)',
      ids,
      () => post(linkA.taskId, { t: linkA.secret.slice(0, 20), ...privacyOk }),
      [403],
    );
    await attack(
      'secret with its last character changed',
      ids,
      () => post(linkA.taskId, { t: flip(linkA.secret), ...privacyOk }),
      [403],
    );
    await attack(
      'secret with a character added',
      ids,
      () => post(linkA.taskId, { t: `${linkA.secret}A`, ...privacyOk }),
      [403],
    );
    await attack('no secret', ids, () => post(linkA.taskId, { ...privacyOk }), [403]);
    await attack('empty secret', ids, () => post(linkA.taskId, { t: '', ...privacyOk }), [403]);
    await attack(
      "another task's secret",
      ids,
      () => post(linkA.taskId, { t: linkB.secret, ...privacyOk }),
      [403],
    );
    await attack(
      "another task's secret (GET)",
      ids,
      () => get(`/tasks/${linkA.taskId}?t=${linkB.secret}`),
      [403],
    );
    await attack(
      'unknown task id with a real secret',
      ids,
      () => post('AAAAAAAAAAAAAAAAAAAAAA', { t: linkA.secret, ...privacyOk }),
      [404],
    );
    await attack(
      'secret in the query, not the form',
      ids,
      async () => {
        const r = await env.client.fetch(`/tasks/${linkA.taskId}?t=${linkA.secret}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
          body: new URLSearchParams({ decidedBy: 'Mallory', ...privacyOk }).toString(),
        });
        await r.text();
        return r.status;
      },
      [403],
    );
    for (let i = 0; i < 5; i++)
      await attack(`open the link (GET #${i + 1})`, ids, () => get(linkA.path), [200]);
    await attack('open the link (HEAD)', ids, () => get(linkA.path, 'HEAD'), [200, 404, 405]);
    await attack(
      'GET with the decision in the query (a scanner following a crafted link)',
      ids,
      () => get(`${linkA.path}&${new URLSearchParams({ ...privacyOk, decidedBy: 'Scanner' })}`),
      [200],
    );
    expect(await decisionsRecorded(a)).toBe(0);
  });

  it('50 concurrent identical decisions on one task: one is recorded, 49 answer 409', async () => {
    const counts = await race(
      linkA,
      Array.from({ length: 50 }, () => privacyOk),
    );
    const curriculum = await env.client.nextTask(a, 'curriculum-review');
    await new Promise((r) => setTimeout(r, 300));
    const recorded = await decisionsRecorded(a);
    const emails = await decisionEmails(a);
    const privacyTasks = (await env.client.outbox()).filter(
      (e) => e.subject.startsWith('Action needed') && e.subject.includes(a) && e.subject.includes('privacy'),
    ).length;
    figures.push(
      exactly('identical race: answers 200', counts.get(200) ?? 0, 1),
      exactly('identical race: answers 409', counts.get(409) ?? 0, 49),
      exactly('identical race: decisions recorded on the task', recorded, 1),
      exactly('identical race: decision emails to the requester', emails, 1),
    );
    if (!curriculum) wrongChanges.push('identical race: the workflow did not move on');
    expect(privacyTasks).toBe(1);
    // a replay of the decision after it was recorded
    await attack(
      'replayed decision (same link, after the decision)',
      [a, b],
      () => post(linkA.taskId, { t: linkA.secret, ...privacyOk }),
      [409],
    );
    await attack(
      'replayed with the other decision',
      [a, b],
      () => post(linkA.taskId, { t: linkA.secret, ...privacyNo }),
      [409],
    );
    await attack('open a used link', [a, b], () => get(linkA.path), [409]);
  });

  it('50 concurrent mixed decisions (acceptable / unacceptable) on one task: exactly one wins and the workflow follows it', async () => {
    const bodies = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? privacyOk : privacyNo));
    const statuses = await Promise.all(
      bodies.map((body) => post(linkB.taskId, { t: linkB.secret, ...body }).then((s) => ({ s, body }))),
    );
    const winners = statuses.filter((x) => x.s === 200);
    const recorded = await until('the mixed race decision in the audit trail', async () => {
      const n = await decisionsRecorded(b);
      return n > 0 ? n : undefined;
    });
    const winner = winners[0]?.body.decision;
    if (winner === 'unacceptable') await env.client.waitForStatus(b, 'DENIED');
    else await env.client.nextTask(b, 'curriculum-review');
    await new Promise((r) => setTimeout(r, 300));
    const view = await env.client.request(b);
    const followed =
      winner === 'unacceptable'
        ? view.status === 'DENIED'
        : view.status === 'IN_REVIEW' && view.currentStep >= 7;
    if (!followed)
      wrongChanges.push(
        `mixed race: winner ${winner} but the request is ${view.status} at step ${view.currentStep}`,
      );
    figures.push(
      exactly('mixed race: answers 200', winners.length, 1),
      exactly('mixed race: answers 409', statuses.filter((x) => x.s === 409).length, 49),
      exactly('mixed race: decisions recorded on the task', await decisionsRecorded(b), 1),
      exactly('mixed race: decision emails to the requester', await decisionEmails(b), 1),
    );
    expect(recorded).toBe(1);
  });

  it('a reminder replaces the link; the local clock past the deadline; expiry by the handlers’ clock', async () => {
    const c = await env.client.submit(simple('Link Target C'));
    const first = await env.client.nextTask(c, 'privacy-review');
    await until('C waiting for its privacy review', async () =>
      (await env.client.execution(c)).waitingFor.includes('PrivacyPolicyReview') ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 300));

    // 8 local days: the half-way reminder (day 7 of 14) gives the task a new secret
    await env.client.fetch('/_local/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"advanceDays": 8}',
    });
    const reminder = await until('the reminder email with a new link', async () => {
      const emails = (await env.client.outbox()).filter(
        (e) => e.subject.includes(c) && e.text.includes(`/tasks/${first.taskId}?t=`),
      );
      const fresh = emails.map((e) => parseTaskLink(e)).find((l) => l && l.secret !== first.secret);
      return fresh;
    });
    await quiet();
    await attack(
      'link replaced by a reminder (POST)',
      [c],
      () => post(first.taskId, { t: first.secret, ...privacyOk }),
      [410],
    );
    await attack('link replaced by a reminder (GET)', [c], () => get(first.path), [410]);

    // past the deadline by the local clock (14 days + 1); the final reminder (2 days before) gave
    // the task yet another secret: take the newest link
    await env.client.fetch('/_local/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"advanceDays": 7}',
    });
    const latest = await until('the final reminder email', async () => {
      const links = (await env.client.outbox())
        .filter((e) => e.subject.includes(c))
        .map((e) => parseTaskLink(e))
        .filter((l): l is TaskLink => l?.taskId === first.taskId);
      return links.length >= 3 ? links.at(-1) : undefined;
    });
    // The final reminder's audit event and Technology Services' escalation notice follow its email:
    // attack once the outbox is quiet, so only the attack could change anything.
    await quiet();
    await attack(
      'link replaced by the final reminder (POST)',
      [c],
      () => post(reminder.taskId, { t: reminder.secret, ...privacyOk }),
      [410],
    );
    // the local clock drives the deadline too: 15 local days after assignment the review timed out
    await env.client.waitForStatus(c, 'DENIED');
    const afterLocalDeadline = await get(latest.path);
    figures.push(
      exactly('task expiry follows the local clock (1 yes, 0 no)', afterLocalDeadline === 410 ? 1 : 0, 1),
    );

    // expiry as the handlers see it: Date past expiresAt (timers stay real)
    // the privacy review waits 14 days (its TimeoutSeconds); the task was assigned moments ago
    const expiresAt = Date.now() + 14 * 86_400_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(expiresAt + 3_600_000));
    await attack('expired link (GET)', [c], () => get(reminder.path), [410]);
    await attack(
      'expired link (POST)',
      [c],
      () => post(reminder.taskId, { t: reminder.secret, ...privacyOk }),
      [410],
    );
    vi.useRealTimers();
    expect(await decisionsRecorded(c)).toBe(0);
    // back in real time the newest link is still refused: the deadline closed the request
    expect(await post(latest.taskId, { t: latest.secret, ...privacyOk })).toBe(410);
  });

  it('reply links (/replies/): the same attacks, a 50-way answer race, replay, misplaced ids and expiry', async () => {
    const requester = 'maria.lopez@district.example';
    const question = 'Which grade levels will use it?';
    const r1 = await env.client.submit(simple('Reply Target 1'));
    const r2 = await env.client.submit(simple('Reply Target 2'));
    const asked: TaskLink[] = [];
    for (const id of [r1, r2]) {
      await env.client.complete(id, 'privacy-review', privacyOk);
      asked.push(await env.client.complete(id, 'curriculum-review', { decision: 'ask', question }));
    }
    const reply1 = await env.client.nextReply(r1, requester);
    const reply2 = await env.client.nextReply(r2, requester);
    for (const id of [r1, r2]) {
      await until(`${id} waiting for the answer`, async () =>
        (await env.client.execution(id)).waitingFor.includes('AwaitCurriculumReviewAnswer')
          ? true
          : undefined,
      );
    }
    await quiet(); // the QUESTION_SENT audit event follows the email
    const ids = [r1, r2];
    const answer = { decision: 'answered', answer: 'Grades 3 to 5.' };
    const forged = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
    const flip = (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;
    const asksTask = asked[0] as TaskLink;

    await attack(
      'reply: forged secret (POST)',
      ids,
      () => postReply(reply1.taskId, { t: forged, ...answer }),
      [403],
    );
    await attack(
      'reply: forged secret (GET)',
      ids,
      () => get(`/replies/${reply1.taskId}?t=${forged}`),
      [403],
    );
    await attack(
      'reply: truncated secret (POST)',
      ids,
      () => postReply(reply1.taskId, { t: reply1.secret.slice(0, 20), ...answer }),
      [403],
    );
    await attack(
      'reply: secret with its last character changed',
      ids,
      () => postReply(reply1.taskId, { t: flip(reply1.secret), ...answer }),
      [403],
    );
    await attack(
      'reply: secret with a character added',
      ids,
      () => postReply(reply1.taskId, { t: `${reply1.secret}A`, ...answer }),
      [403],
    );
    await attack('reply: no secret (POST)', ids, () => postReply(reply1.taskId, { ...answer }), [403]);
    await attack('reply: no secret (GET)', ids, () => get(`/replies/${reply1.taskId}`), [403]);
    await attack('reply: empty secret', ids, () => postReply(reply1.taskId, { t: '', ...answer }), [403]);
    await attack(
      "reply: another reply's secret",
      ids,
      () => postReply(reply1.taskId, { t: reply2.secret, ...answer }),
      [403],
    );
    await attack(
      'reply: unknown reply id with a real secret',
      ids,
      () => postReply('AAAAAAAAAAAAAAAAAAAAAA', { t: reply1.secret, ...answer }),
      [404],
    );
    await attack(
      "reply: a task link's id and secret on the reply path (GET)",
      ids,
      () => get(`/replies/${asksTask.taskId}?t=${asksTask.secret}`),
      [404],
    );
    await attack(
      "reply: a task link's id and secret on the reply path (POST)",
      ids,
      () => postReply(asksTask.taskId, { t: asksTask.secret, ...answer }),
      [404],
    );
    await attack(
      'reply: a reply id on the task path (GET)',
      ids,
      () => get(`/tasks/${reply1.taskId}?t=${reply1.secret}`),
      [404],
    );
    await attack(
      'reply: a reply id on the task path (POST)',
      ids,
      () => post(reply1.taskId, { t: reply1.secret, ...answer }),
      [404],
    );
    for (let i = 0; i < 3; i++)
      await attack(`reply: open the link (GET #${i + 1})`, ids, () => get(reply1.path), [200]);
    await attack('reply: open the link (HEAD)', ids, () => get(reply1.path, 'HEAD'), [200, 404, 405]);
    await attack(
      'reply: GET with the answer in the query',
      ids,
      () => get(`${reply1.path}&${new URLSearchParams({ ...answer, decidedBy: 'Scanner' })}`),
      [200],
    );

    // expiry as the handlers see it: Date past the link's 7 days (timers stay real)
    const expiresAt = Date.now() + 7 * 86_400_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(expiresAt + 3_600_000));
    await attack('reply: expired link (GET)', ids, () => get(reply1.path), [410]);
    await attack(
      'reply: expired link (POST)',
      ids,
      () => postReply(reply1.taskId, { t: reply1.secret, ...answer }),
      [410],
    );
    vi.useRealTimers();
    expect(await answersRecorded(r1)).toBe(0);

    // 50 answers at once on one reply link (different texts): exactly one counts
    const bodies = Array.from({ length: 50 }, (_, i) => ({
      t: reply1.secret,
      decision: 'answered',
      answer: `Answer ${i}`,
    }));
    const statuses = await Promise.all(
      bodies.map((b) => postReply(reply1.taskId, b).then((s) => ({ s, b }))),
    );
    const again = await env.client.nextTask(r1, 'curriculum-review');
    await quiet();
    const winners = statuses.filter((x) => x.s === 200);
    const reviewEmails = (await env.client.outbox()).filter(
      (e) =>
        e.subject.startsWith('Action needed') && e.subject.includes(r1) && e.subject.includes('curriculum'),
    ).length;
    const againPage = await get(again.path);
    const shown = (await env.client.open(again)).html;
    const winnerShown = winners.length === 1 && shown.includes(winners[0]?.b.answer ?? '-');
    figures.push(
      exactly('reply race: answers 200', winners.length, 1),
      exactly('reply race: answers 409', statuses.filter((x) => x.s === 409).length, 49),
      exactly('reply race: answers recorded', await answersRecorded(r1), 1),
      exactly('reply race: the review assigned again (task emails)', reviewEmails, 2),
      exactly(
        'reply race: the new task page shows the winning answer (1 yes, 0 no)',
        againPage === 200 && winnerShown ? 1 : 0,
        1,
      ),
    );

    await attack(
      'reply: replayed answer (after it was recorded)',
      ids,
      () => postReply(reply1.taskId, { t: reply1.secret, ...answer }),
      [409],
    );
    await attack('reply: open a used reply link', ids, () => get(reply1.path), [409]);
    await attack(
      "reply: an open task link's id and secret on the reply path",
      ids,
      () => postReply(again.taskId, { t: again.secret, ...answer }),
      [404],
    );

    // past the reply's 7 days by the local clock: the review resumes without an answer, and the
    // reply link answers 410 (GET and POST) without a claim or an audit event
    await env.client.fetch('/_local/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"advanceDays": 8}',
    });
    await env.client.nextTask(r2, 'curriculum-review');
    await quiet();
    const expiredGet = await get(reply2.path);
    await attack('reply: past its wait by the local clock (GET)', ids, () => get(reply2.path), [410]);
    await attack(
      'reply: past its wait by the local clock (POST)',
      ids,
      () => postReply(reply2.taskId, { t: reply2.secret, ...answer }),
      [410],
    );
    const lateAudits = (await env.client.request(r2)).timeline.filter(
      (t) => t.type === 'DECISION_TOO_LATE',
    ).length;
    figures.push(
      exactly('reply expiry follows the local clock (1 yes, 0 no)', expiredGet === 410 ? 1 : 0, 1),
      exactly('reply past its wait: answers recorded', await answersRecorded(r2), 0),
      exactly('reply past its wait: late-answer audit events', lateAudits, 0),
    );
  });

  it('figures', () => {
    figures.push(
      atLeast('attacks tried', attacks.length, 50),
      atLeast('of them on reply links', attacks.filter((a) => a.name.startsWith('reply:')).length, 25),
      exactly('wrong state changes (or wrong answers)', wrongChanges.length, 0),
    );
    recordFigures('link-attacks', figures, [...notes, ...wrongChanges.slice(0, 5)]);
    expect(misses(figures), wrongChanges.join('\n')).toEqual([]);
  });
});
