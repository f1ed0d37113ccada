/**
 * TS-PE-535 as executed: every path through statemachine/software-request.asl.json on the local engine.
 * Lambda tasks are answered by scripted results; human steps are completed through their task tokens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINE_DAYS } from '#shared/workflow/deadlines.ts';
import { createFlow, decision, remediationResult, requestInput, resource, sslResult } from './harness.ts';

const privacyOk = (studentDataRequired = false, websites: string[] = []) =>
  decision('acceptable', { studentDataRequired, vendorContactEmail: 'privacy@vendor.example', websites });
/** The privacy review of a website: Cybersecurity kept the request's link. */
const privacyOkWebsite = (studentDataRequired = false) => privacyOk(studentDataRequired, ['app.example.com']);
const PO = { poNumber: 'PO-2026-0042', amount: 1200, quoteReference: 'Q-77' };

let flow: ReturnType<typeof createFlow>;
afterEach(() => flow?.abort());

describe('TS-PE-535 software request workflow', () => {
  it('a. instructional, no student data, not a website, free: approved without DPA, SSL test or procurement', async () => {
    flow = createFlow();
    flow.start(requestInput());
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED', requestId: 'SR-20261128-TEST0001' });
    expect(flow.statesEntered()).toEqual([
      'IsResumed',
      'StartSecurityVetting',
      'IsCurrentVettingReused',
      'PrivacyPolicyReview',
      'IsDpaRequired',
      'IsWebsite',
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
    expect(flow.callsTo('CheckCurrentVettingFunctionArn')[0]).toMatchObject({
      sopStep: 3,
      resource: requestInput().resource,
    });
    expect(flow.callsTo('PublishStatusFunctionArn')).toEqual([
      { requestId: 'SR-20261128-TEST0001', status: 'APPROVED', sopStep: 16 },
    ]);
    expect(flow.callsTo('CloseRequestFunctionArn')).toEqual([
      { requestId: 'SR-20261128-TEST0001', outcome: 'APPROVED' },
    ]);
  });

  it('b. student data + website + paid software: DPA signed, SSL A, PO issued, licence stored, approved', async () => {
    flow = createFlow();
    flow.start(
      requestInput({
        resource: resource({
          kind: 'software',
          cost: 1200,
          studentDataShared: true,
          usesWebsite: true,
          url: 'https://app.example.com',
        }),
      }),
    );
    await flow.decide('privacy-review', privacyOkWebsite(true));
    await flow.decide('dpa-signature', decision('signed', { dpaExpiresOn: '2027-11-28' }));
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('procurement', decision('po-issued', PO));
    await flow.decide(
      'license',
      decision('license-stored', { licenseReference: 'LIC-9', seats: 30, expiresOn: '2027-11-28' }),
    );
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED' });
    const states = flow.statesEntered();
    expect(states).toEqual(
      expect.arrayContaining([
        'SendDpa',
        'AwaitSignedDpa',
        'StartSslScan',
        'RequestPurchaseOrder',
        'Procurement',
        'RecordPurchaseOrderIssued',
        'StoreLicense',
      ]),
    );
    expect(states.indexOf('AwaitSignedDpa')).toBeLessThan(states.indexOf('StartSslScan'));
    expect(states.indexOf('StoreLicense')).toBeLessThan(states.indexOf('Installation'));
    expect(flow.callsTo('SendDpaFunctionArn')).toEqual([
      {
        requestId: 'SR-20261128-TEST0001',
        vendorContactEmail: 'privacy@vendor.example',
        // The vendor's upload link expires with the DPA wait.
        uploadExpiresInSeconds: DEFAULT_DEADLINE_DAYS['dpa-signature'] * 86_400,
        // The DPA email's outbox key: one email per execution and vetting round.
        executionId: 'arn:aws:states:us-east-1:000000000000:execution:software-request:SR-20261128-TEST0001',
        replacementCount: 0,
      },
    ]);
    expect(flow.callsTo('CheckSslFunctionArn')[0]).toEqual({
      requestId: 'SR-20261128-TEST0001',
      websites: ['app.example.com'],
    });
    expect(flow.callsTo('ProcurementHookFunctionArn')).toEqual([
      { requestId: 'SR-20261128-TEST0001', event: 'PurchaseOrderRequested' },
      { requestId: 'SR-20261128-TEST0001', event: 'PurchaseOrderIssued', purchaseOrder: PO },
    ]);
  });

  it('c. DPA refused: denied at step 6, Not Approved published, SSL never tested', async () => {
    flow = createFlow();
    flow.start(
      requestInput({
        resource: resource({ studentDataShared: true, usesWebsite: true, url: 'https://app.example.com' }),
      }),
    );
    await flow.decide('privacy-review', privacyOkWebsite(true));
    await flow.decide('dpa-signature', decision('refused', { comment: 'Vendor will not sign' }));
    const { output } = await flow.finish();

    expect(output).toEqual({
      outcome: 'DENIED',
      requestId: 'SR-20261128-TEST0001',
      deniedAtStep: 6,
      reason: 'The vendor did not sign the student Data Privacy Agreement',
    });
    expect(flow.statesEntered()).not.toContain('StartSslScan');
    expect(flow.callsTo('PublishStatusFunctionArn')).toEqual([
      {
        requestId: 'SR-20261128-TEST0001',
        status: 'NOT_APPROVED',
        sopStep: 6,
        denial: {
          sopStep: 6,
          reason: 'The vendor did not sign the student Data Privacy Agreement',
          comment: 'Vendor will not sign',
        },
      },
    ]);
    expect(flow.callsTo('CloseRequestFunctionArn')[0]).toMatchObject({
      outcome: 'DENIED',
      denial: { sopStep: 6 },
    });
  });

  it('d. SSL grade B: the vendor is notified, Cybersecurity denies during remediation: denied at step 6', async () => {
    const reason = 'SSL Labs grade B for app.example.com is below the required A';
    flow = createFlow({
      functions: { CheckSslFunctionArn: () => sslResult({ passed: false, grade: 'B', reason }) },
    });
    flow.start(requestInput({ resource: resource({ usesWebsite: true, url: 'https://app.example.com' }) }));
    await flow.decide('privacy-review', privacyOkWebsite());
    const task = await flow.decide(
      'ssl-remediation',
      decision('deny', { comment: 'Vendor will not fix it' }),
    );
    const { output } = await flow.finish();

    expect(output).toMatchObject({
      outcome: 'DENIED',
      deniedAtStep: 6,
      reason: 'Cybersecurity denied the resource: the vendor did not bring the SSL grade to A or better',
    });
    expect(flow.callsTo('NotifyVendorSslFunctionArn')).toEqual([
      {
        requestId: 'SR-20261128-TEST0001',
        vendorContactEmail: 'privacy@vendor.example',
        reason,
        executionId: 'arn:aws:states:us-east-1:000000000000:execution:software-request:SR-20261128-TEST0001',
        scanStartedAt: '2026-11-28T10:00:00.000Z',
      },
    ]);
    // The task waits what notify-vendor-ssl says (the window's rest, at most 21 days); the link mirrors it.
    expect(task.payload).toMatchObject({ kind: 'ssl-remediation', timeoutSeconds: 1_814_400 });
    expect(flow.callsTo('PublishStatusFunctionArn')[0]).toMatchObject({
      status: 'NOT_APPROVED',
      sopStep: 6,
      denial: { comment: 'Vendor will not fix it' },
    });
    expect(flow.statesEntered()).not.toContain('CurriculumReview');
  });

  it.each([
    ['grade T (certificate not trusted)', 'T'],
    ['no grade (an endpoint could not be reached, after check-ssl retried)', undefined],
  ])(
    'SOP 5: SSL %s: the vendor is told and Cybersecurity may re-test; a passing re-test continues the flow',
    async (_label, grade) => {
      flow = createFlow({
        functions: {
          CheckSslFunctionArn: (_p, call) =>
            call === 0
              ? sslResult({ passed: false, grade, reason: 'SSL Labs could not grade app.example.com' })
              : sslResult({ startedAt: '2026-11-29T10:00:00.000Z' }),
        },
      });
      flow.start(requestInput({ resource: resource({ usesWebsite: true, url: 'https://app.example.com' }) }));
      await flow.decide('privacy-review', privacyOkWebsite());
      await flow.decide('ssl-remediation', decision('retest'));
      await flow.decide('curriculum-review', decision('approve'));
      await flow.decide('technical-review', decision('sound'));
      await flow.decide('installation', decision('installed'));
      const { output } = await flow.finish();

      expect(output).toMatchObject({ outcome: 'APPROVED' });
      expect(flow.callsTo('NotifyVendorSslFunctionArn')).toHaveLength(1);
      // The re-test starts a new scan of the same websites.
      expect(flow.callsTo('CheckSslFunctionArn')).toEqual([
        { requestId: 'SR-20261128-TEST0001', websites: ['app.example.com'] },
        { requestId: 'SR-20261128-TEST0001', websites: ['app.example.com'] },
      ]);
      const states = flow.statesEntered();
      expect(states.slice(states.indexOf('NotifyVendorSsl'), states.indexOf('RouteApproval') + 1)).toEqual([
        'NotifyVendorSsl',
        'IsSslRemediationOpen',
        'SslRemediation',
        'IsSslRetestRequested',
        'StartSslScan',
        'IsSslScanFinished',
        'RouteApproval',
      ]);
    },
  );

  it('SOP 5-6: each failing re-test emails the vendor again and reopens the task; the fifth is the last (ASL guard)', async () => {
    const reason = 'SSL Labs grade B for app.example.com is below the required A';
    flow = createFlow({
      functions: {
        CheckSslFunctionArn: (_p, call) =>
          sslResult({ passed: false, grade: 'B', reason, startedAt: `2026-11-2${call}T10:00:00.000Z` }),
        // Even if the function kept it open, the state machine stops at 5 re-tests.
        NotifyVendorSslFunctionArn: (_p, call) =>
          remediationResult({
            retests: call,
            reason: call >= 5 ? `Still B after 5 re-tests: ${reason}` : '',
          }),
      },
    });
    flow.start(requestInput({ resource: resource({ usesWebsite: true, url: 'https://app.example.com' }) }));
    await flow.decide('privacy-review', privacyOkWebsite());
    for (let retest = 0; retest < 5; retest++) await flow.decide('ssl-remediation', decision('retest'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({
      outcome: 'DENIED',
      deniedAtStep: 6,
      reason: `Still B after 5 re-tests: ${reason}`,
    });
    expect(flow.callsTo('CheckSslFunctionArn').filter((c) => c.websites)).toHaveLength(6);
    expect(flow.callsTo('NotifyVendorSslFunctionArn').map((c) => c.scanStartedAt)).toEqual([
      '2026-11-20T10:00:00.000Z',
      '2026-11-21T10:00:00.000Z',
      '2026-11-22T10:00:00.000Z',
      '2026-11-23T10:00:00.000Z',
      '2026-11-24T10:00:00.000Z',
      '2026-11-25T10:00:00.000Z',
    ]);
    expect(flow.statesEntered().filter((s) => s === 'SslRemediation')).toHaveLength(5);
  });

  it('SOP 5-6: when the remediation window has ended, the failing re-test denies at step 6 with the reason', async () => {
    const reason = 'The vendor did not bring the SSL grade to A within the 30-day remediation window';
    flow = createFlow({
      functions: {
        CheckSslFunctionArn: () => sslResult({ passed: false, grade: 'C', reason: 'grade C' }),
        NotifyVendorSslFunctionArn: (_p, call) =>
          call === 0 ? remediationResult() : remediationResult({ open: false, retests: 1, reason }),
      },
    });
    flow.start(requestInput({ resource: resource({ usesWebsite: true, url: 'https://app.example.com' }) }));
    await flow.decide('privacy-review', privacyOkWebsite());
    await flow.decide('ssl-remediation', decision('retest'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'DENIED', deniedAtStep: 6, reason });
    expect(flow.callsTo('PublishStatusFunctionArn')[0]).toMatchObject({ status: 'NOT_APPROVED', sopStep: 6 });
  });

  it('SOP 5-6: nobody re-tests or denies before the remediation wait ends: denied at step 6 with the timeout reason', async () => {
    const timeoutReason =
      'The vendor did not bring the SSL grade to A within the 30-day remediation window (ended 2026-12-28)';
    flow = createFlow({
      functions: {
        CheckSslFunctionArn: () => sslResult({ passed: false, grade: 'B', reason: 'grade B' }),
        // What is left of the window: 1 s.
        NotifyVendorSslFunctionArn: () => remediationResult({ waitSeconds: 1, timeoutReason }),
      },
    });
    flow.start(requestInput({ resource: resource({ usesWebsite: true, url: 'https://app.example.com' }) }));
    await flow.decide('privacy-review', privacyOkWebsite());
    const task = await flow.task('ssl-remediation');
    const { output } = await flow.finish();

    expect(task.payload.timeoutSeconds).toBe(1);
    expect(output).toMatchObject({ outcome: 'DENIED', deniedAtStep: 6, reason: timeoutReason });
    expect(flow.statesEntered()).toContain('SslRemediationTimedOut');
  });

  it('SOP 5: every website Cybersecurity named is tested; none named (the field cleared) means no SSL test', async () => {
    flow = createFlow();
    flow.start(requestInput({ resource: resource({ usesWebsite: true, url: 'https://app.example.com' }) }));
    await flow.decide('privacy-review', privacyOk(false, ['app.example.com', 'login.example.com']));
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    await flow.finish();
    expect(flow.callsTo('CheckSslFunctionArn')[0]).toEqual({
      requestId: 'SR-20261128-TEST0001',
      websites: ['app.example.com', 'login.example.com'],
    });

    flow = createFlow();
    flow.start(requestInput({ resource: resource({ usesWebsite: true, url: 'https://app.example.com' }) }));
    await flow.decide('privacy-review', privacyOk(false, []));
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();
    expect(output).toMatchObject({ outcome: 'APPROVED' });
    expect(flow.statesEntered()).not.toContain('StartSslScan');
  });

  it('SOP 5: an unfinished scan is polled after the wait the scan asks for, then graded', async () => {
    flow = createFlow({
      functions: {
        CheckSslFunctionArn: (_p, call) =>
          call < 2
            ? sslResult({
                finished: false,
                passed: false,
                grade: undefined,
                nextPollSeconds: 30 + call * 15,
                polls: call + 1,
              })
            : sslResult({ polls: 3 }),
      },
    });
    flow.start(requestInput({ resource: resource({ usesWebsite: true, url: 'https://app.example.com' }) }), {
      WaitForSslScan: 0,
    });
    await flow.decide('privacy-review', privacyOkWebsite());
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output, events } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED' });
    expect(flow.statesEntered().filter((s) => s === 'WaitForSslScan')).toHaveLength(2);
    expect(flow.callsTo('CheckSslFunctionArn')).toEqual([
      { requestId: 'SR-20261128-TEST0001', websites: ['app.example.com'] },
      { requestId: 'SR-20261128-TEST0001', startedAt: '2026-11-28T10:00:00.000Z', polls: 1, hosts: [] },
      { requestId: 'SR-20261128-TEST0001', startedAt: '2026-11-28T10:00:00.000Z', polls: 2, hosts: [] },
    ]);
    const waits = events.filter((e) => e.type === 'StateEntered' && e.stateName === 'WaitForSslScan');
    expect(
      waits.map((w) => (w.input as { ssl: { scan: { nextPollSeconds: number } } }).ssl.scan.nextPollSeconds),
    ).toEqual([30, 45]);
  });

  it('SOP 5/6: a scan that never finishes gets no grade: the vendor is told and Cybersecurity decides', async () => {
    const reason = 'The SSL Labs scan of app.example.com did not finish within 60 minutes';
    flow = createFlow({
      functions: {
        CheckSslFunctionArn: (_p, call) =>
          call < 3
            ? sslResult({ finished: false, passed: false, grade: undefined, nextPollSeconds: 120 })
            : sslResult({ finished: true, passed: false, grade: undefined, endpoints: [], reason }),
      },
    });
    flow.start(requestInput({ resource: resource({ usesWebsite: true, url: 'https://app.example.com' }) }), {
      WaitForSslScan: 0,
    });
    await flow.decide('privacy-review', privacyOkWebsite());
    await flow.decide('ssl-remediation', decision('deny', { comment: 'Site unreachable for a month' }));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'DENIED', deniedAtStep: 6 });
    expect(flow.callsTo('NotifyVendorSslFunctionArn')).toEqual([expect.objectContaining({ reason })]);
  });

  it('SOP 6: an unacceptable privacy policy is denied without sending a DPA', async () => {
    flow = createFlow();
    flow.start(requestInput({ resource: resource({ studentDataShared: true }) }));
    await flow.decide(
      'privacy-review',
      decision('unacceptable', {
        studentDataRequired: true,
        vendorContactEmail: 'p@v.example',
        comment: 'Sells data',
      }),
    );
    const { output } = await flow.finish();

    expect(output).toMatchObject({
      outcome: 'DENIED',
      deniedAtStep: 6,
      reason: "The resource's privacy policy is not acceptable",
    });
    expect(flow.callsTo('SendDpaFunctionArn')).toHaveLength(0);
    expect(flow.callsTo('PublishStatusFunctionArn')[0]).toMatchObject({
      status: 'NOT_APPROVED',
      denial: { comment: 'Sells data' },
    });
  });

  it('f. curriculum review denies: denied at step 9 with the reviewer comment', async () => {
    flow = createFlow();
    flow.start(requestInput());
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('curriculum-review', decision('deny', { comment: 'Duplicates an adopted resource' }));
    const { output } = await flow.finish();

    expect(output).toMatchObject({
      outcome: 'DENIED',
      deniedAtStep: 9,
      reason: 'The resource does not align with the curriculum focus',
    });
    expect(flow.callsTo('CloseRequestFunctionArn')[0]).toMatchObject({
      outcome: 'DENIED',
      denial: { sopStep: 9, comment: 'Duplicates an adopted resource' },
    });
    expect(flow.statesEntered()).not.toContain('TechnicalReview');
  });

  it('g. administrative request: DII administrative review instead of curriculum, then approved', async () => {
    flow = createFlow();
    flow.start(requestInput({ requestType: 'administrative' }));
    await flow.decide('privacy-review', privacyOk());
    const review = await flow.decide('administrative-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED' });
    expect(review.payload).toMatchObject({
      kind: 'administrative-review',
      requestId: 'SR-20261128-TEST0001',
    });
    expect(flow.statesEntered()).not.toContain('CurriculumReview');
  });

  it('SOP 7: DII refusing administrative approval denies at step 7', async () => {
    flow = createFlow();
    flow.start(requestInput({ requestType: 'administrative' }));
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('administrative-review', decision('deny', { comment: 'Not needed' }));
    const { output } = await flow.finish();
    expect(output).toMatchObject({ outcome: 'DENIED', deniedAtStep: 7 });
  });

  it('h. not technically sound: replacement found, vetted again from step 4 with the replacement, approved', async () => {
    flow = createFlow();
    flow.start(requestInput({ resource: resource({ name: 'Old App' }) }));
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('not-sound', { comment: 'Needs Flash' }));
    const replacement = resource({ name: 'New App', usesWebsite: true, url: 'https://new.example.com' });
    await flow.decide('replacement', decision('replacement-found', { resource: replacement }));
    const revetting = await flow.decide('privacy-review', privacyOk(false, ['new.example.com']));
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED', resourceName: 'New App' });
    const states = flow.statesEntered();
    expect(states.filter((s) => s === 'PrivacyPolicyReview')).toHaveLength(2);
    expect(states.slice(states.indexOf('FindReplacement'))).toEqual(
      expect.arrayContaining([
        'UseReplacementResource',
        'RestartSecurityVetting',
        'PrivacyPolicyReview',
        'StartSslScan',
      ]),
    );
    expect(flow.callsTo('CheckCurrentVettingFunctionArn')[1]).toEqual({
      requestId: 'SR-20261128-TEST0001',
      sopStep: 4,
      summary: 'Replacement New App found: security vetting begins again at step 4',
      resource: replacement,
    });
    expect(flow.callsTo('CheckSslFunctionArn')[0]).toMatchObject({ websites: ['new.example.com'] });
    // The human steps are told which resource is under review by the execution itself.
    expect(revetting.payload.resource).toEqual(replacement);
  });

  it('i. replacement limit: after 1 replacement that is not sound either (2 vetting rounds), the request is denied at step 11', async () => {
    flow = createFlow();
    flow.start(requestInput());
    for (let round = 0; round < 2; round++) {
      await flow.decide('privacy-review', privacyOk());
      await flow.decide('curriculum-review', decision('approve'));
      await flow.decide('technical-review', decision('not-sound', { comment: `Round ${round}` }));
      if (round < 1)
        await flow.decide(
          'replacement',
          decision('replacement-found', { resource: resource({ name: `Candidate ${round + 1}` }) }),
        );
    }
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'DENIED', deniedAtStep: 11 });
    expect((output as { reason: string }).reason).toMatch(/A replacement resource was tried/);
    expect(flow.statesEntered().filter((s) => s === 'FindReplacement')).toHaveLength(1);
  });

  it('SOP 11: no replacement found denies at step 11', async () => {
    flow = createFlow();
    flow.start(requestInput());
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('not-sound'));
    await flow.decide('replacement', decision('no-replacement', { comment: 'Nothing comparable' }));
    const { output } = await flow.finish();
    expect(output).toMatchObject({ outcome: 'DENIED', deniedAtStep: 11 });
  });

  it('j. a transient Lambda error is retried and the flow continues', async () => {
    flow = createFlow({
      functions: {
        PublishStatusFunctionArn: (_p, call) => {
          if (call === 0) throw Object.assign(new Error('DynamoDB throttled'), { name: 'TransientError' });
          return { status: 'APPROVED' };
        },
      },
    });
    flow.start(requestInput());
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { output, events } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'APPROVED' });
    expect(events.filter((e) => e.type === 'StateRetried').map((e) => e.stateName)).toEqual([
      'PublishApproved',
    ]);
    expect(flow.callsTo('RecordErrorFunctionArn')).toHaveLength(0);
  });

  it('k. a permanent error: the request is marked ERROR, operators notified, the execution fails', async () => {
    flow = createFlow({
      functions: {
        PublishStatusFunctionArn: () => {
          throw Object.assign(new Error('Request SR-20261128-TEST0001 does not exist'), {
            name: 'NotFoundError',
          });
        },
      },
    });
    flow.start(requestInput());
    await flow.decide('privacy-review', privacyOk());
    await flow.decide('curriculum-review', decision('approve'));
    await flow.decide('technical-review', decision('sound'));
    await flow.decide('installation', decision('installed'));
    const { events } = await flow.failure();

    expect(flow.callsTo('PublishStatusFunctionArn')).toHaveLength(1);
    const [errorCall] = flow.callsTo('RecordErrorFunctionArn');
    expect(errorCall).toMatchObject({ requestId: 'SR-20261128-TEST0001', error: { Error: 'NotFoundError' } });
    expect(JSON.parse(String((errorCall?.error as { Cause?: string } | undefined)?.Cause))).toEqual({
      errorType: 'NotFoundError',
      errorMessage: 'Request SR-20261128-TEST0001 does not exist',
    });
    expect(flow.statesEntered().slice(-2)).toEqual(['RecordError', 'Failed']);
    expect(events.at(-1)?.type).toBe('ExecutionFailed');
    expect(flow.callsTo('CloseRequestFunctionArn')).toHaveLength(0);
  });

  it('l. a human step that times out closes the request with a reason (never hangs); a late decision is refused', async () => {
    flow = createFlow({
      patch: (d) => {
        const state = d.States.PrivacyPolicyReview;
        if (state) state.TimeoutSeconds = 1;
      },
    });
    flow.start(requestInput());
    const late = await flow.task('privacy-review');
    const { output } = await flow.finish();

    expect(output).toMatchObject({ outcome: 'DENIED', closedBecause: 'TIMEOUT', deniedAtStep: 4 });
    expect((output as { reason: string }).reason).toMatch(
      /No decision on the privacy policy review within 14 days/,
    );
    expect(flow.callsTo('PublishStatusFunctionArn')).toHaveLength(0);
    expect(flow.callsTo('CloseRequestFunctionArn')[0]).toMatchObject({
      outcome: 'DENIED',
      denial: { sopStep: 4 },
    });
    expect(() => flow.tokens.succeed(late.token, JSON.stringify(privacyOk()))).toThrow(
      expect.objectContaining({ name: 'TaskTimedOut' }),
    );
  });

  it('a decision for a task that no longer exists is refused like AWS (InvalidToken)', () => {
    flow = createFlow();
    expect(() => flow.tokens.succeed('not-a-token', '{}')).toThrow(
      expect.objectContaining({ name: 'InvalidToken' }),
    );
  });
});
