/**
 * End to end (issue 22 item 1): an Approved resource's reviewed privacy policy is watched on the local
 * clock. A week on, a page that changed only in whitespace, dates and tracking parameters opens
 * nothing; a week later a material change opens the Cybersecurity `policy-change` task showing the
 * sentences added and removed; `revoke` turns the registry Not Approved and emails the vendor the
 * request to delete the students' data (the registry shows when it was asked).
 */
import { describe, expect, it } from 'vitest';
import { TASK_KINDS } from '#shared/workflow/task-kinds.ts';
import { eventually, PRIVACY_OK, simpleRequestBody, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('policy-watch');

const POLICY_URL = 'https://tidewater.example.com/privacy';

const policyPage = (body: string) =>
  `<html><head><title>Privacy</title><script>track()</script></head><body>${body}</body></html>`;

const REVIEWED = policyPage(
  '<h1>Privacy Policy</h1><p>Last updated: December 1, 2026</p>' +
    '<p>We never sell student data. We delete student data within 30 days of a request.</p>' +
    '<p>Questions: <a href="https://tidewater.example.com/contact">https://tidewater.example.com/contact</a></p>',
);
/** The same promises: new date, more whitespace, a tracking parameter, another script. */
const COSMETIC = policyPage(
  '<h1>Privacy   Policy</h1>\n<p>Last updated: 2026-12-08</p>\n' +
    '<p>We never  sell student data.\n  We delete student data within 30 days of a request.</p>' +
    '<p>Questions: https://tidewater.example.com/contact?utm_source=newsletter&amp;fbclid=x1</p><script>more()</script>',
);
const MATERIAL = policyPage(
  '<h1>Privacy Policy</h1><p>Last updated: December 15, 2026</p>' +
    '<p>We may share student data with our advertising partners. We delete student data within 30 days of a request.</p>' +
    '<p>We use student work to train our AI features.</p>' +
    '<p>Questions: https://tidewater.example.com/contact</p>',
);

async function publishPage(html: string): Promise<void> {
  const res = await fetch(`${env.runtime.baseUrl}/_local/web?url=${encodeURIComponent(POLICY_URL)}`, {
    method: 'PUT',
    headers: { 'content-type': 'text/html' },
    body: html,
  });
  expect(res.status).toBeLessThan(300);
}

/** The watch schedule's last run, on the local clock. */
const lastWatchRun = () =>
  env.runtime.scheduler.list().find((s) => s.Name === 'watch-watch-policies')?.lastRun;

const policyChangeEmails = async (requestId: string) =>
  (await env.client.outbox()).filter(
    (e) => e.subject.includes(requestId) && e.subject.includes(TASK_KINDS['policy-change'].title),
  );

describe('Issue 22: the reviewed privacy policy is watched between renewals', () => {
  it('ignores cosmetic changes, opens a task with the difference for a material one, and revoke makes it Not Approved and asks the vendor to delete the data', async () => {
    // Prepare: an Approved resource whose privacy review named its policy page, and the page kept
    await publishPage(REVIEWED);
    const requestId = await env.client.submitAndPassPrivacyReview(simpleRequestBody('Tide Watch'), {
      privacyPolicyUrl: POLICY_URL,
    });
    await env.client.complete(requestId, 'curriculum-review', { decision: 'approve' });
    await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
    await env.client.complete(requestId, 'installation', { decision: 'installed' });
    await env.client.waitForStatus(requestId, 'APPROVED');
    await env.runtime.runScheduledFunctions();

    // Act: a week passes; the vendor changed whitespace, the date and a link's tracking parameters
    await publishPage(COSMETIC);
    const before = lastWatchRun()?.at;
    await env.client.advanceDays(7);

    // Assess: the watch ran and opened nothing
    const cosmeticRun = lastWatchRun();
    expect(cosmeticRun?.at).not.toBe(before);
    expect(cosmeticRun?.error).toBeUndefined();
    expect(await policyChangeEmails(requestId)).toEqual([]);
    expect((await env.client.executions()).filter((e) => e.stateMachine === 'resource-watch')).toEqual([]);

    // Act: another week; now the vendor changed what it promises
    await publishPage(MATERIAL);
    await env.client.advanceDays(7);

    // Assess: Cybersecurity's task shows the sentences added and removed
    const task = await env.client.nextTask(requestId, 'policy-change');
    expect(task.email.to).toContain('ccs@district.example');
    const page = await env.client.open(task);
    expect(page.status).toBe(200);
    expect(page.html).toContain(POLICY_URL);
    expect(page.html).toContain('We may share student data with our advertising partners.');
    expect(page.html).toContain('We use student work to train our AI features.');
    expect(page.html).toContain('We never sell student data.');
    expect(page.html).not.toContain('Last updated');
    // Seen again a week later, the same change opens no second task
    await env.client.advanceDays(7);
    expect(await policyChangeEmails(requestId)).toHaveLength(1);

    // Act: Cybersecurity revokes
    const decided = await env.client.decide(task, {
      decision: 'revoke',
      comment: 'Sharing student data with advertisers breaks the DPA.',
    });
    expect(decided.status, decided.html.slice(0, 400)).toBe(200);

    // Assess: the registry says Not Approved, with the reason
    const entry = await eventually('the registry entry Not Approved', async () => {
      const found = (await env.client.registry('Tide Watch')).find((e) => e.requestId === requestId);
      return found?.status === 'NOT_APPROVED' ? found : undefined;
    });
    expect(entry).toMatchObject({ reason: expect.stringContaining('privacy policy') });

    // Assess: the vendor is asked to delete the students' data, and the registry says when
    const deletionRequest = await eventually('the deletion request to the vendor', async () =>
      (await env.client.outbox()).find(
        (e) =>
          e.to.includes(PRIVACY_OK.vendorContactEmail) &&
          e.subject.includes('Request to delete student data') &&
          e.subject.includes('Tide Watch'),
      ),
    );
    expect(deletionRequest.text).toMatch(/\/uploads\/[\w-]+\?t=[\w-]+/);
    const resourceId = (
      await env.client.json<{ items: { resourceId: string; requestId: string }[] }>(
        '/registry?q=Tide%20Watch',
      )
    ).body.items.find((i) => i.requestId === requestId)?.resourceId;
    const withDeletion = await eventually('deletion.requestedOn on the registry entry', async () => {
      const one = await env.client.json<{ deletion?: { requestedOn?: string; confirmedOn?: string | null } }>(
        `/registry/${encodeURIComponent(resourceId ?? '')}`,
      );
      return one.body.deletion?.requestedOn ? one.body : undefined;
    });
    expect(withDeletion.deletion?.requestedOn).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(withDeletion.deletion?.confirmedOn ?? null).toBeNull();
  });
});
