/**
 * End to end, over HTTP on the local runtime: reuse of a current vetting (SOP 3–6). A resource is
 * vetted and approved once; a second teacher's request for the same resource (spelled differently)
 * skips security vetting — its steps 3–6 are satisfied by the first request, linked on the status page
 * and in the audit trail — and goes straight to the approval review. A request whose website the first
 * vetting never tested is vetted as usual. Runs on the handlers' source and on their bundles.
 */
import { describe, expect, it } from 'vitest';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import { nextYear, requestBody, TEAM, useTestRuntime } from './helpers.ts';

const FIRST = requestBody({ resourceName: 'Fraction Lab', cost: 0 });

describe.each(['source', 'bundled'] as const)(
  'SOP 3–6: reuse of a current vetting (handlers: %s)',
  (handlers) => {
    const env = useTestRuntime(`current-vetting-${handlers}`, { handlers });

    async function approveFirstRequest(): Promise<string> {
      const requestId = await env.client.submitAndPassPrivacyReview(FIRST, {
        studentDataRequired: 'yes',
        vendorContactEmail: 'privacy@numeracy.example',
      });
      await env.client.complete(requestId, 'dpa-signature', { decision: 'signed', dpaExpiresOn: nextYear() });
      await env.client.complete(requestId, 'curriculum-review', { decision: 'approve' });
      await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
      await env.client.complete(requestId, 'installation', { decision: 'installed' });
      await env.client.waitForStatus(requestId, 'APPROVED');
      return requestId;
    }

    it('a second request for an Approved resource goes from step 3 to step 7, linked to the request that vetted it', async () => {
      const first = await approveFirstRequest();
      const firstView = await env.client.settled(first);

      // A DII staff member asks for the same resource, typed differently, sharing less student data.
      const second = await env.client.submit(
        requestBody({
          resourceName: '  fraction   LAB ',
          vendorName: 'numeracy co.',
          requesterName: 'Sam Ortiz',
          requesterEmail: 'sam.ortiz@district.example',
          requestType: 'administrative',
          cost: 0,
          studentDataElements: ['Student ID'],
        }),
      );
      const review = await env.client.complete(second, 'administrative-review', { decision: 'approve' });
      await env.client.complete(second, 'technical-review', { decision: 'sound' });
      await env.client.complete(second, 'installation', { decision: 'installed' });
      const view = await env.client.waitForStatus(second, 'APPROVED');

      // The approval review was the first task; nobody at Cybersecurity was asked again.
      expect(review.email.to).toEqual([TEAM.dii]);
      const cybersecurityMail = await env.client.emailsTo(TEAM.cybersecurity, second);
      expect(cybersecurityMail.map((e) => e.subject)).toEqual([]);
      expect(await env.client.emailsTo('privacy@numeracy.example', second)).toEqual([]);

      expect(view.reusedVetting).toMatchObject({
        requestId: first,
        resourceId: resourceIdOf({ name: 'Fraction Lab', vendorName: 'Numeracy Co' }),
        sslGrade: 'A',
        websites: ['fractionlab.example.com'],
        dpaExpiresOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
      const reused = view.timeline.filter((e) => e.type === 'VETTING_REUSED');
      expect(reused.map((e) => e.sopStep)).toEqual([3, 4, 5, 6]);
      for (const e of reused) expect(e.summary).toContain(`request ${first}`);

      // SOP 16: one registry entry, still the first request's evidence, listing both requests.
      const [entry] = await env.client.registry('fraction');
      expect(entry).toMatchObject({ status: 'APPROVED', requestId: first });
      const page = await env.client.json<{ requests: { requestId: string }[]; currentVetting: boolean }>(
        `/registry/${view.reusedVetting?.resourceId ?? ''}`,
        { headers: { accept: 'application/json' } },
      );
      expect(page.body.requests.map((r) => r.requestId)).toEqual([second, first]);
      expect(page.body.currentVetting).toBe(true);

      // SOP 17: one renewal for the resource — the first request's, which this request shows.
      expect(view.renewal).toMatchObject({ renewedWith: first, dueOn: firstView.renewal?.dueOn });
      const clock = (await env.client.json<{ pending: { name: string }[] }>('/_local/clock')).body;
      const renewals = clock.pending.filter(
        (p) => !p.name.startsWith('remind-') && !p.name.startsWith('watch-'),
      );
      expect(renewals).toEqual([expect.objectContaining({ name: expect.stringContaining(first) })]);

      // The status page links the earlier request and the registry entry.
      const html = await (
        await env.client.fetch(`/requests/${second}`, { headers: { accept: 'text/html' } })
      ).text();
      expect(html).toContain(`<a href="${first}">Request ${first}</a>`);
      expect(html).toContain(`href="../registry/${view.reusedVetting?.resourceId}"`);

      // Auditors read the same path in the execution: no privacy review, DPA or SSL test.
      const execution = await env.client.waitForExecution(second, 'SUCCEEDED');
      const entered = execution.events.filter((e) => e.type === 'StateEntered').map((e) => e.stateName);
      expect(entered.slice(0, 5)).toEqual([
        'IsResumed',
        'StartSecurityVetting',
        'IsCurrentVettingReused',
        'RouteApproval',
        'AdministrativeReview',
      ]);
      expect(entered).not.toContain('PrivacyPolicyReview');
      expect(entered).not.toContain('StartSslScan');
    });

    it('a request whose website the earlier vetting never tested is vetted as usual, and the audit trail says why', async () => {
      const requestId = await env.client.submit(
        requestBody({ resourceName: 'Fraction Lab', resourceUrl: 'https://login.fractionlab.example.com/' }),
      );

      const privacy = await env.client.nextTask(requestId, 'privacy-review');

      expect(privacy.email.to).toEqual([TEAM.cybersecurity]);
      const view = await env.client.settled(requestId);
      expect(view.reusedVetting).toBeNull();
      expect(view.timeline.find((e) => e.type === 'VETTING_NOT_REUSED')?.summary).toContain(
        'the website login.fractionlab.example.com was not tested',
      );
    });
  },
);
