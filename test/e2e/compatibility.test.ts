/**
 * Upgrades under running executions: an execution keeps the definition it started with for up to a
 * year, and calls today's handlers (0.1.0's definitions name unqualified ARNs; later ones call their
 * versions, but their human steps are still answered by today's record-decision). So each frozen
 * definition of test/fixtures/asl/ (a release whose executions may still run) is run here on the
 * local runtime against today's handlers, through every human step of an approval and the annual
 * renewal a year later. A payload change that would send those running requests to ERROR fails here.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventually, nextYear, requestBody, TEAM, useTestRuntime } from './helpers.ts';

const FIXTURES = 'test/fixtures/asl';
const RELEASES = readdirSync(FIXTURES)
  .flatMap((f) => /^software-request\.release-(.+)\.asl\.json$/.exec(f)?.slice(1, 2) ?? [])
  .sort();

it('has at least one frozen release to run', () => {
  expect(RELEASES.length).toBeGreaterThan(0);
});

describe.each(RELEASES)("release %s's definitions on today's handlers", (release) => {
  const env = useTestRuntime(`compatibility-${release}`, {
    stateMachineFiles: {
      softwareRequest: `${FIXTURES}/software-request.release-${release}.asl.json`,
      annualRenewal: `${FIXTURES}/annual-renewal.release-${release}.asl.json`,
    },
  });

  it('a paid website with student data goes through every human step to Approved, and renews a year later', async () => {
    // Prepare
    const requestId = await env.client.submit(
      requestBody({
        resourceName: `Fraction Lab ${release}`,
        resourceUrl: 'https://fractionlab.example.com',
        resourceKind: 'software',
        cost: 1200,
        studentDataShared: true,
        studentDataElements: ['first name', 'student ID'],
      }),
    );

    // Act: every team decides through the links in its emails
    await env.client.complete(requestId, 'privacy-review', {
      decision: 'acceptable',
      studentDataRequired: 'yes',
      vendorContactEmail: 'privacy@numeracy.example',
    });
    await env.client.complete(requestId, 'dpa-signature', { decision: 'signed', dpaExpiresOn: nextYear() });
    const curriculum = await env.client.complete(requestId, 'curriculum-review', { decision: 'approve' });
    await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
    await env.client.complete(requestId, 'procurement', {
      decision: 'po-issued',
      poNumber: 'PO-2026-0042',
      amount: '1200',
      quoteReference: 'Q-77',
    });
    await env.client.complete(requestId, 'license', {
      decision: 'license-stored',
      licenseReference: 'LIC-9',
      seats: '30',
      expiresOn: nextYear(),
      licenseKey: 'AAAA-BBBB-CCCC-DDDD',
    });
    await env.client.complete(requestId, 'installation', { decision: 'installed' });

    // Assess: approved by the old definition, which knows nothing of resumeAt
    expect((await env.client.waitForStatus(requestId, 'APPROVED')).deniedAtStep).toBeNull();
    expect(curriculum.email.to).toEqual([TEAM.instructionalTechnology]);
    const execution = await env.client.waitForExecution(requestId, 'SUCCEEDED');
    expect(execution.output).toMatchObject({ outcome: 'APPROVED', requestId });
    const entered = execution.events.filter((e) => e.type === 'StateEntered').map((e) => e.stateName);
    expect(entered[0]).toBe('StartSecurityVetting');
    expect(entered).not.toContain('RecordError');

    // Act: a year passes; the old annual-renewal definition asks for the DPA again and re-tests the website
    await env.client.advanceDays(366);
    const renewal = await eventually('the annual-renewal execution', async () =>
      (await env.client.executions()).find((e) => e.stateMachine === 'annual-renewal'),
    );
    await env.client.complete(requestId, 'dpa-signature', { decision: 'signed', dpaExpiresOn: nextYear() });
    const renewed = await env.client.waitForExecution(renewal.name, 'SUCCEEDED', 'annual-renewal');

    // Assess
    expect(renewed.output).toMatchObject({ requestId });
    expect((await env.client.request(requestId)).status).toBe('APPROVED');
  }, 120_000); // a whole approval and a renewal on a loaded machine
});
