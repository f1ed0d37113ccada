/**
 * End to end: SOP 11 on the local runtime. DII finds the resource not technically sound, Instructional
 * Technology finds a replacement, security vetting begins again at step 4 with the replacement's
 * fields, and the replacement is approved and published.
 */
import { describe, expect, it } from 'vitest';
import { requestBody, TEAM, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('replacement');

describe('TS-PE-535 end to end: the replacement loop', () => {
  it('SOP 10-11 to 4: not sound → replacement found → vetted again from step 4 → approved', async () => {
    // Prepare
    const requestId = await env.client.submit(
      requestBody({
        resourceName: 'Old Atlas',
        resourceUrl: 'https://oldatlas.example.com',
        resourceKind: 'web-service',
        vendorName: 'Atlas Maps',
        cost: 0,
        studentDataShared: false,
        studentDataElements: undefined,
      }),
    );
    const privacy = {
      decision: 'acceptable',
      studentDataRequired: 'no',
      vendorContactEmail: 'privacy@maps.example',
    };

    // Act: first pass, DII says not sound; IT finds a replacement
    await env.client.complete(requestId, 'privacy-review', privacy);
    await env.client.complete(requestId, 'curriculum-review', { decision: 'approve' });
    await env.client.complete(requestId, 'technical-review', {
      decision: 'not-sound',
      comment: 'Needs a plugin our Chromebooks block',
    });
    const replacement = await env.client.complete(requestId, 'replacement', {
      decision: 'replacement-found',
      resourceName: 'New Atlas',
      resourceUrl: 'https://newatlas.example.com',
      resourceKind: 'web-service',
      vendorName: 'Atlas Maps',
      cost: '0',
      studentDataShared: 'no',
    });
    // second pass: vetting again from step 4, now about the replacement
    const secondPrivacy = await env.client.complete(requestId, 'privacy-review', privacy);
    await env.client.complete(requestId, 'curriculum-review', { decision: 'approve' });
    await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
    await env.client.complete(requestId, 'installation', { decision: 'installed' });

    // Assess
    const view = await env.client.waitForStatus(requestId, 'APPROVED');
    expect(view.resourceName).toBe('New Atlas');
    expect(view.timeline.some((e) => e.sopStep === 4 && /New Atlas/.test(e.summary))).toBe(true);
    // SOP 11: DII is responsible, working with Instructional Technology (copied).
    expect(replacement.email.to).toEqual([TEAM.dii]);
    expect(replacement.email.cc).toEqual([TEAM.instructionalTechnology]);
    expect(secondPrivacy.email.subject).toContain('New Atlas');
    expect(await env.client.registry('New Atlas')).toEqual([
      expect.objectContaining({ resourceName: 'New Atlas', status: 'APPROVED', requestId }),
    ]);
    expect(await env.client.registry('Old Atlas')).toEqual([]);

    const execution = await env.client.waitForExecution(requestId, 'SUCCEEDED');
    const entered = execution.events.filter((e) => e.type === 'StateEntered').map((e) => e.stateName);
    expect(entered.filter((s) => s === 'PrivacyPolicyReview')).toHaveLength(2);
    expect(entered.filter((s) => s === 'StartSslScan')).toHaveLength(2);
    expect(entered).toContain('RestartSecurityVetting');
    expect(env.runtime.fakeSslLabs?.calls.some((c) => c.host === 'newatlas.example.com')).toBe(true);
  });
});
