/** SOP 17: the annual renewal of the DPA and SSL grade (statemachine/annual-renewal.asl.json). */
import { afterEach, describe, expect, it } from 'vitest';
import { ANNUAL_RENEWAL_ASL, createFlow, decision, sslResult } from './harness.ts';

const plan =
  (overrides: Record<string, unknown> = {}) =>
  () => ({
    requestId: 'SR-20261128-TEST0001',
    dpaRenewalDue: true,
    sslRetestDue: true,
    vendorContactEmail: 'privacy@vendor.example',
    url: 'https://app.example.com',
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
      { requestId: 'SR-20261128-TEST0001', vendorContactEmail: 'privacy@vendor.example', renewal: true },
    ]);
    expect(flow.callsTo('CheckSslFunctionArn')[0]).toEqual({
      requestId: 'SR-20261128-TEST0001',
      url: 'https://app.example.com',
    });
    expect(flow.callsTo('PublishStatusFunctionArn')).toEqual([
      { requestId: 'SR-20261128-TEST0001', status: 'APPROVED', sopStep: 17 },
    ]);
    expect(flow.callsTo('ScheduleRenewalFunctionArn')).toHaveLength(1);
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

  it('a grade that dropped below A: vendor notified, registry Not Approved, no new schedule', async () => {
    const reason = 'SSL Labs grade C for app.example.com is below the required A';
    flow = createFlow({
      file: ANNUAL_RENEWAL_ASL,
      functions: {
        PlanRenewalFunctionArn: plan({ dpaRenewalDue: false }),
        CheckSslFunctionArn: () => sslResult({ passed: false, grade: 'C', reason }),
      },
    });
    flow.start({ requestId: 'SR-20261128-TEST0001' });
    const { output } = await flow.finish();

    expect(output).toEqual({ outcome: 'NOT_RENEWED', requestId: 'SR-20261128-TEST0001', reason });
    expect(flow.callsTo('NotifyVendorSslFunctionArn')).toHaveLength(1);
    expect(flow.callsTo('PublishStatusFunctionArn')).toEqual([
      {
        requestId: 'SR-20261128-TEST0001',
        status: 'NOT_APPROVED',
        sopStep: 17,
        denial: { sopStep: 17, reason },
      },
    ]);
    expect(flow.callsTo('ScheduleRenewalFunctionArn')).toHaveLength(0);
    expect(flow.callsTo('RecordStepFunctionArn')).toEqual([
      { requestId: 'SR-20261128-TEST0001', sopStep: 17, summary: `Annual renewal failed: ${reason}` },
    ]);
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
  });
});
