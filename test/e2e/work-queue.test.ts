/**
 * Signed-in people decide from their team's work queue (AUTH_MODE=sso), on the running product with
 * the embedded provider: the queue lists the team's pending task, a member takes it and decides it
 * without the emailed link, the audit trail names the verified person; a member of another team is
 * refused (403, audited) and someone removed from the team since signing in cannot decide.
 */
import { describe, expect, it } from 'vitest';
import { fieldOf } from '#shared/core/guards.ts';
import { type SignedIn, signIn } from '../support/sign-in.ts';
import { requestBody, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('work-queue', { authMode: 'sso' });

const CYBERSECURITY = 'cybersecurity@district.example.org';

let submitted = 0;

async function submitAs(person: SignedIn): Promise<string> {
  submitted += 1;
  const res = await person.jar.fetch(`${env.runtime.siteUrl}/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': person.csrf },
    body: JSON.stringify(
      requestBody({ requesterEmail: person.email, resourceName: `Queue test ${submitted}` }),
    ),
  });
  const body: unknown = await res.json();
  if (res.status !== 201) throw new Error(`POST /requests answered ${res.status}: ${JSON.stringify(body)}`);
  return String(fieldOf(body, 'requestId'));
}

interface QueueRow {
  taskId: string;
  requestId: string;
  kind: string;
  team: string;
  assignee: { email: string } | null;
  link: string;
}

async function queueOf(person: SignedIn): Promise<QueueRow[]> {
  const res = await person.jar.fetch(`${env.runtime.siteUrl}/queue`, {
    headers: { accept: 'application/json' },
  });
  expect(res.status).toBe(200);
  const body: unknown = await res.json();
  const tasks = fieldOf(body, 'tasks');
  if (!Array.isArray(tasks)) throw new Error('GET /queue answered no task list');
  return tasks;
}

async function privacyReviewOf(person: SignedIn, requestId: string): Promise<QueueRow> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const row = (await queueOf(person)).find((t) => t.requestId === requestId && t.kind === 'privacy-review');
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`No privacy review of ${requestId} in the queue`);
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
  body: new URLSearchParams(fields).toString(),
});

describe('the team work queue', () => {
  it('lists the team task, lets a member take it and decide it without the emailed link', async () => {
    const teacher = await signIn(env.runtime, 'teacher@district.example.org');
    const requestId = await submitAs(teacher);
    const reviewer = await signIn(env.runtime, CYBERSECURITY);
    const row = await privacyReviewOf(reviewer, requestId);
    expect(row).toMatchObject({ team: 'cybersecurity', assignee: null, link: `/tasks/${row.taskId}` });

    const taken = await reviewer.jar.fetch(
      `${env.runtime.siteUrl}/queue/${row.taskId}/claim`,
      form({ csrf: reviewer.csrf }),
    );
    expect(taken.status).toBe(303);
    expect((await privacyReviewOf(reviewer, requestId)).assignee?.email).toBe(CYBERSECURITY);

    const page = await reviewer.jar.fetch(`${env.runtime.siteUrl}${row.link}`, {
      headers: { accept: 'text/html' },
    });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).not.toContain('name="decidedBy"');

    const decided = await reviewer.jar.fetch(
      `${env.runtime.siteUrl}${row.link}`,
      form({
        t: '',
        csrf: reviewer.csrf,
        decision: 'acceptable',
        studentDataRequired: 'no',
        vendorContactEmail: 'privacy@vendor.example',
      }),
    );
    expect(decided.status, await decided.text()).toBe(200);
    const view: unknown = await (
      await reviewer.jar.fetch(`${env.runtime.siteUrl}/requests/${requestId}`, {
        headers: { accept: 'application/json' },
      })
    ).json();
    const timeline = fieldOf(view, 'timeline');
    expect(
      Array.isArray(timeline) && timeline.some((event) => fieldOf(event, 'type') === 'DECISION_RECORDED'),
    ).toBe(true);
  });

  it('refuses a member of another team (403) and a person removed from the team since signing in', async () => {
    const teacher = await signIn(env.runtime, 'teacher@district.example.org');
    const requestId = await submitAs(teacher);
    const reviewer = await signIn(env.runtime, CYBERSECURITY);
    const row = await privacyReviewOf(reviewer, requestId);

    const outsider = await signIn(env.runtime, 'aas@district.example.org');
    const refused = await outsider.jar.fetch(`${env.runtime.siteUrl}${row.link}`, {
      headers: { accept: 'text/html' },
    });
    expect(refused.status).toBe(403);

    const member = env.runtime.users.find((user) => user.email === CYBERSECURITY);
    if (!member) throw new Error('no seeded cybersecurity user');
    member.groups = [];
    try {
      const decided = await reviewer.jar.fetch(
        `${env.runtime.siteUrl}${row.link}`,
        form({
          t: '',
          csrf: reviewer.csrf,
          decision: 'acceptable',
          studentDataRequired: 'no',
          vendorContactEmail: 'privacy@vendor.example',
        }),
      );
      expect(decided.status).toBe(403);
    } finally {
      member.groups = ['cybersecurity'];
    }
    expect((await privacyReviewOf(reviewer, requestId)).taskId).toBe(row.taskId);
  });
});
