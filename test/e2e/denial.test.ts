/**
 * End to end: SOP 5-6 on the local runtime with the fake SSL Labs. A website graded B fails security
 * vetting: the vendor is told to improve the grade, the request is denied at step 6 and the registry
 * shows the resource Not Approved with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#local/runtime.ts';
import { Client, removeDataDir, requestBody, startTestRuntime, tempDataDir } from './helpers.ts';

let runtime: LocalRuntime;
let client: Client;
const dataDir = tempDataDir('denial');

beforeAll(async () => {
  runtime = await startTestRuntime(dataDir, { fakeSslGrades: { 'weakssl.example.com': 'B' } });
  client = new Client(runtime);
});

afterAll(async () => {
  await runtime?.stop();
  removeDataDir(dataDir);
});

describe('TS-PE-535 end to end: denial at step 6', () => {
  it('SOP 5-6: an SSL grade of B tells the vendor to improve it, denies the request and publishes Not Approved', async () => {
    // Prepare
    const requestId = await client.submit(
      requestBody({
        resourceName: 'Weak Quiz',
        resourceUrl: 'https://weakssl.example.com/app',
        resourceKind: 'web-service',
        vendorName: 'Weak Quiz Inc',
        cost: 0,
        studentDataShared: false,
        studentDataElements: undefined,
      }),
    );

    // Act: Cybersecurity accepts the privacy policy; the SSL test runs on its own
    await client.complete(requestId, 'privacy-review', {
      decision: 'acceptable',
      studentDataRequired: 'no',
      vendorContactEmail: 'security@weakquiz.example',
    });

    // Assess
    const view = await client.waitForStatus(requestId, 'DENIED');
    expect(view.deniedAtStep).toBe(6);
    expect(view.reason).toMatch(/B/);
    expect(await client.registry('Weak Quiz')).toEqual([
      expect.objectContaining({ resourceName: 'Weak Quiz', status: 'NOT_APPROVED', requestId }),
    ]);
    const vendorMail = await client.emailsTo('security@weakquiz.example', requestId);
    expect(vendorMail).toHaveLength(1);
    expect(vendorMail[0]?.text).toMatch(/\bB\b/);
    const requesterMail = await client.emailsTo('maria.lopez@district.example', requestId);
    expect(requesterMail.length).toBeGreaterThanOrEqual(2);

    const execution = await client.waitForExecution(requestId, 'SUCCEEDED');
    expect(execution.output).toMatchObject({ outcome: 'DENIED' });
    const entered = execution.events.filter((e) => e.type === 'StateEntered').map((e) => e.stateName);
    expect(entered).toEqual(
      expect.arrayContaining(['NotifyVendorSsl', 'DenySslGrade', 'PublishNotApproved']),
    );
    expect(entered).not.toContain('CurriculumReview');
    const subjects = (await client.outbox()).map((e) => e.subject);
    expect(subjects.some((s) => s.includes(requestId) && s.includes('Curriculum review'))).toBe(false);
    expect(runtime.fakeSslLabs?.calls.some((c) => c.host === 'weakssl.example.com' && c.startNew)).toBe(true);
  });
});
