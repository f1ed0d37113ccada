/**
 * End to end, SOP 5-6 and 17 over HTTP on the local runtime: the websites Cybersecurity names are all
 * SSL-tested; a grade below A (or no grade) emails the vendor and gives Cybersecurity a re-test task;
 * a passing re-test continues the request. At the annual renewal a failed re-test goes through the
 * same remediation, and a lapse tells the requester and Cybersecurity and says why everywhere.
 */
import { describe, expect, it } from 'vitest';
import { eventually, requestBody, TEAM, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('ssl-remediation', {
  fakeSslGrades: { 'login.remedy.example': 'B', 'gone.remedy.example': 'DNS' },
});
const VENDOR = 'privacy@remedy.example';
const REQUESTER = 'maria.lopez@district.example';

const website = (name: string, url: string) =>
  requestBody({
    resourceName: name,
    resourceUrl: url,
    resourceKind: 'web-service',
    vendorName: 'Remedy Co',
    cost: 0,
    studentDataShared: false,
    studentDataElements: undefined,
  });

async function approveRest(requestId: string) {
  await env.client.complete(requestId, 'curriculum-review', { decision: 'approve', decidedBy: 'Pat' });
  await env.client.complete(requestId, 'technical-review', { decision: 'sound', decidedBy: 'Dee' });
  await env.client.complete(requestId, 'installation', { decision: 'installed', decidedBy: 'Dee' });
  return env.client.waitForStatus(requestId, 'APPROVED');
}

describe('TS-PE-535 end to end: SSL remediation and the websites Cybersecurity names', () => {
  it('SOP 5-6: every website named is tested; a B on one emails the vendor each host, and a passing re-test continues', async () => {
    const requestId = await env.client.submitAndPassPrivacyReview(
      website('Remedy Maths', 'https://app.remedy.example/start'),
      {
        vendorContactEmail: VENDOR,
        websites: 'https://app.remedy.example/start\nlogin.remedy.example',
        decidedBy: 'Casey',
      },
    );

    const notice = await eventually('the vendor notice', async () =>
      (await env.client.emailsTo(VENDOR, requestId)).find((e) => e.subject.startsWith('Action needed')),
    );
    // The vendor, with Cybersecurity as the second recipient and the reply-to, exactly as sent.
    expect(notice.to).toEqual([VENDOR, TEAM.cybersecurity]);
    expect(notice.replyTo).toEqual([TEAM.cybersecurity]);
    expect(notice.subject).toContain('(currently B)');
    expect(notice.text).toContain('app.remedy.example: A');
    expect(notice.text).toMatch(/login\.remedy\.example: B - SSL Labs grade B for login\.remedy\.example/);
    expect(notice.text).toContain('What to fix:');
    const waiting = await eventually('the status page waiting for the vendor', async () => {
      const view = await env.client.request(requestId);
      return view.sslRemediation?.waiting ? view : undefined;
    });
    expect(waiting.sslRemediation).toMatchObject({ gradesSeen: ['B'], retests: 0, maxRetests: 5 });
    expect(waiting.sslRemediation?.hosts.map((h) => [h.host, h.grade])).toEqual([
      ['app.remedy.example', 'A'],
      ['login.remedy.example', 'B'],
    ]);
    const page = await env.client.fetch(`/requests/${requestId}`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('Waiting for the vendor to improve the SSL grade.');

    // The vendor fixes the sign-in host; Cybersecurity asks for the re-test.
    env.runtime.fakeSslLabs?.setGrade('login.remedy.example', 'A+');
    await env.client.complete(requestId, 'ssl-remediation', { decision: 'retest', decidedBy: 'Casey' });
    const approved = await approveRest(requestId);

    expect(approved.status).toBe('APPROVED');
    const hostsAsked = new Set(env.runtime.fakeSslLabs?.calls.map((c) => c.host));
    expect([...hostsAsked]).toEqual(expect.arrayContaining(['app.remedy.example', 'login.remedy.example']));
    expect(approved.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['VENDOR_NOTIFIED_SSL', 'SSL_TESTED']),
    );
  });

  it('SOP 5-6: a website SSL Labs cannot resolve, even after retries, gets no grade: the vendor is told; Cybersecurity denies at step 6', async () => {
    const requestId = await env.client.submitAndPassPrivacyReview(
      website('Gone Reader', 'https://gone.remedy.example'),
      {
        vendorContactEmail: VENDOR,
        decidedBy: 'Casey',
      },
    );
    const notice = await eventually('the vendor notice', async () =>
      (await env.client.emailsTo(VENDOR, requestId)).find((e) => e.subject.startsWith('Action needed')),
    );
    expect(notice.text).toContain('SSL Labs could not resolve gone.remedy.example (DNS)');
    expect(notice.text).toContain('resolves in public DNS');
    const starts = env.runtime.fakeSslLabs?.calls.filter(
      (c) => c.host === 'gone.remedy.example' && c.startNew,
    );
    // The first assessment and its two automatic retries.
    expect(starts).toHaveLength(3);

    await env.client.complete(requestId, 'ssl-remediation', {
      decision: 'deny',
      comment: 'The site has been retired',
      decidedBy: 'Casey',
    });
    const denied = await env.client.waitForStatus(requestId, 'DENIED');

    expect(denied).toMatchObject({ deniedAtStep: 6 });
    expect(await env.client.registry('Gone Reader')).toEqual([
      expect.objectContaining({ status: 'NOT_APPROVED' }),
    ]);
  });

  it('SOP 17: a renewal whose re-test fails goes through remediation; denied, it lapses: requester and Cybersecurity told, LAPSED and why', async () => {
    const requestId = await env.client.submitAndPassPrivacyReview(
      website('Lapse Atlas', 'https://atlas.remedy.example'),
      {
        vendorContactEmail: VENDOR,
        decidedBy: 'Casey',
      },
    );
    const approved = await approveRest(requestId);
    expect(approved.renewal).toMatchObject({
      status: 'DUE',
      dueOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });

    env.runtime.fakeSslLabs?.setGrade('atlas.remedy.example', 'C');
    await env.client.advanceDays(366);
    const renewalNotice = await eventually('the renewal vendor notice', async () =>
      (await env.client.emailsTo(VENDOR, requestId)).find((e) => e.subject.includes('(currently C)')),
    );
    expect(renewalNotice.text).toContain('annual review of approved resources');
    expect((await env.client.request(requestId)).renewal?.status).toBe('IN_PROGRESS');
    await env.client.complete(requestId, 'ssl-remediation', {
      decision: 'deny',
      comment: 'Vendor will not upgrade TLS',
      decidedBy: 'Casey',
    });

    const lapsed = await eventually('the lapse on the request', async () => {
      const view = await env.client.request(requestId);
      return view.renewal?.status === 'LAPSED' ? view : undefined;
    });
    expect(lapsed.renewal?.reason).toBe(
      'Cybersecurity denied the resource: the vendor did not bring the SSL grade to A or better',
    );
    expect(lapsed.renewal?.dueOn).toBeNull();
    // One email to the requester and Cybersecurity (the reply-to), as the outbox recorded it.
    const told = (await env.client.outbox()).filter(
      (e) => e.subject.startsWith('Renewal lapsed') && e.subject.includes(requestId),
    );
    expect(told.map((e) => e.to.map((a) => a.toLowerCase()))).toEqual([[REQUESTER, TEAM.cybersecurity]]);
    expect(told[0]?.replyTo).toEqual([TEAM.cybersecurity]);
    expect(told[0]?.text).toContain('Reason: Cybersecurity denied the resource');
    const entry = (
      await env.client.json<{ items: { resourceName: string; status: string; reason?: string }[] }>(
        '/registry?q=Lapse%20Atlas',
      )
    ).body.items[0];
    expect(entry).toMatchObject({ status: 'NOT_APPROVED' });
    expect(entry?.reason).toMatch(/^Annual renewal lapsed \(SOP step 17\): Cybersecurity denied/);
  });
});
