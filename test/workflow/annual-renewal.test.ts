/** SOP 17: the annual renewal of the DPA and SSL grade (statemachine/annual-renewal.asl.json). */

import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINE_DAYS } from '#shared/workflow/deadlines.ts';
import { ANNUAL_RENEWAL_ASL, createFlow, decision, remediationResult, sslResult } from './harness.ts';

const plan =
  (overrides: Record<string, unknown> = {}) =>
  () => ({
    requestId: 'SR-20261128-TEST0001',
    dpaRenewalDue: true,
    sslRetestDue: true,
    vendorContactEmail: 'privacy@vendor.example',
    url: 'https://app.example.com',
    websites: ['app.example.com', 'login.example.com'],
    ...overrides,
  });

let flow: ReturnType<typeof createFlow>;
afterEach(() => flow?.abort());

describe('SOP 17 annual renewal', () => {
  it('renews the DPA and re-tests SSL, stays Approved and schedules next year', async () => {
    flow = createFlow({ file: ANNUAL_RENEWAL_ASL, functions: { PlanRenewalFunctionArn: plan() } });
    flow.start({ requestId: 'SR-20261128-TEST0001' });
    await flow.decide('dpa-signature', decision('signed', { dpaExpiresOn: '2028-11-28' }));
    const { output } = await flow.finish();

    expect(output).toEqual({ outcome: 'RENEWED', requestId: 'SR-20261128-TEST0001' });
    expect(flow.callsTo('SendDpaFunctionArn')).toEqual([
      {
        requestId: 'SR-20261128-TEST0001',
        vendorContactEmail: 'privacy@vendor.example',
        renewal: true,
        uploadExpiresInSeconds: DEFAULT_DEADLINE_DAYS['dpa-signature'] * 86_400,
        // The renewed DPA email's outbox key: one per renewal execution.
        executionId: 'arn:aws:states:us-east-1:000000000000:execution:software-request:SR-20261128-TEST0001',
      },
    ]);
    expect(flow.callsTo('CheckSslFunctionArn')[0]).toEqual({
      requestId: 'SR-20261128-TEST0001',
      websites: ['app.example.com', 'login.example.com'],
    });
    expect(flow.callsTo('PublishStatusFunctionArn')).toEqual([
      { requestId: 'SR-20261128-TEST0001', status: 'APPROVED', sopStep: 17 },
    ]);
    expect(flow.callsTo('ScheduleRenewalFunctionArn')).toHaveLength(1);
    // The request shows RENEWED with its next due date (record-renewal reads the new schedule).
    expect(flow.callsTo('RecordRenewalFunctionArn')).toEqual([
      { requestId: 'SR-20261128-TEST0001', outcome: 'RENEWED' },
    ]);
    const states = flow.statesEntered();
    expect(states.indexOf('ScheduleNextRenewal')).toBeLessThan(states.indexOf('RecordRenewalComplete'));
  });

  it('only re-tests SSL when no DPA applies', async () => {
    flow = createFlow({
      file: ANNUAL_RENEWAL_ASL,
      functions: { PlanRenewalFunctionArn: plan({ dpaRenewalDue: false }) },
    });
    flow.start({ requestId: 'SR-20261128-TEST0001' });
    const { output } = await flow.finish();
    expect(output).toMatchObject({ outcome: 'RENEWED' });
    expect(flow.statesEntered()).not.toContain('AwaitRenewedDpa');
  });

  it('a grade that dropped below A: the same remediation as at vetting; a passing re-test renews', async () => {
    flow = createFlow({
      file: ANNUAL_RENEWAL_ASL,
      functions: {
        PlanRenewalFunctionArn: plan({ dpaRenewalDue: false }),
        CheckSslFunctionArn: (_p, call) =>
          call === 0 ? sslResult({ passed: false, grade: 'C', reason: 'grade C' }) : sslResult(),
      },
    });
    flow.start({ requestId: 'SR-20261128-TEST0001' });
    const task = await flow.decide('ssl-remediation', decision('retest'));
    const { output } = await flow.finish();

    expect(output).toEqual({ outcome: 'RENEWED', requestId: 'SR-20261128-TEST0001' });
    expect(task.payload).toMatchObject({ kind: 'ssl-remediation', timeoutSeconds: 1_814_400 });
    expect(flow.callsTo('NotifyVendorSslFunctionArn')).toEqual([
      expect.objectContaining({ vendorContactEmail: 'privacy@vendor.example', reason: 'grade C' }),
    ]);
    expect(flow.callsTo('CheckSslFunctionArn')).toHaveLength(2);
    expect(flow.callsTo('PublishStatusFunctionArn')).toEqual([
      { requestId: 'SR-20261128-TEST0001', status: 'APPROVED', sopStep: 17 },
    ]);
  });

  it('remediation used up: the renewal lapses: Not Approved, LAPSED with the reason, no new schedule', async () => {
    const reason = 'The SSL grade still fails after 5 re-tests: grade C';
    flow = createFlow({
      file: ANNUAL_RENEWAL_ASL,
      functions: {
        PlanRenewalFunctionArn: plan({ dpaRenewalDue: false }),
        CheckSslFunctionArn: () => sslResult({ passed: false, grade: 'C', reason: 'grade C' }),
        NotifyVendorSslFunctionArn: (_p, call) =>
          remediationResult({ retests: call, reason: call >= 5 ? reason : '' }),
      },
    });
    flow.start({ requestId: 'SR-20261128-TEST0001' });
    for (let retest = 0; retest < 5; retest++) await flow.decide('ssl-remediation', decision('retest'));
    const { output } = await flow.finish();

    expect(output).toEqual({ outcome: 'NOT_RENEWED', requestId: 'SR-20261128-TEST0001', reason });
    expect(flow.callsTo('PublishStatusFunctionArn')).toEqual([
      {
        requestId: 'SR-20261128-TEST0001',
        status: 'NOT_APPROVED',
        sopStep: 17,
        denial: { sopStep: 17, reason },
      },
    ]);
    expect(flow.callsTo('ScheduleRenewalFunctionArn')).toHaveLength(0);
    expect(flow.callsTo('RecordRenewalFunctionArn')).toEqual([
      { requestId: 'SR-20261128-TEST0001', outcome: 'LAPSED', denial: { sopStep: 17, reason } },
    ]);
  });

  it('Cybersecurity denies during the renewal remediation: lapses with its comment', async () => {
    flow = createFlow({
      file: ANNUAL_RENEWAL_ASL,
      functions: {
        PlanRenewalFunctionArn: plan({ dpaRenewalDue: false }),
        CheckSslFunctionArn: () => sslResult({ passed: false, grade: undefined, reason: 'unreachable' }),
      },
    });
    flow.start({ requestId: 'SR-20261128-TEST0001' });
    await flow.decide('ssl-remediation', decision('deny', { comment: 'Vendor retired the site' }));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'NOT_RENEWED' });
    expect(flow.callsTo('RecordRenewalFunctionArn')[0]).toMatchObject({
      outcome: 'LAPSED',
      denial: { sopStep: 17, comment: 'Vendor retired the site' },
    });
  });

  it('a refused DPA renewal makes the resource Not Approved', async () => {
    flow = createFlow({ file: ANNUAL_RENEWAL_ASL, functions: { PlanRenewalFunctionArn: plan() } });
    flow.start({ requestId: 'SR-20261128-TEST0001' });
    await flow.decide('dpa-signature', decision('refused', { comment: 'Vendor changed terms' }));
    const { output } = await flow.finish();
    expect(output).toMatchObject({
      outcome: 'NOT_RENEWED',
      reason: 'The vendor did not renew the student Data Privacy Agreement',
    });
    expect(flow.statesEntered()).not.toContain('StartSslRetest');
    expect(flow.callsTo('RecordRenewalFunctionArn')[0]).toMatchObject({ outcome: 'LAPSED' });
  });
});
