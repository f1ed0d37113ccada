/**
 * End to end (issue 22 item 2): the SSL grade of an Approved website is checked again every
 * `sslCheckDays` (cdk.json) on the local clock. A grade below A starts the SSL remediation between
 * renewals: the vendor is emailed, Cybersecurity gets the re-test task, and the resource stays
 * Approved (only Cybersecurity's denial would revoke it). A passing re-test ends the remediation.
 */
import { describe, expect, it } from 'vitest';
import { LOCAL_WATCH_CHECK_DAYS } from '#local/config.ts';
import { eventually, requestBody, TEAM, useTestRuntime } from './helpers.ts';

const HOST = 'spot.checkly.example';
const env = useTestRuntime('ssl-spot-check', {
  fakeSslGrades: { [HOST]: 'A' },
  // SSL Labs polls do not really wait (as the request's in startTestRuntime).
  waitTimeOverrides: { WaitForSslScan: 0, WaitForSslRetest: 0, WaitForSslSpotCheck: 0 },
});
const VENDOR = 'security@checkly.example';

const sslNotices = async (requestId: string) =>
  (await env.client.emailsTo(VENDOR, requestId)).filter((e) => e.subject.startsWith('Action needed'));

const registryStatus = async () =>
  (await env.client.registry('Checkly Reader')).find((e) => e.resourceName === 'Checkly Reader')?.status;

describe('Issue 22: SSL spot checks between renewals', () => {
  it('a grade that drops below A emails the vendor and opens the re-test task; the resource stays Approved', async () => {
    // Prepare: an Approved website graded A
    const requestId = await env.client.submitAndPassPrivacyReview(
      requestBody({
        resourceName: 'Checkly Reader',
        resourceUrl: `https://${HOST}/app`,
        resourceKind: 'web-service',
        vendorName: 'Checkly',
        cost: 0,
        studentDataShared: false,
        studentDataElements: undefined,
      }),
      { vendorContactEmail: VENDOR },
    );
    await env.client.complete(requestId, 'curriculum-review', { decision: 'approve' });
    await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
    await env.client.complete(requestId, 'installation', { decision: 'installed' });
    await env.client.waitForStatus(requestId, 'APPROVED');
    await env.runtime.runScheduledFunctions();
    expect(await sslNotices(requestId)).toEqual([]);

    // Act: the vendor's server falls to B; the local clock passes sslCheckDays
    env.runtime.fakeSslLabs?.setGrade(HOST, 'B');
    await env.client.advanceDays(LOCAL_WATCH_CHECK_DAYS.sslCheckDays);

    // Assess: the vendor is emailed (Cybersecurity the second recipient), the re-test task opens
    const notice = await eventually(
      'the SSL notice to the vendor',
      async () => (await sslNotices(requestId))[0],
    );
    expect(notice.to).toEqual([VENDOR, TEAM.cybersecurity]);
    expect(notice.subject).toContain('(currently B)');
    const task = await env.client.nextTask(requestId, 'ssl-remediation');
    expect(task.email.to).toContain(TEAM.cybersecurity);
    const watch = (await env.client.executions()).filter(
      (e) => e.stateMachine === 'resource-watch' && e.name.startsWith(`ssl-spot-check-${requestId}`),
    );
    expect(watch).toHaveLength(1);
    expect(watch[0]?.status).toBe('RUNNING');
    // No automatic revoke
    expect(await registryStatus()).toBe('APPROVED');
    expect((await env.client.request(requestId)).status).toBe('APPROVED');

    // Act: the vendor fixes it; Cybersecurity asks for the re-test
    env.runtime.fakeSslLabs?.setGrade(HOST, 'A+');
    const decided = await env.client.decide(task, { decision: 'retest' });
    expect(decided.status, decided.html.slice(0, 300)).toBe(200);

    // Assess: the spot check ends, nothing else changed
    await env.client.waitForExecution(watch[0]?.name ?? '', 'SUCCEEDED', 'resource-watch');
    expect(await registryStatus()).toBe('APPROVED');
    expect(await sslNotices(requestId)).toHaveLength(1);
  });
});
