/**
 * End to end, over HTTP on the local runtime: a request that goes through every human step of
 * TS-PE-535 (privacy review, signed DPA, SSL grade A, curriculum, technical check, PO, licence,
 * installation) and ends Approved in the registry, with its renewal scheduled (SOP 17).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#local/runtime.ts';
import {
  Client,
  nextYear,
  removeDataDir,
  requestBody,
  startTestRuntime,
  TEAM,
  tempDataDir,
} from './helpers.ts';

let runtime: LocalRuntime;
let client: Client;
const dataDir = tempDataDir('approval');

beforeAll(async () => {
  runtime = await startTestRuntime(dataDir);
  client = new Client(runtime);
});

afterAll(async () => {
  await runtime?.stop();
  removeDataDir(dataDir);
});

describe('TS-PE-535 end to end: approval through every step', () => {
  it('SOP 1-16: a paid website with student data is vetted, approved, bought, licensed, installed and published Approved', async () => {
    // Prepare: SOP 1-2, the teacher submits the request (JSON API)
    const requestId = await client.submit(
      requestBody({
        resourceName: 'Fraction Lab',
        resourceUrl: 'https://fractionlab.example.com',
        resourceKind: 'software',
        cost: 1200,
        studentDataShared: true,
        studentDataElements: ['first name', 'student ID'],
      }),
    );
    expect((await client.request(requestId)).status).toBe('IN_REVIEW');

    // Act: every team follows the link in its email and decides
    const privacy = await client.complete(requestId, 'privacy-review', {
      decision: 'acceptable',
      studentDataRequired: 'yes',
      vendorContactEmail: 'privacy@numeracy.example',
    });
    const dpa = await client.complete(requestId, 'dpa-signature', {
      decision: 'signed',
      dpaExpiresOn: nextYear(),
    });
    const curriculum = await client.complete(requestId, 'curriculum-review', { decision: 'approve' });
    const technical = await client.complete(requestId, 'technical-review', { decision: 'sound' });
    const procurement = await client.complete(requestId, 'procurement', {
      decision: 'po-issued',
      poNumber: 'PO-2026-0042',
      amount: '1200',
      quoteReference: 'Q-77',
    });
    const license = await client.complete(requestId, 'license', {
      decision: 'license-stored',
      licenseReference: 'LIC-9',
      seats: '30',
      expiresOn: nextYear(),
      licenseKey: 'AAAA-BBBB-CCCC-DDDD',
    });
    const installation = await client.complete(requestId, 'installation', { decision: 'installed' });

    // Assess: approved, published, scheduled for renewal, and every email went to the right team
    const view = await client.waitForStatus(requestId, 'APPROVED');
    expect(view.deniedAtStep).toBeNull();
    const registry = await client.registry('Fraction Lab');
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
    expect(await client.emailsTo('privacy@numeracy.example', requestId)).not.toHaveLength(0);
    const outbox = await client.outbox();
    expect(outbox.some((e) => e.text.includes('AAAA-BBBB-CCCC-DDDD'))).toBe(false);

    const execution = await client.waitForExecution(requestId, 'SUCCEEDED');
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

    const clock = (await client.json<{ pending: { name: string; target: string }[] }>('/_local/clock')).body;
    // (each human step's reminder schedules stay until they fire; a decided step's do nothing then)
    expect(clock.pending.filter((p) => !p.name.startsWith('remind-'))).toEqual([
      expect.objectContaining({
        name: expect.stringContaining(requestId),
        target: 'arn:aws:states:us-east-1:000000000000:stateMachine:annual-renewal',
      }),
    ]);
  });

  it('a used link cannot decide again, and a forged secret changes nothing', async () => {
    const requestId = await client.submit(
      requestBody({
        resourceName: 'Word Garden',
        resourceUrl: 'https://wordgarden.example.com',
        studentDataShared: false,
        studentDataElements: undefined,
      }),
    );
    const link = await client.complete(requestId, 'privacy-review', {
      decision: 'acceptable',
      studentDataRequired: 'no',
      vendorContactEmail: 'privacy@wordgarden.example',
    });

    const replay = await client.decide(link, { decision: 'unacceptable', comment: 'changed my mind' });
    const forged = await client.decide({ ...link, secret: 'x'.repeat(43) }, { decision: 'acceptable' });

    expect(replay.status).toBe(409);
    expect(forged.status).toBe(403);
    await client.nextTask(requestId, 'curriculum-review');
    expect((await client.request(requestId)).status).toBe('IN_REVIEW');
  });

  it('unknown routes answer 404', async () => {
    expect((await client.fetch('/nowhere')).status).toBe(404);
    expect((await client.fetch('/requests', { method: 'GET' })).status).toBe(404);
  });
});
