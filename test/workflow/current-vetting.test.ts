/**
 * Reuse of a current vetting (SOP 3–6) as executed on the local engine: when check-current-vetting
 * finds that the registry's Approved entry covers the request, the flow goes from step 3 straight to
 * the approval review of step 7 — no privacy review, DPA, or SSL test — and everything after is the
 * usual procedure. When it does not, security vetting runs as usual.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createFlow, decision, requestInput, resource } from './harness.ts';

const REUSED = {
  reused: true,
  reusedFrom: 'SR-20260901-EARLIER1',
  reason: 'Satisfied by request SR-20260901-EARLIER1',
};
const NOT_REUSED = { reused: false, reason: 'the last SSL pass is 90 days old or older' };
const PRIVACY_OK = decision('acceptable', {
  studentDataRequired: false,
  vendorContactEmail: 'privacy@vendor.example',
  websites: [],
});

let flow: ReturnType<typeof createFlow>;
afterEach(() => flow?.abort());

describe('SOP 3–6 satisfied by a current vetting in the registry', () => {
  it('an instructional request for an Approved resource goes from step 3 to curriculum review, and is approved', async () => {
    flow = createFlow({ functions: { CheckCurrentVettingFunctionArn: () => REUSED } });
    flow.start(
      requestInput({
        resource: resource({
          studentDataShared: true,
          usesWebsite: true,
          url: 'https://app.example.com',
          cost: 0,
        }),
      }),
    );
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED' });
    expect(flow.statesEntered()).toEqual([
      'IsResumed',
      'StartSecurityVetting',
      'IsCurrentVettingReused',
      'RouteApproval',
      'CurriculumReview',
      'IsCurriculumApproved',
      'TechnicalReview',
      'IsTechnicallySound',
      'Installation',
      'PublishApproved',
      'ScheduleRenewal',
      'CloseApprovedRequest',
      'Approved',
    ]);
    // The check is asked about the resource under review.
    expect(flow.callsTo('CheckCurrentVettingFunctionArn')).toEqual([
      {
        requestId: 'SR-20261128-TEST0001',
        sopStep: 3,
        summary: 'Assigned to the Cybersecurity (CCS) team to begin security vetting',
        resource: expect.objectContaining({ name: 'Math Blaster', studentDataShared: true }),
      },
    ]);
    expect(flow.callsTo('SendDpaFunctionArn')).toEqual([]);
    expect(flow.callsTo('CheckSslFunctionArn')).toEqual([]);
  });

  it('an administrative request for an Approved resource goes to DII (step 7)', async () => {
    flow = createFlow({ functions: { CheckCurrentVettingFunctionArn: () => REUSED } });
    flow.start(requestInput({ requestType: 'administrative' }));
    const review = await flow.decide('administrative-review', decision('deny', { comment: 'Not needed' }));
    const { output } = await flow.finish();

    expect(review.payload).toMatchObject({ kind: 'administrative-review' });
    // A denial at step 7 concerns this request only; publish-status keeps the Approved entry.
    expect(output).toMatchObject({ outcome: 'DENIED', deniedAtStep: 7 });
    expect(flow.statesEntered()).not.toContain('PrivacyPolicyReview');
  });

  it('evidence that does not cover the request: security vetting runs as usual from step 4', async () => {
    flow = createFlow({ functions: { CheckCurrentVettingFunctionArn: () => NOT_REUSED } });
    flow.start(requestInput());
    const review = await flow.decide('privacy-review', PRIVACY_OK);
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();

    expect(review.payload).toMatchObject({ kind: 'privacy-review' });
    expect(output).toMatchObject({ outcome: 'APPROVED' });
    expect(flow.statesEntered().slice(0, 4)).toEqual([
      'IsResumed',
      'StartSecurityVetting',
      'IsCurrentVettingReused',
      'PrivacyPolicyReview',
    ]);
  });

  it('SOP 11 → 4: an already Approved replacement skips the second security vetting', async () => {
    // First round: vetted as usual; the replacement DII finds is Approved with a current vetting.
    flow = createFlow({
      functions: { CheckCurrentVettingFunctionArn: (_p, call) => (call === 0 ? NOT_REUSED : REUSED) },
    });
    flow.start(requestInput({ resource: resource({ name: 'Old App' }) }));
    await flow.decide('privacy-review', PRIVACY_OK);
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('not-sound', { comment: 'Needs Flash' }));
    const replacement = resource({ name: 'Approved App' });
    await flow.decide('replacement', decision('replacement-found', { resource: replacement }));
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED', resourceName: 'Approved App' });
    const states = flow.statesEntered();
    expect(states.filter((s) => s === 'PrivacyPolicyReview')).toHaveLength(1);
    expect(states.slice(states.indexOf('UseReplacementResource'))).toEqual(
      expect.arrayContaining(['RestartSecurityVetting', 'IsCurrentVettingReused', 'RouteApproval']),
    );
    expect(flow.callsTo('CheckCurrentVettingFunctionArn')[1]).toMatchObject({
      sopStep: 4,
      resource: replacement,
    });
  });
});
