/**
 * End to end, over HTTP on the local runtime: a request that goes through every human step of
 * TS-PE-535 (privacy review, signed DPA, SSL grade A, curriculum, technical check, PO, licence,
 * installation) and ends Approved in the registry, with its renewal scheduled (SOP 17). Runs on the
 * handlers' source and on their deployable bundles (`HANDLERS=bundled`).
 */
import { describe, expect, it } from 'vitest';
import { nextYear, requestBody, TEAM, useTestRuntime } from './helpers.ts';

// Twice: on the TypeScript source, and on the bundles exactly as CDK builds them (what AWS runs).
describe.each(['source', 'bundled'] as const)(
  'TS-PE-535 end to end: approval through every step (handlers: %s)',
  (handlers) => {
    const env = useTestRuntime(`approval-${handlers}`, { handlers });

    it('SOP 1-16: a paid website with student data is vetted, approved, bought, licensed, installed and published Approved', async () => {
      // Prepare: SOP 1-2, the teacher submits the request (JSON API)
      const requestId = await env.client.submit(
        requestBody({
          resourceName: 'Fraction Lab',
          resourceUrl: 'https://fractionlab.example.com',
          resourceKind: 'software',
          cost: 1200,
          studentDataShared: true,
          studentDataElements: ['first name', 'student ID'],
        }),
      );
      expect((await env.client.request(requestId)).status).toBe('IN_REVIEW');

      // Act: every team follows the link in its email and decides
      const privacy = await env.client.complete(requestId, 'privacy-review', {
        decision: 'acceptable',
        studentDataRequired: 'yes',
        vendorContactEmail: 'privacy@numeracy.example',
      });
      const dpa = await env.client.complete(requestId, 'dpa-signature', {
        decision: 'signed',
        dpaExpiresOn: nextYear(),
      });
      const curriculum = await env.client.complete(requestId, 'curriculum-review', { decision: 'approve' });
      const technical = await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
      const procurement = await env.client.complete(requestId, 'procurement', {
        decision: 'po-issued',
        poNumber: 'PO-2026-0042',
        amount: '1200',
        quoteReference: 'Q-77',
      });
      const license = await env.client.complete(requestId, 'license', {
        decision: 'license-stored',
        licenseReference: 'LIC-9',
        seats: '30',
        expiresOn: nextYear(),
        licenseKey: 'AAAA-BBBB-CCCC-DDDD',
      });
      const installation = await env.client.complete(requestId, 'installation', { decision: 'installed' });

      // Assess: approved, published, scheduled for renewal, and every email went to the right team
      const view = await env.client.waitForStatus(requestId, 'APPROVED');
      expect(view.deniedAtStep).toBeNull();
      const registry = await env.client.registry('Fraction Lab');
      expect(registry).toEqual([
        expect.objectContaining({ resourceName: 'Fraction Lab', status: 'APPROVED', requestId }),
      ]);

      expect(privacy.email.to).toEqual([TEAM.cybersecurity]);
      expect(dpa.email.to).toEqual([TEAM.cybersecurity]);
      expect(curriculum.email.to).toEqual([TEAM.instructionalTechnology]);
      expect(technical.email.to).toEqual([TEAM.dii]);
      expect(procurement.email.to).toEqual([TEAM.aas]);
      expect(license.email.to).toEqual([TEAM.aas]);
      expect(installation.email.to).toEqual([TEAM.dii]);
      expect(await env.client.emailsTo('privacy@numeracy.example', requestId)).not.toHaveLength(0);
      const outbox = await env.client.outbox();
      expect(outbox.some((e) => e.text.includes('AAAA-BBBB-CCCC-DDDD'))).toBe(false);

      const execution = await env.client.waitForExecution(requestId, 'SUCCEEDED');
      expect(execution.output).toMatchObject({ outcome: 'APPROVED', requestId });
      const entered = execution.events.filter((e) => e.type === 'StateEntered').map((e) => e.stateName);
      expect(entered).toEqual(
        expect.arrayContaining([
          'PrivacyPolicyReview',
          'SendDpa',
          'AwaitSignedDpa',
          'StartSslScan',
          'CurriculumReview',
          'TechnicalReview',
          'Procurement',
          'StoreLicense',
          'Installation',
          'PublishApproved',
          'ScheduleRenewal',
        ]),
      );
      expect(execution.history[0]).toMatchObject({ id: 1, type: 'ExecutionStarted' });
      expect(execution.history.map((e) => e.type)).toEqual(
        expect.arrayContaining([
          'TaskStateEntered',
          'TaskScheduled',
          'TaskSubmitted',
          'TaskSucceeded',
          'ChoiceStateEntered',
        ]),
      );
      expect(execution.history.at(-1)).toMatchObject({ type: 'ExecutionSucceeded' });

      const clock = (await env.client.json<{ pending: { name: string; target: string }[] }>('/_local/clock'))
        .body;
      // (each human step's reminder schedules stay until they fire; a decided step's do nothing then;
      // the watch's recurring schedules are the stack's, not the request's)
      expect(
        clock.pending.filter((p) => !p.name.startsWith('remind-') && !p.name.startsWith('watch-')),
      ).toEqual([
        expect.objectContaining({
          name: expect.stringContaining(requestId),
          target: 'arn:aws:states:us-east-1:000000000000:stateMachine:annual-renewal',
        }),
      ]);
    });

    it('a used link cannot decide again, and a forged secret changes nothing', async () => {
      const requestId = await env.client.submit(
        requestBody({
          resourceName: 'Word Garden',
          resourceUrl: 'https://wordgarden.example.com',
          studentDataShared: false,
          studentDataElements: undefined,
        }),
      );
      const link = await env.client.complete(requestId, 'privacy-review', {
        decision: 'acceptable',
        studentDataRequired: 'no',
        vendorContactEmail: 'privacy@wordgarden.example',
      });

      const replay = await env.client.decide(link, { decision: 'unacceptable', comment: 'changed my mind' });
      const forged = await env.client.decide({ ...link, secret: 'x'.repeat(43) }, { decision: 'acceptable' });

      expect(replay.status).toBe(409);
      expect(forged.status).toBe(403);
      await env.client.nextTask(requestId, 'curriculum-review');
      expect((await env.client.request(requestId)).status).toBe('IN_REVIEW');
    });

    it('unknown routes answer 404', async () => {
      expect((await env.client.fetch('/nowhere')).status).toBe(404);
      expect((await env.client.fetch('/requests', { method: 'GET' })).status).toBe(404);
    });
  },
);
