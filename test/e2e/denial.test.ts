/**
 * End to end: SOP 5-6 on the local runtime with the fake SSL Labs. A website graded B: the vendor is
 * told to improve the grade and Cybersecurity gets the remediation task; when it denies, the request
 * is denied at step 6 and the registry shows the resource Not Approved with the reason.
 */
import { describe, expect, it } from 'vitest';
import { requestBody, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('denial', { fakeSslGrades: { 'weakssl.example.com': 'B' } });

describe('TS-PE-535 end to end: denial at step 6', () => {
  it('SOP 5-6: an SSL grade of B tells the vendor to improve it; denied in remediation, the request is Not Approved', async () => {
    // Prepare: Cybersecurity accepts the privacy policy; the SSL test runs on its own
    const requestId = await env.client.submitAndPassPrivacyReview(
      requestBody({
        resourceName: 'Weak Quiz',
        resourceUrl: 'https://weakssl.example.com/app',
        resourceKind: 'web-service',
        vendorName: 'Weak Quiz Inc',
        cost: 0,
        studentDataShared: false,
        studentDataElements: undefined,
      }),
      { vendorContactEmail: 'security@weakquiz.example' },
    );

    // Act: the grade is B; Cybersecurity denies in the remediation
    await env.client.complete(requestId, 'ssl-remediation', {
      decision: 'deny',
      comment: 'The vendor will not change its TLS setup',
    });

    // Assess
    const view = await env.client.waitForStatus(requestId, 'DENIED');
    expect(view.deniedAtStep).toBe(6);
    expect(view.reason).toMatch(
      /^Cybersecurity denied the resource: the vendor did not bring the SSL grade to A/,
    );
    expect(await env.client.registry('Weak Quiz')).toEqual([
      expect.objectContaining({ resourceName: 'Weak Quiz', status: 'NOT_APPROVED', requestId }),
    ]);
    const vendorMail = await env.client.emailsTo('security@weakquiz.example', requestId);
    expect(vendorMail).toHaveLength(1);
    expect(vendorMail[0]?.text).toMatch(/\bB\b/);
    const requesterMail = await env.client.emailsTo('maria.lopez@district.example', requestId);
    expect(requesterMail.length).toBeGreaterThanOrEqual(2);

    const execution = await env.client.waitForExecution(requestId, 'SUCCEEDED');
    expect(execution.output).toMatchObject({ outcome: 'DENIED' });
    const entered = execution.events.filter((e) => e.type === 'StateEntered').map((e) => e.stateName);
    expect(entered).toEqual(
      expect.arrayContaining([
        'NotifyVendorSsl',
        'SslRemediation',
        'DenySslRemediation',
        'PublishNotApproved',
      ]),
    );
    expect(entered).not.toContain('CurriculumReview');
    const subjects = (await env.client.outbox()).map((e) => e.subject);
    expect(subjects.some((s) => s.includes(requestId) && s.includes('Curriculum review'))).toBe(false);
    expect(env.runtime.fakeSslLabs?.calls.some((c) => c.host === 'weakssl.example.com' && c.startNew)).toBe(
      true,
    );
  });
});
